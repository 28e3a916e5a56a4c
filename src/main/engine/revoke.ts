/**
 * The revocation primitives every admin action, the session limit and reuse detection are built from.
 * Each runs inside a caller's `ctx.run()` transaction and records what it killed.
 */
import type { LiveAccessTokenTally, SessionRow, UserRow } from '../store/store';
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
  /** Of sessionIds, those a back-channel logout was queued for (their client takes them). */
  backchannelSessionIds: string[];
}

export const nothingKilled = (): Killed => ({ sessionIds: [], accessTokens: 0, refreshTokens: 0, feedEventId: null, backchannelSessionIds: [] });

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
 * the order given, but written together (Store.revokeSessions) and their live tokens read together, unless the
 * caller knows them (`knownLive`, by session id). What each revoked session killed, in order; sessions already
 * revoked (in memory or in the store) are left out.
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
  knownLive?: ReadonlyMap<string, LiveTokens>,
): Promise<Killed[]> {
  const open = sessions.filter((session) => session.revokedAt === null);
  if (open.length === 0) return [];
  const store = ctx.store;
  const revoked = new Map((await store.revokeSessions(open.map((session) => session.id), { at: tx.now, by: actor, reason: reason ?? cause }))
    .map((row) => [row.sessionId, row.refreshTokens]));
  const live = knownLive ?? liveTokensBySession(await store.listLiveAccessTokensOfSessions([...revoked.keys()], tx.now));
  const killed: Killed[] = [];
  for (const session of open) {
    const refreshTokens = revoked.get(session.id);
    if (refreshTokens === undefined) continue;
    const tokens = live.get(session.id) ?? NO_LIVE_TOKENS;
    const feedEventId = publish
      ? await tx.revoke({ kind: 'session', subject: session.id, userId: session.userId, notBefore: null, expiresAt: tokens.latestExpiresAt, actor, reason })
      : null;
    const queued = await enqueueBackchannelLogout(ctx, tx, session, feedEventId);
    if (record !== 'silent') await tx[record]({
      type: 'session.revoked',
      actor,
      userId: session.userId,
      sessionId: session.id,
      reason,
      data: { cause, deviceName: session.deviceName, clientId: session.clientId, accessTokensKilled: tokens.count, refreshTokensRevoked: refreshTokens, feedEventId },
    });
    killed.push({ sessionIds: [session.id], accessTokens: tokens.count, refreshTokens, feedEventId, backchannelSessionIds: queued ? [session.id] : [] });
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
  // One read for every session's live tokens (not one per session): hundreds each, after a while of refreshing.
  const tallies = (await prefetched) ?? await store.tallyLiveAccessTokensOfUser(user.id, tx.now);
  const liveOf = new Map(tallies.map((tally) => [tally.sessionId, { count: tally.count, latestExpiresAt: tally.latestExpiresAt }]));
  for (const result of await revokeSessions(ctx, tx, await store.listActiveSessionsOfUser(user.id, tx.now), actor, reason, cause, false, 'emit', liveOf)) {
    killed.sessionIds.push(...result.sessionIds);
    killed.backchannelSessionIds.push(...result.backchannelSessionIds);
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
  await linkBackchannelLogouts(ctx, killed.backchannelSessionIds, killed.feedEventId);
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
