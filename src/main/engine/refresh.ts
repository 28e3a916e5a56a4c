/**
 * The refresh grant: one-time refresh tokens rotated on every use, linked in a family (= the session).
 * Presenting a token that was already used means two parties hold it: the whole family is revoked
 * (reuse detection, RFC 9700 §4.14.2) unless the optional grace window applies (see `tryGraceRetry`).
 */
import { WardenError, type ErrorCode } from '../../shared/errors';
import type { RefreshRotation, RefreshTokenRow, SessionRow, UserRow } from '../store/store';
import type { EngineContext, EventInput, Tx } from './context';
import { describeAccess, prepareAccessToken, refreshTokenRow, tokenSet, newRefreshToken, refreshLabel, refreshTokenKey, sessionLifetimes, type UnsignedTokenSet } from './issue';
import { clientRefusal } from './client-state';
import { cleanDevice } from './login';
import { revokeSession } from './revoke';
import type { DeviceInfo, RefreshRequest } from './types';

/** The tokens are returned unsigned: the caller signs them once the transaction has committed. */
export type Outcome = { tokens: UnsignedTokenSet } | { failed: WardenError };

const fail = (code: ErrorCode, message: string): Outcome => ({ failed: new WardenError(code, message) });

/**
 * One refresh as a unit of work inside an open transaction (see EngineContext.run / runMany). Rule
 * failures come back as values, never thrown, so the reuse revocation they may carry is committed.
 */
export async function refreshUnit(ctx: EngineContext, tx: Tx, request: RefreshRequest): Promise<Outcome> {
  const device = cleanDevice(request.device);
  const hash = refreshTokenKey(request.refreshToken);
  if (hash === undefined) return fail('invalid_refresh_token', 'The refresh token is invalid.');
  const grant = await ctx.store.getRefreshGrant(hash);
  // A token presented by another client is treated as unknown: it reveals nothing and revokes nothing.
  if (!grant || grant.token.clientId !== request.clientId) return fail('invalid_refresh_token', 'The refresh token is invalid.');
  const { token: row, session, user } = grant;
  // Disabling revokes the client's sessions too; this holds for any it missed and reads truer than "revoked".
  const refusal = clientRefusal(await ctx.store.getClient(session.clientId));
  if (refusal) return { failed: refusal };
  if (session.revokedAt !== null) return fail('session_revoked', 'The session was revoked.');
  if (user.status === 'blocked') return fail('user_blocked', 'This user is blocked.');
  if (row.refreshVersion !== user.refreshVersion) return fail('refresh_version_mismatch', "The user's refresh tokens were invalidated.");
  if (row.usedAt !== null) return onReuse(ctx, tx, row, session, user, device);
  if (row.revokedAt !== null) return fail('invalid_refresh_token', 'The refresh token was revoked.');
  if (tx.now >= session.idleExpiresAt || tx.now >= session.absoluteExpiresAt) return fail('session_expired', 'The session has expired; log in again.');
  const tokens = await rotate(ctx, tx, row, session, user, device);
  return tokens ? { tokens } : raced(ctx, tx, row, session, device);
}

/** Marks `row` used and issues its successor; undefined if another request used it first (compare-and-set). */
async function rotate(ctx: EngineContext, tx: Tx, row: RefreshTokenRow, session: SessionRow, user: UserRow, device: DeviceInfo, event: 'session.refreshed' | 'refresh_token.grace_retry' = 'session.refreshed', presented?: RefreshTokenRow): Promise<UnsignedTokenSet | undefined> {
  const next = newRefreshToken(tx.now);
  const presenter = { ip: device.ip, userAgent: device.userAgent === session.userAgent ? null : device.userAgent };
  const { idleMs } = await sessionLifetimes(ctx, session.rememberMe, session.clientId);
  const refreshCount = session.refreshCount + 1;
  const idleExpiresAt = Math.min(tx.now + idleMs, session.absoluteExpiresAt);
  // The session row before its token's: the order a revocation takes them in (revokeSession: the session, then
  // its tokens), so on a shared database a rotation and a revocation of one session on two instances wait for
  // each other instead of deadlocking. If the compare-and-set below loses, the reuse that follows revokes the
  // session in this same transaction (the values written here are the winner's: same count, same instant's idle).
  // Then the compare-and-set, then (only if it won) the successor and the access token's record: one call, which
  // a store may make one round trip (PostgreSQL's rotateRefreshToken), else these calls in this order.
  const { minted: access, row: accessRow } = await prepareAccessToken(ctx, session, user, session.scope, tx.now);
  const rotation: RefreshRotation = {
    sessionId: session.id, session: { lastActivityAt: tx.now, idleExpiresAt, refreshCount }, hash: row.hash, usedAt: tx.now,
    presenter, successor: refreshTokenRow(session, user.refreshVersion, next.hash, tx.now), access: accessRow,
  };
  if (ctx.store.rotateRefreshToken) {
    if (!await ctx.store.rotateRefreshToken(rotation)) return undefined;
  } else {
    await ctx.store.updateSession(session.id, rotation.session);
    if (!await ctx.store.markRefreshTokenUsed(row.hash, tx.now, next.hash, presenter)) return undefined;
    await ctx.store.insertRefreshToken(rotation.successor);
    await ctx.store.insertAccessToken(accessRow);
  }
  tx.count('tokens_issued');
  tx.count('refreshes');
  // A routine rotation is on record in the refresh chain (the row just marked used, with its presenter); it
  // joins the audit chain only when the setting asks. A grace retry is unusual, so it is always audited.
  const routine = event === 'session.refreshed' && !ctx.settings.auditRefreshes;
  const entry: EventInput = {
    type: event,
    actor: `client:${session.clientId}`,
    userId: user.id,
    sessionId: session.id,
    data: {
      from: refreshLabel(row.hash, row.createdAt),
      to: refreshLabel(next.hash, tx.now),
      ...(presented ? { presented: refreshLabel(presented.hash, presented.createdAt) } : {}),
      ip: device.ip,
      userAgent: device.userAgent,
      // The session keeps its own name; the presenter's address and user agent are what may differ.
      deviceName: session.deviceName,
      refreshCount,
      accessToken: describeAccess(access),
    },
  };
  if (routine) tx.announce(entry);
  else await tx.emit(entry);
  return tokenSet(access, next.token, session, tx.now);
}

async function onReuse(ctx: EngineContext, tx: Tx, row: RefreshTokenRow, session: SessionRow, user: UserRow, device: DeviceInfo): Promise<Outcome> {
  const successor = row.successorHash ? await ctx.store.getRefreshToken(row.successorHash) : undefined;
  const retried = await tryGraceRetry(ctx, tx, row, successor, session, user, device);
  if (retried) return { tokens: retried };
  tx.count('reuse_alerts');
  await tx.emit({
    type: 'refresh_token.reused',
    actor: 'system',
    userId: session.userId,
    sessionId: session.id,
    reason: 'A rotated refresh token was presented again: two parties hold this session.',
    data: {
      presented: { id: refreshLabel(row.hash, row.createdAt), createdAt: row.createdAt, usedAt: row.usedAt, presentedAt: tx.now, ip: device.ip, userAgent: device.userAgent, deviceName: device.name },
      successor: successor ? { id: refreshLabel(successor.hash, successor.createdAt), createdAt: successor.createdAt, usedAt: successor.usedAt } : null,
      session: { deviceName: session.deviceName, ip: session.ip, userAgent: session.userAgent, clientId: session.clientId },
      withinGraceWindow: ctx.settings.reuseGraceSeconds > 0 && row.usedAt !== null && tx.now - row.usedAt <= ctx.settings.reuseGraceSeconds * 1000,
    },
  });
  await revokeSession(ctx, tx, session, 'system', 'refresh token reuse detected', 'reuse', true);
  return fail('refresh_token_reused', 'This refresh token was already used; the session has been revoked.');
}

/**
 * The grace window (off by default). Within `reuseGraceSeconds` after a token was rotated, presenting it
 * again is taken for a client that lost the response — once, and only while the successor it was rotated
 * into has never been used. The unseen successor is then rotated instead (it dies, a fresh pair is returned).
 * A second retry, a retry after the successor was used, or any retry after the window revokes the session.
 */
async function tryGraceRetry(ctx: EngineContext, tx: Tx, row: RefreshTokenRow, successor: RefreshTokenRow | undefined, session: SessionRow, user: UserRow, device: DeviceInfo): Promise<UnsignedTokenSet | undefined> {
  const graceMs = ctx.settings.reuseGraceSeconds * 1000;
  if (graceMs === 0 || row.usedAt === null || tx.now - row.usedAt > graceMs) return undefined;
  // A token that was itself superseded by a grace retry (revoked) never gets one: its holder never received it.
  if (row.revokedAt !== null || !successor || successor.usedAt !== null || successor.revokedAt !== null) return undefined;
  if (tx.now >= session.idleExpiresAt || tx.now >= session.absoluteExpiresAt) return undefined;
  const tokens = await rotate(ctx, tx, successor, session, user, device, 'refresh_token.grace_retry', row);
  if (tokens) await ctx.store.revokeRefreshToken(successor.hash, tx.now);
  return tokens;
}

/** Lost the compare-and-set: someone used the token between our read and our write. That is reuse too. */
async function raced(ctx: EngineContext, tx: Tx, row: RefreshTokenRow, session: SessionRow, device: DeviceInfo): Promise<Outcome> {
  const fresh = await ctx.store.getRefreshToken(row.hash) ?? row;
  const user = await ctx.store.getUser(row.userId);
  if (!user) return fail('invalid_refresh_token', 'The refresh token is invalid.');
  return onReuse(ctx, tx, fresh, session, user, device);
}
