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
export function revokeSession(
  ctx: EngineContext,
  tx: Tx,
  session: SessionRow,
  actor: string,
  reason: string | null,
  cause: RevocationCause,
  publish: boolean,
  record: 'emit' | 'announce' | 'silent' = 'emit',
): Killed {
  if (session.revokedAt !== null) return nothingKilled();
  const store = ctx.store;
  store.updateSession(session.id, { revokedAt: tx.now, revokedBy: actor, revokeReason: reason ?? cause });
  const refreshTokens = store.revokeRefreshTokensOfSession(session.id, tx.now);
  const live = store.listLiveAccessTokensOfSessions([session.id], tx.now);
  const feedEventId = publish
    ? tx.revoke({ kind: 'session', subject: session.id, userId: session.userId, notBefore: null, expiresAt: maxExpiry(live) ?? null, actor, reason })
    : null;
  enqueueBackchannelLogout(ctx, tx, session, feedEventId);
  if (record !== 'silent') tx[record]({
    type: 'session.revoked',
    actor,
    userId: session.userId,
    sessionId: session.id,
    reason,
    data: { cause, deviceName: session.deviceName, clientId: session.clientId, accessTokensKilled: live.length, refreshTokensRevoked: refreshTokens, feedEventId },
  });
  return { sessionIds: [session.id], accessTokens: live.length, refreshTokens, feedEventId };
}

/**
 * Force logout: every active session revoked, the refresh version bumped, and the user's not-before set
 * to just after now, so every access token issued until this instant is rejected wherever it is verified.
 */
export function forceLogoutUser(ctx: EngineContext, tx: Tx, user: UserRow, actor: string, reason: string | null, cause: RevocationCause): Killed {
  const store = ctx.store;
  const killed = nothingKilled();
  const liveTokens = store.listLiveAccessTokensOfUser(user.id, tx.now);
  for (const session of store.listActiveSessionsOfUser(user.id, tx.now)) {
    const result = revokeSession(ctx, tx, session, actor, reason, cause, false);
    killed.sessionIds.push(...result.sessionIds);
    killed.refreshTokens += result.refreshTokens;
  }
  killed.refreshTokens += store.revokeRefreshTokensOfUser(user.id, tx.now);
  // The hosted page's browser sessions too: the next visit asks for the password again.
  closeBrowserSessionsOfUser(ctx, tx, user.id, actor, reason, cause);
  killed.accessTokens = liveTokens.length;
  const notBefore = tx.now + 1;
  const refreshVersion = user.refreshVersion + 1;
  store.updateUser(user.id, { notBefore, refreshVersion });
  killed.feedEventId = tx.revoke({ kind: 'user', subject: user.id, userId: user.id, notBefore, expiresAt: null, actor, reason });
  linkBackchannelLogouts(ctx, killed.sessionIds, killed.feedEventId);
  tx.emit({
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
