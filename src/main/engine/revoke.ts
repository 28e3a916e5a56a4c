/**
 * The revocation primitives every admin action, the session limit and reuse detection are built from.
 * Each runs inside a caller's `ctx.run()` transaction and records what it killed.
 */
import type { SessionRow, UserRow } from '../store/store';
import { enqueueBackchannelLogout, linkBackchannelLogouts } from './backchannel';
import type { EngineContext, Tx } from './context';
import { closeBrowserSessionsOfUser } from './browser-session-close';

export type RevocationCause = 'admin' | 'force_logout' | 'block' | 'reuse' | 'session_limit' | 'logout' | 'password_set' | 'user_deleted';

export interface Killed {
  sessionIds: string[];
  accessTokens: number;
  refreshTokens: number;
  /** The revocation-feed id that carries this change to resource servers, when one was published. */
  feedEventId: number | null;
}

export const nothingKilled = (): Killed => ({ sessionIds: [], accessTokens: 0, refreshTokens: 0, feedEventId: null });

/**
 * Revokes one session and its refresh family. `publish` adds a feed entry; force logout publishes one
 * user-level entry (its not-before covers every session) instead of one per session. `record`: the
 * `session.revoked` event is audited (`emit`), or only delivered live (`announce`) or not at all (`silent`)
 * when the caller audits the whole batch in one entry (engine/session-actions.ts).
 */
export async function revokeSession(
  ctx: EngineContext,
  tx: Tx,
  session: SessionRow,
  actor: string,
  reason: string | null,
  cause: RevocationCause,
  publish: boolean,
  record: 'emit' | 'announce' | 'silent' = 'emit',
  knownLive?: LiveTokens,
): Promise<Killed> {
  if (session.revokedAt !== null) return nothingKilled();
  const store = ctx.store;
  await store.updateSession(session.id, { revokedAt: tx.now, revokedBy: actor, revokeReason: reason ?? cause });
  const refreshTokens = await store.revokeRefreshTokensOfSession(session.id, tx.now);
  const live = knownLive ?? liveTokensOf(await store.listLiveAccessTokensOfSessions([session.id], tx.now));
  const feedEventId = publish
    ? await tx.revoke({ kind: 'session', subject: session.id, userId: session.userId, notBefore: null, expiresAt: live.latestExpiresAt, actor, reason })
    : null;
  await enqueueBackchannelLogout(ctx, tx, session, feedEventId);
  if (record !== 'silent') await tx[record]({
    type: 'session.revoked',
    actor,
    userId: session.userId,
    sessionId: session.id,
    reason,
    data: { cause, deviceName: session.deviceName, clientId: session.clientId, accessTokensKilled: live.count, refreshTokensRevoked: refreshTokens, feedEventId },
  });
  return { sessionIds: [session.id], accessTokens: live.count, refreshTokens, feedEventId };
}

/** A session's live access tokens as a revocation reports and publishes them. */
export interface LiveTokens {
  count: number;
  /** When the last of them expires (a session revocation's feed entry lives that long); null: none live. */
  latestExpiresAt: number | null;
}

const liveTokensOf = (tokens: { expiresAt: number }[]): LiveTokens => ({ count: tokens.length, latestExpiresAt: maxExpiry(tokens) ?? null });

/**
 * Force logout: every active session revoked, the refresh version bumped, and the user's not-before set
 * to just after now, so every access token issued until this instant is rejected wherever it is verified.
 */
export async function forceLogoutUser(ctx: EngineContext, tx: Tx, user: UserRow, actor: string, reason: string | null, cause: RevocationCause): Promise<Killed> {
  const store = ctx.store;
  const killed = nothingKilled();
  // One read for every session's live tokens (not one per session): hundreds each, after a while of refreshing.
  const tallies = await store.tallyLiveAccessTokensOfUser(user.id, tx.now);
  const liveOf = new Map(tallies.map((tally) => [tally.sessionId, { count: tally.count, latestExpiresAt: tally.latestExpiresAt }]));
  for (const session of await store.listActiveSessionsOfUser(user.id, tx.now)) {
    const result = await revokeSession(ctx, tx, session, actor, reason, cause, false, 'emit', liveOf.get(session.id) ?? { count: 0, latestExpiresAt: null });
    killed.sessionIds.push(...result.sessionIds);
    killed.refreshTokens += result.refreshTokens;
  }
  killed.refreshTokens += await store.revokeRefreshTokensOfUser(user.id, tx.now);
  // The hosted page's browser sessions too: the next visit asks for the password again.
  await closeBrowserSessionsOfUser(ctx, tx, user.id, actor, reason, cause);
  killed.accessTokens = tallies.reduce((sum, tally) => sum + tally.count, 0);
  const notBefore = tx.now + 1;
  const refreshVersion = user.refreshVersion + 1;
  await store.updateUser(user.id, { notBefore, refreshVersion });
  killed.feedEventId = await tx.revoke({ kind: 'user', subject: user.id, userId: user.id, notBefore, expiresAt: null, actor, reason });
  await linkBackchannelLogouts(ctx, killed.sessionIds, killed.feedEventId);
  await tx.emit({
    type: 'user.forced_out',
    actor,
    userId: user.id,
    reason,
    data: { cause, notBefore, refreshVersion, sessionIds: killed.sessionIds, accessTokensKilled: killed.accessTokens, feedEventId: killed.feedEventId },
  });
  return killed;
}

export function maxExpiry(tokens: { expiresAt: number }[]): number | undefined {
  let max: number | undefined;
  for (const token of tokens) if (max === undefined || token.expiresAt > max) max = token.expiresAt;
  return max;
}
