/**
 * The password grant: first-party (public) clients log a user in on a device. Failed attempts are counted
 * per user; after `maxFailedLogins` the user is locked for `loginLockSeconds` and every attempt, right or
 * wrong, is refused with `login_throttled` until then. The per-user session limit applies here.
 */
import { passwordSchema, usernameSchema } from '../../shared/admin-api';
import { WardenError } from '../../shared/errors';
import type { SessionRow, UserRow } from '../store/store';
import type { EngineContext, Tx } from './context';
import { randomId } from './crypto';
import { describeAccess, mintAccessToken, mintRefreshToken, refreshLabel, signed, tokenSet, sessionLifetimes, type UnsignedTokenSet } from './issue';
import { dummyPasswordHash, verifyPassword } from './passwords';
import { revokeSession } from './revoke';
import type { DeviceInfo, LoginRequest, TokenSet } from './types';

const MAX_DEVICE_FIELD = 512;
export const DEFAULT_SCOPE = 'openid';
const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

const invalidCredentials = () => new WardenError('invalid_credentials', 'The username or password is wrong.');

export function cleanDevice(device: DeviceInfo): DeviceInfo {
  const clip = (value: unknown, fallback: string) => (typeof value === 'string' && value.trim() ? value.trim().slice(0, MAX_DEVICE_FIELD) : fallback);
  return { name: clip(device?.name, 'Unknown device'), userAgent: clip(device?.userAgent, ''), ip: clip(device?.ip, '') };
}

export function checkScope(scope: unknown): string {
  if (scope === undefined || scope === null || scope === '') return DEFAULT_SCOPE;
  if (typeof scope !== 'string' || scope.length > 1000 || !SCOPE_PATTERN.test(scope)) {
    throw new WardenError('invalid_input', 'The scope is malformed.');
  }
  return scope;
}

function requirePublicClient(ctx: EngineContext, clientId: unknown) {
  const client = typeof clientId === 'string' && clientId.length <= 64 ? ctx.store.getClient(clientId) : undefined;
  if (!client) throw new WardenError('invalid_client', 'Unknown client.');
  if (client.kind !== 'public') throw new WardenError('unauthorized_client', 'Only first-party public clients may use the password grant.');
  return client;
}

function throttleError(lockedUntil: number, now: number): WardenError {
  const retryAfterSeconds = Math.max(1, Math.ceil((lockedUntil - now) / 1000));
  return new WardenError('login_throttled', `Too many failed logins. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
}

export async function login(ctx: EngineContext, request: LoginRequest): Promise<TokenSet> {
  const client = requirePublicClient(ctx, request.clientId);
  const device = cleanDevice(request.device);
  const scope = checkScope(request.scope);
  const username = usernameSchema.safeParse(request.username);
  const password = passwordSchema.safeParse(request.password);
  const found = username.success ? ctx.store.getUserByUsername(username.data) : undefined;
  const startedAt = ctx.now();
  if (found?.lockedUntil && found.lockedUntil > startedAt) {
    ctx.run((tx) => tx.emit({ type: 'user.login_throttled', actor: `client:${client.clientId}`, userId: found.id, data: { ip: device.ip, deviceName: device.name } }));
    throw throttleError(found.lockedUntil, startedAt);
  }
  // Spend the same scrypt time whether or not the user exists.
  const passwordOk = password.success && (await verifyPassword(password.data, found?.passwordHash ?? (await dummyPasswordHash())));

  const outcome = ctx.run((tx): { tokens: UnsignedTokenSet } | { failed: WardenError } => {
    // Re-read: the row may have changed while scrypt ran.
    const user = found ? ctx.store.getUser(found.id) : undefined;
    if (!user || !passwordOk) {
      recordFailure(ctx, tx, user, typeof request.username === 'string' ? request.username.slice(0, 64) : '', client.clientId, device);
      return { failed: invalidCredentials() };
    }
    if (user.lockedUntil && user.lockedUntil > tx.now) return { failed: throttleError(user.lockedUntil, tx.now) };
    if (user.status === 'blocked') {
      tx.emit({ type: 'user.login_failed', actor: `client:${client.clientId}`, userId: user.id, data: { reason: 'user_blocked', ip: device.ip, deviceName: device.name } });
      return { failed: new WardenError('user_blocked', 'This user is blocked.') };
    }
    const limited = enforceSessionLimit(ctx, tx, user, client.clientId);
    if (limited) return { failed: limited };
    return { tokens: openSession(ctx, tx, user, client.clientId, device, request.rememberMe === true, scope) };
  });
  // Failures are committed (audited, counted) before they are reported.
  if ('failed' in outcome) throw outcome.failed;
  return signed(outcome.tokens);
}

function recordFailure(ctx: EngineContext, tx: Tx, user: UserRow | undefined, username: string, clientId: string, device: DeviceInfo): void {
  const data: Record<string, unknown> = { reason: 'invalid_credentials', username, ip: device.ip, deviceName: device.name };
  if (!user) {
    tx.emit({ type: 'user.login_failed', actor: `client:${clientId}`, data });
    return;
  }
  const failedLogins = user.failedLogins + 1;
  const locks = failedLogins >= ctx.settings.maxFailedLogins;
  const lockedUntil = locks ? tx.now + ctx.settings.loginLockSeconds * 1000 : user.lockedUntil;
  ctx.store.updateUser(user.id, { failedLogins: locks ? 0 : failedLogins, lockedUntil });
  tx.emit({ type: 'user.login_failed', actor: `client:${clientId}`, userId: user.id, data: { ...data, failedLogins } });
  if (locks) tx.emit({ type: 'user.login_throttled', actor: 'system', userId: user.id, data: { lockedUntil, failedLogins } });
}

/**
 * "Prevent simultaneous logins": with a limit of N, a new login either revokes the oldest sessions
 * (policy revoke_oldest) or is refused (policy reject).
 */
function enforceSessionLimit(ctx: EngineContext, tx: Tx, user: UserRow, clientId: string): WardenError | undefined {
  const limit = ctx.settings.sessionLimit;
  if (limit === 0) return undefined;
  const active = ctx.store.listActiveSessionsOfUser(user.id, tx.now);
  if (active.length < limit) return undefined;
  if (ctx.settings.sessionLimitPolicy === 'reject') {
    tx.emit({ type: 'user.login_failed', actor: `client:${clientId}`, userId: user.id, data: { reason: 'session_limit_reached', limit } });
    return new WardenError('session_limit_reached', `This user already has ${active.length} active sessions (limit ${limit}).`);
  }
  for (const session of active.slice(0, active.length - limit + 1)) {
    revokeSession(ctx, tx, session, 'system', `session limit of ${limit} reached`, 'session_limit', true);
  }
  return undefined;
}

function openSession(ctx: EngineContext, tx: Tx, user: UserRow, clientId: string, device: DeviceInfo, rememberMe: boolean, scope: string): UnsignedTokenSet {
  const { idleMs, absoluteMs } = sessionLifetimes(ctx, rememberMe);
  const session: SessionRow = {
    id: randomId('ses'),
    userId: user.id,
    clientId,
    deviceName: device.name,
    userAgent: device.userAgent,
    ip: device.ip,
    rememberMe,
    scope,
    createdAt: tx.now,
    lastActivityAt: tx.now,
    idleExpiresAt: tx.now + idleMs,
    absoluteExpiresAt: tx.now + absoluteMs,
    revokedAt: null,
    revokedBy: null,
    revokeReason: null,
    refreshCount: 0,
  };
  ctx.store.insertSession(session);
  ctx.store.updateUser(user.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: tx.now });
  const refresh = mintRefreshToken(ctx, tx, session, user.refreshVersion);
  const access = mintAccessToken(ctx, tx, session, user, scope);
  tx.emit({
    type: 'user.login',
    actor: `user:${user.id}`,
    userId: user.id,
    sessionId: session.id,
    data: {
      clientId,
      deviceName: device.name,
      userAgent: device.userAgent,
      ip: device.ip,
      rememberMe,
      refreshToken: refreshLabel(refresh.hash, tx.now),
      accessToken: describeAccess(access),
    },
  });
  return tokenSet(access, refresh.token, session, tx.now);
}
