/**
 * User management (area D): profile edits, passwords set by an admin, unlocking, deletion. Each is one audited
 * transaction with the admin as actor; see docs/users.md for what each one ends.
 */
import type { Receipt, UserDetail } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { UserProfile } from '../store/user-directory-store';
import { receipt, requireUser, type Actor } from './admin-actions';
import type { EngineContext } from './context';
import { hashPassword } from './passwords';
import { forceLogoutUser, nothingKilled } from './revoke';
import { currentFailedLogins, getUser, requireDirectoryUser } from './user-queries';

export interface UpdateUserInput {
  userId: string;
  displayName?: string | null;
  email?: string | null;
  attributes?: Record<string, string>;
}

const sameAttributes = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

export async function updateUser(ctx: EngineContext, input: UpdateUserInput, { actor }: Actor): Promise<UserDetail> {
  return ctx.run(async (tx) => {
    const user = await requireDirectoryUser(ctx, input.userId);
    const patch: Partial<UserProfile> = {};
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (input.displayName !== undefined && input.displayName !== user.displayName) {
      patch.displayName = input.displayName;
      changes.displayName = { from: user.displayName, to: input.displayName };
    }
    if (input.email !== undefined && input.email !== user.email) {
      patch.email = input.email;
      changes.email = { from: user.email, to: input.email };
    }
    if (input.attributes !== undefined && !sameAttributes(input.attributes, user.attributes)) {
      patch.attributes = input.attributes;
      changes.attributes = { from: user.attributes, to: input.attributes };
    }
    if (Object.keys(changes).length > 0) {
      await ctx.store.userDirectory.updateProfile(user.id, patch);
      await tx.emit({ type: 'user.updated', actor, userId: user.id, data: { username: user.username, changes } });
    }
    return getUser(ctx, { userId: user.id });
  });
}

export interface SetPasswordInput {
  userId: string;
  password: string;
  /** Default true: every session ends, as with force logout (whoever knew the old password is out). */
  revokeSessions?: boolean;
  reason?: string;
}

/**
 * The new password takes effect at the commit; a login whose scrypt check of the old one was still running
 * fails (login.ts compares the hash it checked with the row's). Failed logins and any lock are cleared: they
 * counted guesses at the old password.
 */
export async function setUserPassword(ctx: EngineContext, input: SetPasswordInput, { actor }: Actor): Promise<Receipt> {
  await requireUser(ctx, input.userId);
  const passwordHash = await hashPassword(input.password);
  const revokeSessions = input.revokeSessions !== false;
  const reason = input.reason ?? null;
  return ctx.run(async (tx) => {
    // Re-read: the user may have been deleted or changed while scrypt ran.
    const user = await requireUser(ctx, input.userId);
    const killed = revokeSessions ? await forceLogoutUser(ctx, tx, user, actor, reason, 'password_set') : nothingKilled();
    await ctx.store.updateUser(user.id, { passwordHash, failedLogins: 0, lockedUntil: null });
    await tx.emit({ type: 'user.password_set', actor, userId: user.id, reason, data: { username: user.username, revokeSessions, sessionsRevoked: killed.sessionIds.length, feedEventId: killed.feedEventId } });
    return receipt('setUserPassword', tx.now, actor, reason, killed);
  });
}

export async function unlockUser(ctx: EngineContext, input: { userId: string; reason?: string }, { actor }: Actor): Promise<UserDetail> {
  return ctx.run(async (tx) => {
    const user = await requireUser(ctx, input.userId);
    const failedLogins = currentFailedLogins(user, tx.now);
    const lockedUntil = user.lockedUntil !== null && user.lockedUntil > tx.now ? user.lockedUntil : null;
    // Nothing to end is not an error (two admins clicking at once), and not an audit entry either.
    if (failedLogins > 0 || user.lockedUntil !== null) {
      await ctx.store.updateUser(user.id, { failedLogins: 0, lockedUntil: null });
      await tx.emit({ type: 'user.unlocked', actor, userId: user.id, reason: input.reason ?? null, data: { username: user.username, lockedUntil, failedLogins } });
    }
    return getUser(ctx, { userId: user.id });
  });
}

/**
 * Sessions first: one user-level feed event (not-before, as force logout) that resource servers apply, each
 * session's revocation and back-channel logout on record; then the rows go. The audit keeps every entry that
 * names the user, and `user.deleted` records who they were.
 */
export async function deleteUser(ctx: EngineContext, input: { userId: string; confirm: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  const reason = input.reason ?? null;
  return ctx.run(async (tx) => {
    const user = await requireDirectoryUser(ctx, input.userId);
    if (input.confirm !== user.username) {
      throw new WardenError('invalid_input', `To delete this user, type their username (${user.username}) exactly to confirm.`);
    }
    const killed = await forceLogoutUser(ctx, tx, user, actor, reason, 'user_deleted');
    const removed = await ctx.store.userDirectory.deleteUser(user.id);
    await tx.emit({
      type: 'user.deleted',
      actor,
      userId: user.id,
      reason,
      data: { username: user.username, displayName: user.displayName, email: user.email, sessionsRevoked: killed.sessionIds.length, feedEventId: killed.feedEventId, removed },
    });
    return receipt('deleteUser', tx.now, actor, reason, killed);
  });
}
