/**
 * Bulk session actions of the Sessions view (area C, docs/sessions.md). Each is one transaction, one receipt
 * and ONE audit entry for the whole batch; every session still gets its own revocation-feed entry (so resource
 * servers drop its access tokens), its back-channel logout, and its row marked revoked by the actor.
 */
import type { Receipt } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { SessionRow } from '../store/store';
import type { EngineContext, Tx } from './context';
import { revokeSessions as revokeEach } from './revoke';

export const MAX_BULK_REVOKE = 500;
/** What `confirm` must say to sign out every session of the install (no clientId). */
export const EVERYONE = 'everyone';

interface Actor {
  actor: string;
}

interface BatchTotals {
  sessionIds: string[];
  accessTokens: number;
  refreshTokens: number;
  /** The batch's feed entries are consecutive; a resource server that applied the last has applied them all. */
  firstFeedEventId: number | null;
  lastFeedEventId: number | null;
}

/** Revokes each open session (already revoked ones kill nothing), without a per-session audit entry. */
async function revokeBatch(ctx: EngineContext, tx: Tx, sessions: SessionRow[], actor: string, reason: string | null, record: 'announce' | 'silent'): Promise<BatchTotals> {
  const totals: BatchTotals = { sessionIds: [], accessTokens: 0, refreshTokens: 0, firstFeedEventId: null, lastFeedEventId: null };
  for (const killed of await revokeEach(ctx, tx, sessions, actor, reason, 'admin', true, record)) {
    totals.sessionIds.push(...killed.sessionIds);
    totals.accessTokens += killed.accessTokens;
    totals.refreshTokens += killed.refreshTokens;
    if (killed.feedEventId !== null) {
      totals.firstFeedEventId ??= killed.feedEventId;
      totals.lastFeedEventId = killed.feedEventId;
    }
  }
  return totals;
}

function toReceipt(action: string, at: number, actor: string, reason: string | null, totals: BatchTotals): Receipt {
  return {
    action,
    at,
    actor,
    reason,
    sessionsRevoked: totals.sessionIds,
    accessTokensRevoked: totals.accessTokens,
    refreshTokensRevoked: totals.refreshTokens,
    feedEventId: totals.lastFeedEventId,
  };
}

/** Revokes the selected sessions (1..500) all or none: an unknown id refuses the whole batch. */
export async function revokeSessions(ctx: EngineContext, input: { sessionIds: string[]; reason?: string }, { actor }: Actor): Promise<Receipt> {
  const ids = [...new Set(input.sessionIds)];
  if (ids.length < 1 || ids.length > MAX_BULK_REVOKE) throw new WardenError('invalid_input', `Select between 1 and ${MAX_BULK_REVOKE} sessions.`);
  const reason = input.reason ?? null;
  return ctx.run(async (tx) => {
    const sessions: SessionRow[] = [];
    for (const id of ids) {
      const session = await ctx.store.getSession(id);
      if (!session) throw new WardenError('not_found', `No session with id ${id}; nothing was revoked.`);
      sessions.push(session);
    }
    const totals = await revokeBatch(ctx, tx, sessions, actor, reason, 'announce');
    await tx.emit({
      type: 'sessions.revoked',
      actor,
      reason,
      data: {
        requested: ids.length,
        count: totals.sessionIds.length,
        sessionIds: totals.sessionIds,
        accessTokensKilled: totals.accessTokens,
        refreshTokensRevoked: totals.refreshTokens,
        firstFeedEventId: totals.firstFeedEventId,
        feedEventId: totals.lastFeedEventId,
      },
    });
    return toReceipt('revokeSessions', tx.now, actor, reason, totals);
  });
}

/**
 * Keycloak's realm logout: every open session (active or can't-refresh) of one client, or of the whole install,
 * revoked with its refresh family. Nothing else changes: users' refresh versions and not-before stay, users
 * can sign in again at once. `confirm` must repeat the client id, or say "everyone".
 */
export async function signOutEveryone(ctx: EngineContext, input: { clientId?: string; confirm: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  const clientId = input.clientId ?? null;
  const expected = clientId ?? EVERYONE;
  if (input.confirm !== expected) {
    throw new WardenError('invalid_input', clientId === null ? `Type "${EVERYONE}" to sign out every session of the install.` : `Type the client id "${clientId}" to sign out its sessions.`);
  }
  if (clientId !== null && !await ctx.store.getClient(clientId)) throw new WardenError('not_found', `No client with id ${clientId}.`);
  const reason = input.reason ?? null;
  return ctx.run(async (tx) => {
    // Per-session live events would flood the console at this size; the one audited event tells it to reload.
    const totals = await revokeBatch(ctx, tx, await ctx.store.sessionSearch.openSessionsOf(clientId, tx.now), actor, reason, 'silent');
    await tx.emit({
      type: 'sessions.signed_out_everyone',
      actor,
      reason,
      data: {
        clientId,
        count: totals.sessionIds.length,
        accessTokensKilled: totals.accessTokens,
        refreshTokensRevoked: totals.refreshTokens,
        firstFeedEventId: totals.firstFeedEventId,
        feedEventId: totals.lastFeedEventId,
      },
    });
    return toReceipt('signOutEveryone', tx.now, actor, reason, totals);
  });
}
