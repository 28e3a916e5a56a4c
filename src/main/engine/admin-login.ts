/**
 * Admin sign-in (area A) with the users' concurrency-safe throttle (./login.ts, ./attempt-reservations.ts):
 * an attempt reserves a slot on the admin before scrypt runs, and is admitted only while the account is not
 * locked and `recorded failures + attempts in flight < maxFailedLogins`. So however many guesses arrive at
 * once, at most `maxFailedLogins` passwords are evaluated before the lock (`loginLockSeconds`). A wrong TOTP
 * code counts as a failure too (it is a guess); a right password without a code when the account has TOTP
 * is `totp_required`: no session, no failure. The transport adds the per-address throttle.
 */
import { passwordSchema, usernameSchema } from '../../shared/admin-api';
import { displayText } from '../../shared/display-text';
import { WardenError } from '../../shared/errors';
import type { AdminRow } from '../store/admin-store';
import type { AttemptReservations } from './attempt-reservations';
import { attemptReservationsFor, underAttemptLock } from './leased-attempt-reservations';
import { actorOf, endAccessOf, requireOwnAccount } from './admins';
import { insertSession, type OpenedSession } from './admin-sessions';
import type { EngineContext, Tx } from './context';
import type { ActorContext } from './dispatch';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords';
import { matchTotp } from './totp';

export interface AdminLoginRequest {
  username: unknown;
  password: unknown;
  totp?: unknown;
  ip: string;
  userAgent: string;
}

const reservations = new WeakMap<EngineContext, AttemptReservations>();
function attemptsOf(ctx: EngineContext): AttemptReservations {
  let found = reservations.get(ctx);
  if (!found) {
    found = attemptReservationsFor(ctx.store, 'admin');
    reservations.set(ctx, found);
  }
  return found;
}

const invalid = () => new WardenError('invalid_credentials', 'The username or password is wrong.');

function activeLock(admin: AdminRow | undefined, now: number): number | null {
  return admin?.lockedUntil != null && admin.lockedUntil > now ? admin.lockedUntil : null;
}

/** Whether one more attempt on this admin fits; reads the row afresh each time it is asked. */
async function admits(ctx: EngineContext, adminId: string, inFlight: number): Promise<boolean> {
  const admin = await ctx.store.admins.getAdmin(adminId);
  if (!admin) return true;
  if (activeLock(admin, ctx.now()) !== null) return false;
  const max = ctx.settings.maxFailedLogins;
  return Math.min(admin.failedLogins, max - 1) + inFlight < max;
}

async function throttled(ctx: EngineContext, admin: AdminRow, ip: string): Promise<WardenError> {
  const now = ctx.now();
  const lockedUntil = activeLock(await ctx.store.admins.getAdmin(admin.id), now);
  await ctx.run((tx) => tx.emit({ type: 'admin.login_throttled', actor: 'anonymous', data: { adminId: admin.id, username: admin.username, ip, lockedUntil } }));
  const retryAfterSeconds = lockedUntil === null ? 1 : Math.max(1, Math.ceil((lockedUntil - now) / 1000));
  return new WardenError('login_throttled', 'Too many failed sign-ins; try again later.', { retryAfterSeconds });
}

async function recordFailure(ctx: EngineContext, tx: Tx, found: AdminRow | undefined, username: string, ip: string, reason: string): Promise<void> {
  // Several instances: the count is read again under the admin's attempt lock (./leased-attempt-reservations.ts).
  const admin = found && await underAttemptLock(ctx.store, 'admin', found.id, found, async () => ctx.store.admins.getAdmin(found.id));
  if (!admin) {
    await tx.emit({ type: 'admin.login_failed', actor: 'anonymous', data: { username, ip, reason } });
    return;
  }
  const failedLogins = admin.failedLogins + 1;
  const locks = failedLogins >= ctx.settings.maxFailedLogins;
  const lockedUntil = locks ? tx.now + ctx.settings.loginLockSeconds * 1000 : admin.lockedUntil;
  await ctx.store.admins.updateAdmin(admin.id, { failedLogins: locks ? 0 : failedLogins, lockedUntil });
  await tx.emit({ type: 'admin.login_failed', actor: 'anonymous', data: { adminId: admin.id, username: admin.username, ip, reason, failedLogins } });
  if (locks) await tx.emit({ type: 'admin.login_throttled', actor: 'system', data: { adminId: admin.id, username: admin.username, lockedUntil, failedLogins } });
}

/** Signs a named admin in: the session to set as a cookie, or a coded error (already audited). */
export async function loginAdmin(ctx: EngineContext, request: AdminLoginRequest): Promise<OpenedSession> {
  const username = usernameSchema.safeParse(request.username);
  const password = passwordSchema.safeParse(request.password);
  const found = username.success ? await ctx.store.admins.getAdminByUsername(username.data) : undefined;
  const slot = found ? await attemptsOf(ctx).reserve(found.id, async (inFlight) => admits(ctx, found.id, inFlight)) : undefined;
  if (found && !slot) throw await throttled(ctx, found, request.ip);
  let outcome: OpenedSession | WardenError;
  try {
    // The same scrypt time whether or not the admin exists.
    const passwordOk = password.success && (await verifyPassword(password.data, found?.passwordHash ?? (await dummyPasswordHash())));
    outcome = await ctx.run(async (tx): Promise<OpenedSession | WardenError> => {
      const admin = found ? await ctx.store.admins.getAdmin(found.id) : undefined;
      const attempted = displayText(request.username, 64);
      if (!admin || !passwordOk) {
        await recordFailure(ctx, tx, admin, attempted, request.ip, 'invalid_credentials');
        return invalid();
      }
      if (admin.disabledAt !== null) {
        await tx.emit({ type: 'admin.login_failed', actor: 'anonymous', data: { adminId: admin.id, username: admin.username, ip: request.ip, reason: 'disabled' } });
        return new WardenError('unauthorized', 'This admin account is disabled.');
      }
      if (admin.totpSecret !== null) {
        if (request.totp === undefined || request.totp === null || request.totp === '') return new WardenError('totp_required', 'Enter the code from your authenticator app.');
        const step = typeof request.totp === 'string' ? matchTotp(admin.totpSecret, request.totp.trim(), tx.now, admin.totpLastStep) : null;
        if (step === null) {
          await recordFailure(ctx, tx, admin, attempted, request.ip, 'invalid_totp');
          return new WardenError('invalid_credentials', 'The authenticator code is wrong or was already used.');
        }
        await ctx.store.admins.updateAdmin(admin.id, { totpLastStep: step });
      }
      await ctx.store.admins.updateAdmin(admin.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: tx.now });
      const opened = await insertSession(ctx, tx, { ...admin, lastLoginAt: tx.now }, request);
      await tx.emit({ type: 'admin.signed_in', actor: actorOf(admin.username), data: { adminId: admin.id, sessionId: opened.session.id, method: 'password', ip: request.ip } });
      return opened;
    });
  } finally {
    // After the commit: the outcome is on record before the slot frees room for another attempt.
    slot?.release();
  }
  if (outcome instanceof WardenError) throw outcome;
  return outcome;
}

/**
 * The caller's own password, under the same throttle as sign-in (a stolen session must not become a
 * password oracle). Their other console sessions end; their API keys stay (separate credentials).
 */
export async function changeAdminPassword(ctx: EngineContext, input: { currentPassword: string; newPassword: string }, who: ActorContext): Promise<{ ok: true }> {
  const admin = await requireOwnAccount(ctx, who);
  const slot = await attemptsOf(ctx).reserve(admin.id, async (inFlight) => admits(ctx, admin.id, inFlight));
  if (!slot) throw await throttled(ctx, admin, 'console');
  try {
    const ok = await verifyPassword(input.currentPassword, admin.passwordHash);
    const passwordHash = ok ? await hashPassword(input.newPassword) : '';
    const failed = await ctx.run(async (tx) => {
      const row = await requireOwnAccount(ctx, who);
      if (!ok || row.passwordHash !== admin.passwordHash) {
        await recordFailure(ctx, tx, row, row.username, 'console', 'invalid_credentials');
        return true;
      }
      await ctx.store.admins.updateAdmin(row.id, { passwordHash, failedLogins: 0, lockedUntil: null });
      await tx.emit({ type: 'admin.password_changed', actor: who.actor, data: { adminId: row.id, username: row.username, by: 'self' } });
      await endAccessOf(ctx, tx, row.id, who.actor, 'password changed', { keys: false, exceptSessionId: who.adminSessionId ?? null });
      return false;
    });
    // Not `invalid_credentials`/401: the console would read that as "signed out".
    if (failed) throw new WardenError('invalid_input', 'The current password is wrong.');
    return { ok: true };
  } finally {
    slot.release();
  }
}
