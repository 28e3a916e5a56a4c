/**
 * Named admins (area A): accounts with a role, a scrypt password (the users' hashing, ./passwords.ts) and an
 * optional TOTP second factor. Owners manage accounts; anyone manages their own password and TOTP. Two rules
 * hold under any interleaving because they are checked inside the transaction that changes the row:
 * - the last enabled owner can be neither disabled nor demoted (`conflict`): someone must be able to manage;
 * - disabling an admin or resetting their password ends their console sessions and revokes their API keys.
 * Every change is audited with the caller's actor (`admin:<username>`, `admin:bootstrap`, `admin:desktop`).
 */
import type { AdminInfo, SignedInAdmin } from '../../shared/admin-accounts';
import type { AdminRole } from '../../shared/admin-api';
import { WardenError } from '../../shared/errors';
import type { AdminRow } from '../store/admin-store';
import type { EngineContext, Tx } from './context';
import { randomId } from './crypto';
import type { ActorContext } from './dispatch';
import { hashPassword } from './passwords';

/** Actors the engine uses for callers without an admin row: no admin may take these usernames. */
const RESERVED_USERNAMES = new Set(['bootstrap', 'desktop', 'http', 'console', 'system']);

export const actorOf = (username: string) => `admin:${username}`;

export function toAdminInfo(row: AdminRow): AdminInfo {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: row.disabledAt !== null,
    totpEnabled: row.totpSecret !== null,
    createdAt: row.createdAt,
    lastLoginAt: row.lastLoginAt,
    failedLogins: row.failedLogins,
    lockedUntil: row.lockedUntil,
  };
}

export async function requireAdmin(ctx: EngineContext, adminId: string): Promise<AdminRow> {
  const row = await ctx.store.admins.getAdmin(adminId);
  if (!row) throw new WardenError('not_found', `No admin with id ${adminId}.`);
  return row;
}

/** The caller's own admin row; the bootstrap secret and the desktop app have none. */
export async function requireOwnAccount(ctx: EngineContext, who: ActorContext): Promise<AdminRow> {
  if (who.adminId === null) throw new WardenError('invalid_input', `${who.actor} is not a named admin account: sign in as one.`);
  return requireAdmin(ctx, who.adminId);
}

/**
 * Ends the admin's console sessions (all, or all but `exceptSessionId`) and, with `keys`, revokes their API
 * keys, inside the caller's transaction. Returns how many of each ended.
 */
export async function endAccessOf(ctx: EngineContext, tx: Tx, adminId: string, by: string, reason: string, options: { keys: boolean; exceptSessionId?: string | null }): Promise<{ sessions: number; keys: number }> {
  const store = ctx.store.admins;
  const live = (await store.listLiveSessions(adminId, tx.now, Number.MAX_SAFE_INTEGER)).filter((row) => row.id !== options.exceptSessionId);
  for (const row of live) await store.updateSession(row.id, { revokedAt: tx.now, revokedBy: by, revokeReason: reason });
  const keys = options.keys ? await store.revokeKeysOf(adminId, tx.now, by) : [];
  if (live.length > 0 || keys.length > 0) {
    await tx.emit({ type: 'admin.session_ended', actor: by, reason, data: { adminId, sessionIds: live.map((row) => row.id), keyIds: keys } });
  }
  return { sessions: live.length, keys: keys.length };
}

export async function createAdmin(ctx: EngineContext, input: { username: string; password: string; role: AdminRole }, who: ActorContext): Promise<{ id: string }> {
  const taken = () => new WardenError('conflict', `The admin username "${input.username}" is taken.`);
  if (RESERVED_USERNAMES.has(input.username.toLowerCase())) throw new WardenError('conflict', `"${input.username}" is reserved for the engine's own actors.`);
  if (await ctx.store.admins.getAdminByUsername(input.username)) throw taken();
  const passwordHash = await hashPassword(input.password);
  return ctx.run(async (tx) => {
    // Again inside the transaction: another request may have taken the name while scrypt ran.
    if (await ctx.store.admins.getAdminByUsername(input.username)) throw taken();
    const id = randomId('adm');
    await ctx.store.admins.insertAdmin({
      id, username: input.username, passwordHash, role: input.role, disabledAt: null, totpSecret: null, totpPendingSecret: null,
      totpLastStep: null, failedLogins: 0, lockedUntil: null, createdAt: tx.now, lastLoginAt: null,
    });
    await tx.emit({ type: 'admin.created', actor: who.actor, data: { adminId: id, username: input.username, role: input.role } });
    return { id };
  });
}

export async function listAdmins(ctx: EngineContext): Promise<AdminInfo[]> {
  return (await ctx.store.admins.listAdmins()).map(toAdminInfo);
}

export async function updateAdmin(ctx: EngineContext, input: { adminId: string; role?: AdminRole; disabled?: boolean }, who: ActorContext): Promise<AdminInfo> {
  return ctx.run(async (tx) => {
    const row = await requireAdmin(ctx, input.adminId);
    const role = input.role ?? row.role;
    const disabledAt = input.disabled === undefined ? row.disabledAt : input.disabled ? (row.disabledAt ?? tx.now) : null;
    const wasEnabledOwner = row.role === 'owner' && row.disabledAt === null;
    const staysEnabledOwner = role === 'owner' && disabledAt === null;
    if (wasEnabledOwner && !staysEnabledOwner && await ctx.store.admins.countEnabledOwners() <= 1) {
      throw new WardenError('conflict', `${row.username} is the last enabled owner: make another admin an owner first.`);
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (role !== row.role) changes.role = { from: row.role, to: role };
    if (disabledAt !== row.disabledAt) changes.disabled = { from: row.disabledAt !== null, to: disabledAt !== null };
    if (Object.keys(changes).length === 0) return toAdminInfo(row);
    // Re-enabling starts from a clean slate: no lock carried over from before.
    const reenabled = row.disabledAt !== null && disabledAt === null;
    await ctx.store.admins.updateAdmin(row.id, { role, disabledAt, ...(reenabled ? { failedLogins: 0, lockedUntil: null } : {}) });
    await tx.emit({ type: 'admin.updated', actor: who.actor, data: { adminId: row.id, username: row.username, changes } });
    if (row.disabledAt === null && disabledAt !== null) await endAccessOf(ctx, tx, row.id, who.actor, 'admin disabled', { keys: true });
    return toAdminInfo(await requireAdmin(ctx, row.id));
  });
}

export async function resetAdminPassword(ctx: EngineContext, input: { adminId: string; password: string }, who: ActorContext): Promise<AdminInfo> {
  await requireAdmin(ctx, input.adminId);
  const passwordHash = await hashPassword(input.password);
  return ctx.run(async (tx) => {
    const row = await requireAdmin(ctx, input.adminId);
    await ctx.store.admins.updateAdmin(row.id, { passwordHash, failedLogins: 0, lockedUntil: null });
    await tx.emit({ type: 'admin.password_changed', actor: who.actor, data: { adminId: row.id, username: row.username, by: 'reset' } });
    await endAccessOf(ctx, tx, row.id, who.actor, 'password reset', { keys: true });
    return toAdminInfo(await requireAdmin(ctx, row.id));
  });
}

export async function getSignedInAdmin(ctx: EngineContext, who: ActorContext): Promise<SignedInAdmin> {
  const row = who.adminId === null ? undefined : await ctx.store.admins.getAdmin(who.adminId);
  return {
    admin: row ? { id: row.id, username: row.username, role: row.role, totpEnabled: row.totpSecret !== null } : null,
    actor: who.actor,
    role: who.role,
    totpEnrollmentRequired: who.mustEnrollTotp === true,
  };
}

/** A refused call, audited (`admin.forbidden`) before the refusal is answered. */
export async function recordForbidden(ctx: EngineContext, who: ActorContext, method: string, needed: AdminRole | 'self'): Promise<WardenError> {
  await ctx.run((tx) => tx.emit({ type: 'admin.forbidden', actor: who.actor, data: { method, role: who.role, needed, adminId: who.adminId } }));
  return new WardenError('forbidden', `${method} needs the ${needed} role; you are signed in as ${who.role}.`);
}
