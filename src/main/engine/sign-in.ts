/**
 * Signing in on the hosted page: the password checked under the SAME per-user throttle as the password grant
 * (./login.ts: one set of attempt reservations per engine, the same admission rule, the same failure record
 * and lock), then a browser session started or, when the browser already holds one of this user's,
 * re-authenticated. The per-address throttle is the transport's (src/main/http/address-throttle.ts), shared
 * with the token endpoint too. No app session is opened here: that happens when the app redeems its code.
 * Unlike the password grant, an unknown username locks like a real one (see UnknownName), so the page's
 * "locked" answer tells nothing about which usernames exist.
 */
import { passwordSchema, usernameSchema } from '../../shared/admin-api';
import { displayText } from '../../shared/display-text';
import { WardenError } from '../../shared/errors';
import type { BrowserSessionRow } from '../store/browser-session-store';
import { startBrowserSession } from './browser-sessions';
import type { EngineContext } from './context';
import { admitsAttempt, attemptsOf, cleanDevice, recordFailure, refuse } from './login';
import { attemptKey } from './leased-attempt-reservations';
import { dummyPasswordHash, verifyPassword } from './passwords';
import type { DeviceInfo } from './types';

const MAX_AUDITED_USERNAME = 64;
/** Unknown usernames whose failures are remembered at most (memory bound); the stalest are forgotten first. */
const MAX_UNKNOWN_NAMES = 10_000;

/**
 * Failures on usernames that do not exist, per engine, kept like a user row's count and lock. A locked
 * account is told so on the page; were unknown names never locked, "locked" would tell who exists. So an
 * unknown name locks after the same number of failures, for the same time, with the same message.
 */
interface UnknownName {
  failedLogins: number;
  lockedUntil: number | null;
}
const unknownNames = new WeakMap<EngineContext, Map<string, UnknownName>>();
function unknownOf(ctx: EngineContext): Map<string, UnknownName> {
  let names = unknownNames.get(ctx);
  if (!names) {
    names = new Map();
    unknownNames.set(ctx, names);
  }
  return names;
}

/**
 * The name's failures: the deployment's on a shared store (every instance must lock it alike, or an unknown name
 * would take N times the failures behind N instances and stand out), this engine's memory on SQLite.
 */
async function unknownEntry(ctx: EngineContext, name: string): Promise<UnknownName | undefined> {
  const shared = ctx.store.coordination.unknownNames;
  return shared ? shared.get(name) : unknownOf(ctx).get(name);
}

async function admitsUnknown(ctx: EngineContext, name: string, inFlight: number): Promise<boolean> {
  const entry = await unknownEntry(ctx, name);
  if (!entry) return inFlight < ctx.settings.maxFailedLogins;
  if (entry.lockedUntil !== null && entry.lockedUntil > ctx.now()) return false;
  const failed = entry.lockedUntil === null ? entry.failedLogins : 0;
  return Math.min(failed, ctx.settings.maxFailedLogins - 1) + inFlight < ctx.settings.maxFailedLogins;
}

/** The state after one more failure. */
function afterFailure(ctx: EngineContext, entry: UnknownName | undefined, now: number): UnknownName {
  const expired = entry?.lockedUntil != null && entry.lockedUntil <= now;
  const failedLogins = (entry && !expired ? entry.failedLogins : 0) + 1;
  const locks = failedLogins >= ctx.settings.maxFailedLogins;
  return { failedLogins: locks ? 0 : failedLogins, lockedUntil: locks ? now + ctx.settings.loginLockSeconds * 1000 : null };
}

/**
 * Inside the failure's transaction on a shared store: read and written under the name's attempt lock, so two
 * instances' failures on one name both count.
 */
async function recordSharedUnknownFailure(ctx: EngineContext, name: string, now: number): Promise<void> {
  const shared = ctx.store.coordination.unknownNames!;
  await ctx.store.coordination.attemptLeases?.lock(attemptKey('user', name));
  await shared.put(name, afterFailure(ctx, await shared.get(name), now), now);
}

function recordUnknownFailure(ctx: EngineContext, name: string, now: number): void {
  const names = unknownOf(ctx);
  const next = afterFailure(ctx, names.get(name), now);
  names.delete(name);
  names.set(name, next);
  for (const key of names.keys()) {
    if (names.size <= MAX_UNKNOWN_NAMES) break;
    names.delete(key);
  }
}

async function unknownThrottled(ctx: EngineContext, name: string): Promise<WardenError> {
  const now = ctx.now();
  const lockedUntil = (await unknownEntry(ctx, name))?.lockedUntil ?? null;
  const retryAfterSeconds = lockedUntil === null || lockedUntil <= now ? 1 : Math.max(1, Math.ceil((lockedUntil - now) / 1000));
  return new WardenError('login_throttled', 'Too many failed logins; try again later.', { retryAfterSeconds });
}

export interface SignInRequest {
  username: unknown;
  password: unknown;
  rememberMe: boolean;
  /** The app whose authorization request the page is answering (already validated by the caller). */
  clientId: string;
  device: DeviceInfo;
  /** The browser session the browser presented, if any (prompt=login, max_age: a re-authentication). */
  current?: BrowserSessionRow;
}

export interface SignedIn {
  browserSession: BrowserSessionRow;
  /** The new cookie value to set; null when the browser's own session was re-authenticated. */
  cookie: string | null;
}

/**
 * Throws WardenError: invalid_credentials (unknown user or wrong password, the same answer), login_throttled
 * (the user is locked or its attempts are used up: the password is not looked at), user_blocked (only after
 * the right password, so it tells nothing about who exists).
 */
export async function signIn(ctx: EngineContext, request: SignInRequest): Promise<SignedIn> {
  const device = cleanDevice(request.device);
  const clientId = request.clientId;
  const username = usernameSchema.safeParse(request.username);
  const password = passwordSchema.safeParse(request.password);
  const found = username.success ? await ctx.store.getUserByUsername(username.data) : undefined;
  // Keyed apart from user ids (`usr_…`), in the same reservations: concurrent guesses are bounded alike.
  // Usernames match without regard to case (users.username is COLLATE NOCASE, ASCII by usernameSchema): so do these.
  const unknownName = found ? null : `unknown:${username.success ? username.data.toLowerCase() : typeof request.username === 'string' ? request.username.slice(0, 256) : ''}`;
  const slot = found
    ? await attemptsOf(ctx).reserve(found.id, async (inFlight) => admitsAttempt(ctx, found.id, inFlight))
    : await attemptsOf(ctx).reserve(unknownName!, (inFlight) => admitsUnknown(ctx, unknownName!, inFlight));
  if (!slot) throw found ? await refuse(ctx, found.id, clientId, device) : await unknownThrottled(ctx, unknownName!);

  let outcome: SignedIn | { failed: WardenError };
  try {
    const passwordOk = password.success && (await verifyPassword(password.data, found?.passwordHash ?? (await dummyPasswordHash())));
    outcome = await ctx.run(async (tx): Promise<SignedIn | { failed: WardenError }> => {
      const user = found ? await ctx.store.getUser(found.id) : undefined;
      // A password set meanwhile (setUserPassword) makes the one checked a wrong one: it is not the current one.
      if (!user || !passwordOk || user.passwordHash !== found?.passwordHash) {
        await recordFailure(ctx, tx, user, displayText(request.username, MAX_AUDITED_USERNAME), clientId, device);
        // Memory mirrors a commit: the unknown name's count moves only once the failure is on record.
        if (unknownName !== null && ctx.store.coordination.unknownNames) await recordSharedUnknownFailure(ctx, unknownName, tx.now);
        else if (unknownName !== null) tx.afterCommit(() => recordUnknownFailure(ctx, unknownName, tx.now));
        return { failed: new WardenError('invalid_credentials', 'The username or password is wrong.') };
      }
      if (user.status === 'blocked') {
        await tx.emit({ type: 'user.login_failed', actor: `client:${clientId}`, userId: user.id, data: { reason: 'user_blocked', ip: device.ip, deviceName: device.name } });
        return { failed: new WardenError('user_blocked', 'This user is blocked.') };
      }
      await ctx.store.updateUser(user.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: tx.now });
      const current = request.current;
      if (current && current.userId === user.id && current.revokedAt === null && tx.now < current.expiresAt) {
        // The same person again (prompt=login, max_age): one browser session, a fresh auth_time.
        await ctx.store.browserSessions.update(current.id, { authTime: tx.now, lastSeenAt: tx.now });
        await tx.emit({ type: 'browser_session.started', actor: `user:${user.id}`, userId: user.id, data: { browserSessionId: current.id, clientId, reauthenticated: true, ip: device.ip } });
        return { browserSession: { ...current, authTime: tx.now, lastSeenAt: tx.now }, cookie: null };
      }
      const started = await startBrowserSession(ctx, tx, { userId: user.id, rememberMe: request.rememberMe, ip: device.ip, userAgent: device.userAgent, clientId });
      return { browserSession: started.row, cookie: started.cookie };
    });
  } finally {
    slot?.release();
  }
  if ('failed' in outcome) throw outcome.failed;
  return outcome;
}
