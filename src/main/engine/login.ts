/**
 * The password grant: first-party (public) clients log a user in on a device. The per-user session limit
 * applies here.
 *
 * Failed attempts are counted per user (persisted on the user row); after `maxFailedLogins` the user is
 * locked for `loginLockSeconds`. An attempt counts from the moment it starts: it reserves a slot before
 * scrypt runs (see ./attempt-reservations.ts) and is admitted only while the user is not locked and
 * `recorded failures + attempts in flight < maxFailedLogins`; otherwise it waits for those in flight to
 * settle, or, when none is left that could free room, is refused with `login_throttled` without its
 * password being looked at. So at most `maxFailedLogins` wrong passwords are ever evaluated before the lock,
 * however many arrive at once, and a refusal is the same answer for a right and a wrong password. An
 * admitted attempt is judged by its password alone: a success clears the count, a failure is recorded (and
 * may lock), and only then is the slot released.
 */
import { passwordSchema, usernameSchema } from '../../shared/admin-api';
import { displayText } from '../../shared/display-text';
import { WardenError } from '../../shared/errors';
import type { SessionRow, UserRow } from '../store/store';
import { ArrivalOrder } from './arrival-order';
import type { AttemptReservations } from './attempt-reservations';
import { attemptReservationsFor, underAttemptLock } from './leased-attempt-reservations';
import type { EngineContext, Tx } from './context';
import { randomId } from './crypto';
import { clientRefusal, usableClient } from './client-state';
import { describeAccess, mintAccessToken, mintRefreshToken, refreshLabel, signed, tokenSet, sessionLifetimes, type UnsignedTokenSet } from './issue';
import { dummyPasswordHash, verifyPassword } from './passwords';
import { revokeSession } from './revoke';
import { currentFailedLogins } from './user-queries';
import type { DeviceInfo, LoginRequest, TokenSet } from './types';

const MAX_DEVICE_FIELD = 512;
/** The longest attempted username kept in a failed-login audit entry. */
const MAX_AUDITED_USERNAME = 64;
/**
 * No scope unless the client asks for one. Scopes are passed through to the access token for resource
 * servers to interpret. `openid` brings an ID token only through the authorization code grant
 * (./authorization-codes.ts): a password-grant session has none, whatever its scope.
 */
export const DEFAULT_SCOPE = '';
const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

const invalidCredentials = () => new WardenError('invalid_credentials', 'The username or password is wrong.');
const passwordGrantRefused = () => new WardenError('unauthorized_client', 'This client may not use the password grant.');

/**
 * Attempts in flight per user, one set per engine: in memory on SQLite (one process owns a data directory),
 * leases in the database on PostgreSQL, where several instances share the users (./leased-attempt-reservations.ts).
 */
const userAttempts = new WeakMap<EngineContext, AttemptReservations>();
export function attemptsOf(ctx: EngineContext): AttemptReservations {
  let reservations = userAttempts.get(ctx);
  if (!reservations) {
    reservations = attemptReservationsFor(ctx.store, 'user');
    userAttempts.set(ctx, reservations);
  }
  return reservations;
}

/** Per engine, the order of arrivals on each username (see login). */
const arrivals = new WeakMap<EngineContext, ArrivalOrder>();
function arrivalsOf(ctx: EngineContext): ArrivalOrder {
  let order = arrivals.get(ctx);
  if (!order) {
    order = new ArrivalOrder();
    arrivals.set(ctx, order);
  }
  return order;
}

/** Device fields are client text the console shows: cleaned by the one display-text rule, then bounded. */
export function cleanDevice(device: DeviceInfo): DeviceInfo {
  const clip = (value: unknown, fallback: string) => displayText(value, MAX_DEVICE_FIELD) || fallback;
  return { name: clip(device?.name, 'Unknown device'), userAgent: clip(device?.userAgent, ''), ip: clip(device?.ip, '') };
}

/** RFC 6749 §3.3 syntax; a malformed scope is the OAuth error invalid_scope (§5.2). */
export function checkScope(scope: unknown): string {
  if (scope === undefined || scope === null || scope === '') return DEFAULT_SCOPE;
  if (typeof scope !== 'string' || scope.length > 1000 || !SCOPE_PATTERN.test(scope)) {
    throw new WardenError('invalid_scope', 'The scope is malformed.');
  }
  return scope;
}

async function requirePublicClient(ctx: EngineContext, clientId: unknown) {
  const client = usableClient(typeof clientId === 'string' && clientId.length <= 64 ? await ctx.store.getClient(clientId) : undefined);
  if (client.kind !== 'public') throw new WardenError('unauthorized_client', 'Only first-party public clients may use the password grant.');
  // A per-client permission (RFC 9700 §2.4: the password grant MUST NOT be used): off for new clients.
  if (!client.grantTypes.includes('password')) throw passwordGrantRefused();
  return client;
}

/** The message is constant: a refusal must read the same whoever is refused and whatever the password. */
function throttleError(lockedUntil: number | null, now: number): WardenError {
  const retryAfterSeconds = lockedUntil === null ? 1 : Math.max(1, Math.ceil((lockedUntil - now) / 1000));
  return new WardenError('login_throttled', 'Too many failed logins; try again later.', { retryAfterSeconds });
}

function activeLock(user: UserRow | undefined, now: number): number | null {
  return user?.lockedUntil != null && user.lockedUntil > now ? user.lockedUntil : null;
}

/** Whether one more attempt on this user fits: reads the row afresh each time it is asked. */
export async function admitsAttempt(ctx: EngineContext, userId: string, inFlight: number): Promise<boolean> {
  const user = await ctx.store.getUser(userId);
  if (!user) return true; // deleted meanwhile: the attempt fails as an unknown user
  const now = ctx.now();
  if (activeLock(user, now) !== null) return false;
  const max = ctx.settings.maxFailedLogins;
  // A count above a since-lowered limit leaves room for one attempt, whose failure then locks.
  return Math.min(currentFailedLogins(user, now), max - 1) + inFlight < max;
}

export async function login(ctx: EngineContext, request: LoginRequest): Promise<TokenSet> {
  const device = cleanDevice(request.device);
  const username = usernameSchema.safeParse(request.username);
  const password = passwordSchema.safeParse(request.password);
  // Up to asking for a slot, the attempts on one username go in the order they arrived (./arrival-order.ts).
  const arrive = async () => {
    const client = await requirePublicClient(ctx, request.clientId);
    const scope = checkScope(request.scope);
    const found = username.success ? await ctx.store.getUserByUsername(username.data) : undefined;
    // Unknown usernames have no lock to take part in; the transport's per-address throttle bounds them.
    const reserving = found ? attemptsOf(ctx).reserve(found.id, async (inFlight) => admitsAttempt(ctx, found.id, inFlight)) : undefined;
    return { client, scope, found, reserving };
  };
  const { client, scope, found, reserving } = username.success ? await arrivalsOf(ctx).inTurn(username.data.toLowerCase(), arrive) : await arrive();
  const slot = reserving ? await reserving : undefined;
  if (found && !slot) throw await refuse(ctx, found.id, client.clientId, device);

  let outcome: { tokens: UnsignedTokenSet } | { failed: WardenError };
  try {
    // Spend the same scrypt time whether or not the user exists.
    const passwordOk = password.success && (await verifyPassword(password.data, found?.passwordHash ?? (await dummyPasswordHash())));
    outcome = await ctx.run(async (tx): Promise<{ tokens: UnsignedTokenSet } | { failed: WardenError }> => {
      // The permission may have been withdrawn (updateClient) while scrypt ran: no session after that commit.
      if (!(await ctx.store.getClient(client.clientId))?.grantTypes.includes('password')) return { failed: passwordGrantRefused() };
      // Likewise disabled or deleted meanwhile (setClientDisabled revoked its sessions in its own commit).
      const refusal = clientRefusal(await ctx.store.getClient(client.clientId));
      if (refusal) return { failed: refusal };
      // Re-read: the row may have changed while scrypt ran.
      const user = found ? await ctx.store.getUser(found.id) : undefined;
      // A password set meanwhile (setUserPassword) makes the one checked a wrong one: it is not the current one.
      if (!user || !passwordOk || user.passwordHash !== found?.passwordHash) {
        await recordFailure(ctx, tx, user, displayText(request.username, MAX_AUDITED_USERNAME), client.clientId, device);
        return { failed: invalidCredentials() };
      }
      if (user.status === 'blocked') {
        await tx.emit({ type: 'user.login_failed', actor: `client:${client.clientId}`, userId: user.id, data: { reason: 'user_blocked', ip: device.ip, deviceName: device.name } });
        return { failed: new WardenError('user_blocked', 'This user is blocked.') };
      }
      const limited = await enforceSessionLimit(ctx, tx, user, client.clientId);
      if (limited) return { failed: limited };
      return { tokens: await openSession(ctx, tx, user, client.clientId, device, request.rememberMe === true, scope) };
    });
  } finally {
    // After the commit (or its failure): the outcome is on record before the slot frees room for another.
    slot?.release();
  }
  // Failures are committed (audited, counted) before they are reported.
  if ('failed' in outcome) throw outcome.failed;
  return signed(outcome.tokens);
}

/** An attempt refused before its password was looked at: audited, then the constant throttled answer. */
export async function refuse(ctx: EngineContext, userId: string, clientId: string, device: DeviceInfo): Promise<WardenError> {
  const now = ctx.now();
  const lockedUntil = activeLock(await ctx.store.getUser(userId), now);
  await ctx.run((tx) => tx.emit({ type: 'user.login_throttled', actor: `client:${clientId}`, userId, data: { ip: device.ip, deviceName: device.name, lockedUntil } }));
  return throttleError(lockedUntil, now);
}

export async function recordFailure(ctx: EngineContext, tx: Tx, found: UserRow | undefined, username: string, clientId: string, device: DeviceInfo): Promise<void> {
  const data: Record<string, unknown> = { reason: 'invalid_credentials', username, ip: device.ip, deviceName: device.name };
  // Several instances: the count is read again under the user's attempt lock, so no failure is counted from a stale value.
  const user = found && await underAttemptLock(ctx.store, 'user', found.id, found, async () => ctx.store.getUser(found.id));
  if (!user) {
    await tx.emit({ type: 'user.login_failed', actor: `client:${clientId}`, data });
    return;
  }
  // The count is kept while the lock lasts (the console shows what locked the user); a lock that has ended
  // ended its count too, and is cleared here so that the stored count is the current one again.
  const failedLogins = currentFailedLogins(user, tx.now) + 1;
  const locks = failedLogins >= ctx.settings.maxFailedLogins;
  const lockedUntil = locks ? tx.now + ctx.settings.loginLockSeconds * 1000 : null;
  await ctx.store.updateUser(user.id, { failedLogins, lockedUntil });
  await tx.emit({ type: 'user.login_failed', actor: `client:${clientId}`, userId: user.id, data: { ...data, failedLogins } });
  if (locks) await tx.emit({ type: 'user.login_throttled', actor: 'system', userId: user.id, data: { lockedUntil, failedLogins } });
}

/**
 * "Prevent simultaneous logins": with a limit of N, a new login either revokes the oldest sessions
 * (policy revoke_oldest) or is refused (policy reject).
 */
export async function enforceSessionLimit(ctx: EngineContext, tx: Tx, user: UserRow, clientId: string): Promise<WardenError | undefined> {
  const limit = ctx.settings.sessionLimit;
  if (limit === 0) return undefined;
  const active = await ctx.store.listActiveSessionsOfUser(user.id, tx.now);
  if (active.length < limit) return undefined;
  if (ctx.settings.sessionLimitPolicy === 'reject') {
    await tx.emit({ type: 'user.login_failed', actor: `client:${clientId}`, userId: user.id, data: { reason: 'session_limit_reached', limit } });
    return new WardenError('session_limit_reached', `This user already has ${active.length} active sessions (limit ${limit}).`);
  }
  for (const session of active.slice(0, active.length - limit + 1)) {
    await revokeSession(ctx, tx, session, 'system', `session limit of ${limit} reached`, 'session_limit', true);
  }
  return undefined;
}

/**
 * A new session with its first refresh and access tokens. `browserSessionId` names the hosted page's browser
 * session an authorization code came from (null for the password grant); `rememberMe` picks the lifetimes.
 */
export async function openSession(ctx: EngineContext, tx: Tx, user: UserRow, clientId: string, device: DeviceInfo, rememberMe: boolean, scope: string, browserSessionId: string | null = null): Promise<UnsignedTokenSet> {
  const { idleMs, absoluteMs } = await sessionLifetimes(ctx, rememberMe, clientId);
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
    browserSessionId,
    refreshEndedAt: null,
  };
  await ctx.store.insertSession(session);
  await ctx.store.updateUser(user.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: tx.now });
  const refresh = await mintRefreshToken(ctx, tx, session, user.refreshVersion);
  const access = await mintAccessToken(ctx, tx, session, user, scope);
  await tx.emit({
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
      ...(browserSessionId ? { browserSessionId } : {}),
      refreshToken: refreshLabel(refresh.hash, tx.now),
      accessToken: describeAccess(access),
    },
  });
  return tokenSet(access, refresh.token, session, tx.now);
}
