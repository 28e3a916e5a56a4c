/**
 * The revocation primitives every admin action, the session limit and reuse detection are built from.
 * Each runs inside a caller's `ctx.run()` transaction and records what it killed.
 */
import type { LiveAccessTokenTally, SessionRow, UserRow } from '../store/store';
import { enqueueBackchannelLogout } from './backchannel';
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
): Promise<Killed> {
  return (await revokeSessions(ctx, tx, [session], actor, reason, cause, publish, record))[0] ?? nothingKilled();
}

/**
 * revokeSession for several sessions at once: the same rows, feed entries, back-channel logouts and events, in
 * the order given, but written together (Store.revokeSessions) and their live tokens read together. What each
 * revoked session killed, in order; sessions already revoked (in memory or in the store) are left out.
 */
export async function revokeSessions(
  ctx: EngineContext,
  tx: Tx,
  sessions: SessionRow[],
  actor: string,
  reason: string | null,
  cause: RevocationCause,
  publish: boolean,
  record: 'emit' | 'announce' | 'silent' = 'emit',
): Promise<Killed[]> {
  const revoked = await markSessionsRevoked(ctx, tx, sessions, actor, reason, cause);
  if (revoked.length === 0) return [];
  const live = liveTokensBySession(await ctx.store.listLiveAccessTokensOfSessions(revoked.map(({ session }) => session.id), tx.now));
  return recordSessionsRevoked(ctx, tx, revoked, live, actor, reason, cause, { publish, record });
}

interface RevokedRow {
  session: SessionRow;
  refreshTokens: number;
}

/** The rows: those of `sessions` still open are revoked with their live refresh tokens; returned in order. */
async function markSessionsRevoked(ctx: EngineContext, tx: Tx, sessions: SessionRow[], actor: string, reason: string | null, cause: RevocationCause): Promise<RevokedRow[]> {
  const open = sessions.filter((session) => session.revokedAt === null);
  if (open.length === 0) return [];
  const revoked = new Map((await ctx.store.revokeSessions(open.map((session) => session.id), { at: tx.now, by: actor, reason: reason ?? cause }))
    .map((row) => [row.sessionId, row.refreshTokens]));
  return open.flatMap((session) => {
    const refreshTokens = revoked.get(session.id);
    return refreshTokens === undefined ? [] : [{ session, refreshTokens }];
  });
}

/**
 * What follows the rows, per revoked session: its feed entry (`publish`), its back-channel logout (linked to that
 * entry, or to `backchannelRevocationId`: a force logout's one user-level entry) and its event (`record`).
 */
async function recordSessionsRevoked(
  ctx: EngineContext,
  tx: Tx,
  revoked: RevokedRow[],
  live: ReadonlyMap<string, LiveTokens>,
  actor: string,
  reason: string | null,
  cause: RevocationCause,
  how: { publish: boolean; record: 'emit' | 'announce' | 'silent'; backchannelRevocationId?: number | null },
): Promise<Killed[]> {
  const killed: Killed[] = [];
  for (const { session, refreshTokens } of revoked) {
    const tokens = live.get(session.id) ?? NO_LIVE_TOKENS;
    const feedEventId = how.publish
      ? await tx.revoke({ kind: 'session', subject: session.id, userId: session.userId, notBefore: null, expiresAt: tokens.latestExpiresAt, actor, reason })
      : null;
    await enqueueBackchannelLogout(ctx, tx, session, feedEventId ?? how.backchannelRevocationId ?? null);
    if (how.record !== 'silent') await tx[how.record]({
      type: 'session.revoked',
      actor,
      userId: session.userId,
      sessionId: session.id,
      reason,
      data: { cause, deviceName: session.deviceName, clientId: session.clientId, accessTokensKilled: tokens.count, refreshTokensRevoked: refreshTokens, feedEventId },
    });
    killed.push({ sessionIds: [session.id], accessTokens: tokens.count, refreshTokens, feedEventId });
  }
  return killed;
}

/** A session's live access tokens as a revocation reports and publishes them. */
export interface LiveTokens {
  count: number;
  /** When the last of them expires (a session revocation's feed entry lives that long); null: none live. */
  latestExpiresAt: number | null;
}

const NO_LIVE_TOKENS: LiveTokens = { count: 0, latestExpiresAt: null };

function liveTokensBySession(tokens: { sessionId: string; expiresAt: number }[]): Map<string, LiveTokens> {
  const bySession = new Map<string, LiveTokens>();
  for (const token of tokens) {
    const seen = bySession.get(token.sessionId) ?? { count: 0, latestExpiresAt: null };
    bySession.set(token.sessionId, { count: seen.count + 1, latestExpiresAt: Math.max(seen.latestExpiresAt ?? token.expiresAt, token.expiresAt) });
  }
  return bySession;
}

/**
 * Force logout: every active session revoked, the refresh version bumped, and the user's not-before set
 * to just after now, so every access token issued until this instant is rejected wherever it is verified.
 * `prefetched`: the user's live-token tally already asked for (prefetchLiveTokens), else read here.
 */
export async function forceLogoutUser(ctx: EngineContext, tx: Tx, user: UserRow, actor: string, reason: string | null, cause: RevocationCause, prefetched?: Promise<LiveAccessTokenTally[] | undefined>): Promise<Killed> {
  const store = ctx.store;
  const killed = nothingKilled();
  // Every write first, and the live-token tally (hundreds per session after a while of refreshing; read beside
  // the transaction when prefetched) only when the receipt and the events need it.
  const revoked = await markSessionsRevoked(ctx, tx, await store.listActiveSessionsOfUser(user.id, tx.now), actor, reason, cause);
  killed.refreshTokens += await store.revokeRefreshTokensOfUser(user.id, tx.now);
  // The hosted page's browser sessions too: the next visit asks for the password again.
  await closeBrowserSessionsOfUser(ctx, tx, user.id, actor, reason, cause);
  const notBefore = tx.now + 1;
  const refreshVersion = user.refreshVersion + 1;
  await store.updateUser(user.id, { notBefore, refreshVersion });
  killed.feedEventId = await tx.revoke({ kind: 'user', subject: user.id, userId: user.id, notBefore, expiresAt: null, actor, reason });
  const tallies = (await prefetched) ?? await store.tallyLiveAccessTokensOfUser(user.id, tx.now);
  killed.accessTokens = tallies.reduce((sum, tally) => sum + tally.count, 0);
  const live = new Map(tallies.map((tally) => [tally.sessionId, { count: tally.count, latestExpiresAt: tally.latestExpiresAt }]));
  // Each session's back-channel logout goes with the one user-level feed entry (its not-before covers them all).
  for (const result of await recordSessionsRevoked(ctx, tx, revoked, live, actor, reason, cause, { publish: false, record: 'emit', backchannelRevocationId: killed.feedEventId })) {
    killed.sessionIds.push(...result.sessionIds);
    killed.refreshTokens += result.refreshTokens;
  }
  await tx.emit({
    type: 'user.forced_out',
    actor,
    userId: user.id,
    reason,
    data: { cause, notBefore, refreshVersion, sessionIds: killed.sessionIds, accessTokensKilled: killed.accessTokens, feedEventId: killed.feedEventId },
  });
  return killed;
}

/**
 * Starts reading the user's live-token tally for a force logout about to run (forceLogoutUser's `prefetched`),
 * outside its transaction: on PostgreSQL on another connection, at the same time as the transaction waits for
 * its turn and takes its locks, instead of inside it (the slowest read of a force logout, hundreds of rows per
 * session; its counts are what the receipt and the audit report, and tokens issued after it are rejected by the
 * not-before all the same). Undefined when the read fails: forceLogoutUser then reads inside.
 */
export function prefetchLiveTokens(ctx: EngineContext, userId: string): Promise<LiveAccessTokenTally[] | undefined> {
  return ctx.store.tallyLiveAccessTokensOfUser(userId, ctx.now()).catch(() => undefined);
}

export function maxExpiry(tokens: { expiresAt: number }[]): number | undefined {
  let max: number | undefined;
  for (const token of tokens) if (max === undefined || token.expiresAt > max) max = token.expiresAt;
  return max;
}
