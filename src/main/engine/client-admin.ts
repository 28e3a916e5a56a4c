/**
 * Client administration beyond its registration: one client's page, disabling, deleting, secret rotation.
 * Disabling and deleting revoke the client's live sessions in the same transaction, each with its feed event
 * (so kits drop its access tokens at once) and back-channel logout; from that commit on every grant refuses
 * the client (client-state.ts), so no session opens or refreshes behind the revocation.
 */
import type { ClientInfo, Receipt, SessionInfo } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { ClientRow, SessionRow } from '../store/store';
import type { EngineContext, Tx } from './context';
import { clientInfo } from './clients';
import { requireClient } from './client-state';
import { randomSecret, sha256Hex } from './crypto';
import { toSessionInfo, usernames } from './queries';
import { nothingKilled, revokeSessions, type Killed } from './revoke';

interface Actor {
  actor: string;
}

/** The longest overlap a rotation may give the previous secret: 30 days. */
export const MAX_SECRET_OVERLAP_SECONDS = 30 * 24 * 3600;
/** How many of its live sessions a client's page shows (the Sessions view pages through all of them). */
export const CLIENT_PAGE_SESSIONS = 20;

export interface ClientDetail {
  client: ClientInfo;
  liveSessions: number;
  /** Up to CLIENT_PAGE_SESSIONS live sessions, the latest to expire first. */
  sessions: SessionInfo[];
}

export async function getClientDetail(ctx: EngineContext, input: { clientId: string }): Promise<ClientDetail> {
  const client = await requireClient(ctx, input.clientId);
  const now = ctx.now();
  const nameOf = usernames(ctx);
  const rows = await Promise.all((await ctx.store.clientSessions
    .liveSessionIdsOf(client.clientId, now, CLIENT_PAGE_SESSIONS))
    .map((id) => ctx.store.getSession(id)));
  const sessions = await Promise.all(rows
    .filter((session) => session !== undefined)
    .map(async (session) => toSessionInfo(session, await nameOf(session.userId), now)));
  return { client: clientInfo(client), liveSessions: await ctx.store.clientSessions.countLiveSessionsOf(client.clientId, now), sessions };
}

function receipt(action: string, at: number, actor: string, reason: string | null, killed: Killed): Receipt {
  return {
    action, at, actor, reason,
    sessionsRevoked: killed.sessionIds,
    accessTokensRevoked: killed.accessTokens,
    refreshTokensRevoked: killed.refreshTokens,
    feedEventId: killed.feedEventId,
  };
}

/**
 * Every live session of the client, each published on the feed (with its back-channel logout and its row marked
 * revoked by the actor). As for the Sessions view's bulk actions, the batch is audited once, by the caller's
 * `client.*` entry, not once per session: a client may hold very many. The receipt carries the last feed event: a
 * resource server that acknowledged it has applied every earlier one (the feed is ordered).
 */
async function revokeClientSessions(ctx: EngineContext, tx: Tx, client: ClientRow, actor: string, reason: string): Promise<Killed & { firstFeedEventId: number | null }> {
  const killed = { ...nothingKilled(), firstFeedEventId: null as number | null };
  const sessions: SessionRow[] = [];
  for (const id of await ctx.store.clientSessions.liveSessionIdsOf(client.clientId, tx.now)) {
    const session = await ctx.store.getSession(id);
    if (session) sessions.push(session);
  }
  for (const result of await revokeSessions(ctx, tx, sessions, actor, reason, 'admin', true, 'silent')) {
    killed.sessionIds.push(...result.sessionIds);
    killed.accessTokens += result.accessTokens;
    killed.refreshTokens += result.refreshTokens;
    if (result.feedEventId !== null) {
      killed.firstFeedEventId ??= result.feedEventId;
      killed.feedEventId = result.feedEventId;
    }
  }
  return killed;
}

/** The revoked ids in the audit entry: all of a small batch; the first 500 of a big one (the rows record the rest). */
function auditedIds(ids: string[]): { sessionIds: string[]; sessionIdsTruncated?: true } {
  return ids.length > MAX_AUDITED_IDS ? { sessionIds: ids.slice(0, MAX_AUDITED_IDS), sessionIdsTruncated: true } : { sessionIds: ids };
}
const MAX_AUDITED_IDS = 500;

/**
 * Disables or enables a client. Disabling revokes its live sessions and refuses it everywhere until it is
 * enabled again; enabling revokes nothing and brings nothing back (its users sign in again). Asking for the
 * state it is already in changes nothing and is not audited.
 */
export async function setClientDisabled(ctx: EngineContext, input: { clientId: string; disabled: boolean; reason?: string }, { actor }: Actor): Promise<Receipt> {
  return ctx.run(async (tx) => {
    const client = await requireClient(ctx, input.clientId);
    const reason = input.reason ?? null;
    const action = input.disabled ? 'disableClient' : 'enableClient';
    if ((client.disabledAt !== null) === input.disabled) return receipt(action, tx.now, actor, reason, nothingKilled());
    if (!input.disabled) {
      await ctx.store.updateClient(client.clientId, { disabledAt: null, disabledReason: null });
      await tx.emit({ type: 'client.enabled', actor, reason, data: { clientId: client.clientId, disabledAt: client.disabledAt } });
      return receipt(action, tx.now, actor, reason, nothingKilled());
    }
    await ctx.store.updateClient(client.clientId, { disabledAt: tx.now, disabledReason: reason });
    const killed = await revokeClientSessions(ctx, tx, client, actor, reason ?? 'client disabled');
    await tx.emit({
      type: 'client.disabled',
      actor,
      reason,
      data: {
        clientId: client.clientId, sessionsRevoked: killed.sessionIds.length, ...auditedIds(killed.sessionIds), accessTokensKilled: killed.accessTokens,
        refreshTokensRevoked: killed.refreshTokens, firstFeedEventId: killed.firstFeedEventId, feedEventId: killed.feedEventId,
      },
    });
    return receipt(action, tx.now, actor, reason, killed);
  });
}

/**
 * Deletes a client: its live sessions are revoked first (feed events, back-channel logout), then the row becomes
 * a tombstone: secrets cleared, `deletedAt` set, gone from every list and refused as unknown everywhere. Its
 * sessions, tokens and codes stay as history (revoked or spent), the audit keeps every entry naming it, and its id
 * is never given to a new client, so none of that history can ever point at another app.
 */
export async function deleteClient(ctx: EngineContext, input: { clientId: string; confirm: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  if (input.confirm !== input.clientId) {
    throw new WardenError('invalid_input', 'Invalid input for deleteClient: confirm: type the client id to confirm the deletion');
  }
  return ctx.run(async (tx) => {
    const client = await requireClient(ctx, input.clientId);
    const reason = input.reason ?? null;
    const killed = await revokeClientSessions(ctx, tx, client, actor, reason ?? 'client deleted');
    await ctx.store.updateClient(client.clientId, { deletedAt: tx.now, secretHash: null, previousSecretHash: null, previousSecretExpiresAt: null });
    await tx.emit({
      type: 'client.deleted',
      actor,
      reason,
      data: {
        clientId: client.clientId, kind: client.kind, name: client.name, sessionsRevoked: killed.sessionIds.length, ...auditedIds(killed.sessionIds),
        accessTokensKilled: killed.accessTokens, refreshTokensRevoked: killed.refreshTokens, firstFeedEventId: killed.firstFeedEventId, feedEventId: killed.feedEventId,
      },
    });
    return receipt('deleteClient', tx.now, actor, reason, killed);
  });
}

/**
 * A new secret for a confidential client, shown once. The one it replaces stays valid for `overlapSeconds`
 * (0: refused from this commit on), so its apps can be redeployed without an outage. A rotation during an
 * overlap ends that overlap: only the secret just replaced stays valid, never two old ones.
 */
export async function rotateClientSecret(ctx: EngineContext, input: { clientId: string; overlapSeconds: number }, { actor }: Actor): Promise<{ clientSecret: string; previousValidUntil: number | null }> {
  const overlap = input.overlapSeconds;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_SECRET_OVERLAP_SECONDS) {
    throw new WardenError('invalid_input', `Invalid input for rotateClientSecret: overlapSeconds: 0 to ${MAX_SECRET_OVERLAP_SECONDS} whole seconds`);
  }
  return ctx.run(async (tx) => {
    const client = await requireClient(ctx, input.clientId);
    if (client.kind !== 'confidential' || client.secretHash === null) {
      throw new WardenError('invalid_input', 'Invalid input for rotateClientSecret: clientId: a public client has no secret to rotate');
    }
    const clientSecret = randomSecret();
    const previousValidUntil = overlap > 0 ? tx.now + overlap * 1000 : null;
    await ctx.store.updateClient(client.clientId, {
      secretHash: sha256Hex(clientSecret),
      previousSecretHash: previousValidUntil === null ? null : client.secretHash,
      previousSecretExpiresAt: previousValidUntil,
    });
    const endedOverlap = client.previousSecretExpiresAt !== null && client.previousSecretExpiresAt > tx.now;
    // Never a secret or its hash in the audit: only when the old one stops working.
    await tx.emit({ type: 'client.secret_rotated', actor, data: { clientId: client.clientId, overlapSeconds: overlap, previousValidUntil, endedEarlierOverlap: endedOverlap } });
    return { clientSecret, previousValidUntil };
  });
}
