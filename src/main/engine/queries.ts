/**
 * Read-only console queries. Every list pages on the server and each step is an indexed lookup, so they
 * stay fast at 100k users and 1M sessions.
 */
import type { AccessTokenRecord, AuditEntry, CantRefreshReason, KeyInfo, KeyUse, RefreshTokenRecord, SessionInfo, SessionStatus, SessionTokens, Stats, TimelineEntry } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { AccessTokenRow, AuditFilter, RefreshTokenRow, SessionRow } from '../store/store';
import type { EngineContext } from './context';
import { verifyChain } from './audit-chain';
import { timeOfId } from './crypto';
import { refreshLabel } from './issue';
import { idTokenAlgs } from './key-use';
import { judgeState } from './verify';

const DEFAULT_PAGE = 50;

/**
 * The one rule for a session's status (the store's `listSessions` filter is the same rule in SQL): revoked,
 * else expired (past either expiry), else `cant_refresh` when a refresh-version bump ended its refresh family
 * (refreshEndedAt set), else active.
 */
export function sessionStatus(session: SessionRow, now: number): SessionStatus {
  if (session.revokedAt !== null) return 'revoked';
  if (now >= session.idleExpiresAt || now >= session.absoluteExpiresAt) return 'expired';
  return session.refreshEndedAt !== null ? 'cant_refresh' : 'active';
}

const CANT_REFRESH_REASON: Record<SessionStatus, CantRefreshReason | null> = {
  active: null,
  cant_refresh: 'refresh_version_bumped',
  revoked: 'revoked',
  expired: 'expired',
};

// Users' reads (listUsers, getUser) are in ./user-queries.ts.

export function toSessionInfo(session: SessionRow, username: string, now: number): SessionInfo {
  const status = sessionStatus(session, now);
  return {
    id: session.id,
    userId: session.userId,
    username,
    clientId: session.clientId,
    deviceName: session.deviceName,
    userAgent: session.userAgent,
    ip: session.ip,
    rememberMe: session.rememberMe,
    createdAt: session.createdAt,
    lastActivityAt: session.lastActivityAt,
    idleExpiresAt: session.idleExpiresAt,
    absoluteExpiresAt: session.absoluteExpiresAt,
    status,
    canRefresh: status === 'active',
    cantRefreshReason: CANT_REFRESH_REASON[status],
    refreshEndedAt: session.refreshEndedAt,
    revokedAt: session.revokedAt,
    revokedBy: session.revokedBy,
    revokeReason: session.revokeReason,
    refreshCount: session.refreshCount,
    browserSessionId: session.browserSessionId,
  };
}

export function usernames(ctx: EngineContext) {
  const cache = new Map<string, string>();
  return async (userId: string) => {
    let name = cache.get(userId);
    if (name === undefined) {
      name = (await ctx.store.getUser(userId))?.username ?? '(deleted)';
      cache.set(userId, name);
    }
    return name;
  };
}

export async function listSessions(ctx: EngineContext, input: { userId?: string; status?: SessionStatus; offset?: number; limit?: number }) {
  const now = ctx.now();
  if (input.userId && !await ctx.store.getUser(input.userId)) throw new WardenError('not_found', `No user with id ${input.userId}.`);
  const page = await ctx.store.listSessions({ userId: input.userId, status: input.status, now, offset: input.offset ?? 0, limit: input.limit ?? DEFAULT_PAGE });
  const nameOf = usernames(ctx);
  return { items: await Promise.all(page.items.map(async (session) => toSessionInfo(session, await nameOf(session.userId), now))), total: page.total };
}

export async function accessTokenRecord(ctx: EngineContext, row: AccessTokenRow, now: number): Promise<AccessTokenRecord> {
  const key = ctx.keys.status(row.kid);
  const reason =
    key === 'revoked' ? 'revoked_kid' : await judgeState(ctx, { sub: row.userId, sid: row.sessionId, jti: row.jti, iat: Math.floor(row.issuedAt / 1000) }) ?? null;
  const expired = row.expiresAt <= now;
  return { ...row, status: reason ? 'revoked' : expired ? 'expired' : 'live', reason: reason ?? (expired ? 'expired' : null) };
}

/** Who presented a rotated token; a user agent left null on the row is the session's own. Null if not recorded. */
function presenterOf(row: RefreshTokenRow, session: SessionRow): { ip: string; userAgent: string } | null {
  return row.usedIp === null ? null : { ip: row.usedIp, userAgent: row.usedUserAgent ?? session.userAgent };
}

function refreshRecord(row: RefreshTokenRow, session: SessionRow, now: number): RefreshTokenRecord {
  const status = row.usedAt !== null ? 'rotated' : row.revokedAt !== null ? 'revoked' : sessionStatus(session, now) === 'expired' ? 'expired' : session.revokedAt !== null ? 'revoked' : 'current';
  return {
    id: refreshLabel(row.hash, row.createdAt),
    sessionId: row.sessionId,
    createdAt: row.createdAt,
    usedAt: row.usedAt,
    usedBy: presenterOf(row, session),
    successorId: row.successorHash && row.usedAt !== null ? refreshLabel(row.successorHash, row.usedAt) : null,
    refreshVersion: row.refreshVersion,
    status,
  };
}

export async function listSessionTokens(ctx: EngineContext, input: { sessionId: string }): Promise<SessionTokens> {
  const session = await ctx.store.getSession(input.sessionId);
  if (!session) throw new WardenError('not_found', `No session with id ${input.sessionId}.`);
  const now = ctx.now();
  const username = (await ctx.store.getUser(session.userId))?.username ?? '(deleted)';
  const audited = (await ctx.store.listAudit({ sessionId: session.id, limit: TIMELINE_LIMIT })).reverse();
  const chain = await ctx.store.listRefreshTokensOfSession(session.id);
  const accessTokens = await ctx.store.listAccessTokensOfSession(session.id, 200);
  return {
    session: toSessionInfo(session, username, now),
    accessTokens: await Promise.all(accessTokens.map((row) => accessTokenRecord(ctx, row, now))),
    refreshChain: chain.map((row) => refreshRecord(row, session, now)),
    timeline: withUnauditedRotations(audited, chain, accessTokens, session),
  };
}

const TIMELINE_LIMIT = 500;

/**
 * Merges into a session's audit entries the rotations that have none (routine refreshes while the
 * `auditRefreshes` setting was off), read back from the refresh chain; the newest TIMELINE_LIMIT, oldest first.
 */
function withUnauditedRotations(audited: AuditEntry[], chain: RefreshTokenRow[], accessTokens: AccessTokenRow[], session: SessionRow): TimelineEntry[] {
  const rotatedInAudit = new Set(audited.map((entry) => entry.data['from']).filter((from) => typeof from === 'string'));
  // A rotation mints one access token in the same unit of work, and its jti carries that instant (timeOrderedId).
  const mintedAt = new Map(accessTokens.map((token) => [timeOfId(token.jti), token]));
  const minted = (at: number) => {
    const token = mintedAt.get(at);
    return token ? { accessToken: { jti: token.jti, exp: token.expiresAt, kid: token.kid } } : {};
  };
  const rotations = chain.flatMap((row): TimelineEntry[] => {
    const from = refreshLabel(row.hash, row.createdAt);
    if (row.usedAt === null || row.successorHash === null || rotatedInAudit.has(from)) return [];
    const by = presenterOf(row, session);
    return [{
      seq: null,
      prevHash: null,
      hash: null,
      at: row.usedAt,
      type: 'session.refreshed',
      actor: `client:${session.clientId}`,
      userId: session.userId,
      sessionId: session.id,
      reason: null,
      data: {
        from,
        to: refreshLabel(row.successorHash, row.usedAt),
        ip: by?.ip ?? '',
        userAgent: by?.userAgent ?? session.userAgent,
        ...minted(row.usedAt),
      },
    }];
  });
  if (rotations.length === 0) return audited;
  // Stable: at equal times the audit entry (already in order) stays before the rotation read back beside it.
  const merged = [...audited, ...rotations].sort((a, b) => a.at - b.at);
  return merged.slice(-TIMELINE_LIMIT);
}

// The blast radius preview is in ./blast-radius.ts.

export async function listKeys(ctx: EngineContext): Promise<KeyInfo[]> {
  const now = ctx.now();
  const idTokens = await idTokenAlgs(ctx);
  return Promise.all((await ctx.store.listKeys()).map((row) => describeKey(ctx, row.kid, now, idTokens)));
}

export async function describeKey(ctx: EngineContext, kid: string, now = ctx.now(), known?: Awaited<ReturnType<typeof idTokenAlgs>>): Promise<KeyInfo> {
  const idTokens = known ?? await idTokenAlgs(ctx);
  const row = await ctx.store.getKey(kid);
  if (!row) throw new WardenError('key_not_found', `No signing key with kid ${kid}.`);
  const liveTokens = row.status === 'revoked' || row.status === 'retired' ? 0 : await ctx.store.countLiveAccessTokensByKid(kid, now);
  const signs: KeyUse[] = [];
  if (row.status === 'active' && row.alg === ctx.settings.signingAlg) signs.push('access_tokens');
  if (row.status === 'active' && idTokens.has(row.alg)) signs.push('id_tokens');
  return { kid: row.kid, alg: row.alg, status: row.status, createdAt: row.createdAt, retiringSince: row.retiringSince, retiresAt: row.retiresAt, revokedAt: row.revokedAt, liveTokens, signs };
}

export async function listAudit(ctx: EngineContext, input: Omit<AuditFilter, 'limit'> & { limit?: number }) {
  const limit = input.limit ?? DEFAULT_PAGE;
  const items = await ctx.store.listAudit({ ...input, limit });
  const last = items[items.length - 1];
  return { items, nextBeforeSeq: items.length === limit && last ? last.seq : null };
}

export function verifyAuditChain(ctx: EngineContext) {
  return verifyChain(ctx.store.iterateAudit(1000));
}

export async function getStats(ctx: EngineContext): Promise<Stats> {
  const now = ctx.now();
  const counters = await ctx.store.getCounters();
  const thisMinute = Math.floor(now / 60_000) * 60_000;
  const since = thisMinute - 59 * 60_000;
  const buckets = new Map((await ctx.store.listMinuteBuckets(since)).map((b) => [b.minute, b]));
  const perMinute = Array.from({ length: 60 }, (_, i) => {
    const minute = since + i * 60_000;
    const bucket = buckets.get(minute);
    return { minute, issued: bucket?.issued ?? 0, refreshed: bucket?.refreshed ?? 0, revoked: bucket?.revoked ?? 0 };
  });
  return {
    users: await ctx.store.countUsers(),
    activeSessions: await ctx.store.countActiveSessions(now),
    tokensIssued: counters.tokens_issued,
    refreshes: counters.refreshes,
    revocations: counters.revocations,
    reuseAlerts: counters.reuse_alerts,
    perMinute,
  };
}
