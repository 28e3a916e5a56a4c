/**
 * Admin API keys (area A): scripts act as a named admin with `Authorization: Bearer <key>`, like the bootstrap
 * secret. A key is 256 random bits, shown once at creation and stored as its SHA-256 (looked up by that digest,
 * so lookup timing says nothing about the key). It stops working when revoked, when its admin is disabled or
 * has their password reset. `lastUsedAt` is written at most every TOUCH_MS (a key in a loop must not turn
 * every call into a write), in a routine transaction of its own.
 */
import type { AdminKeyInfo } from '../../shared/admin-accounts';
import { WardenError } from '../../shared/errors';
import type { AdminKeyRow } from '../store/admin-store';
import { actorOf, requireAdmin } from './admins';
import { TOUCH_MS } from './admin-sessions';
import type { EngineContext } from './context';
import { randomId, randomSecret, sha256Hex } from './crypto';
import type { ActorContext } from './dispatch';

/** Recognisable in logs and secret scanners. */
export const ADMIN_KEY_PREFIX = 'twk_';
const LIST_LIMIT = 500;

async function toKeyInfo(ctx: EngineContext, row: AdminKeyRow): Promise<AdminKeyInfo> {
  return {
    keyId: row.id, adminId: row.adminId, username: (await ctx.store.admins.getAdmin(row.adminId))?.username ?? '', name: row.name,
    createdAt: row.createdAt, lastUsedAt: row.lastUsedAt, revokedAt: row.revokedAt, revokedBy: row.revokedBy,
  };
}

export async function createAdminKey(ctx: EngineContext, input: { adminId: string; name: string }, who: ActorContext): Promise<{ keyId: string; key: string }> {
  return ctx.run(async (tx) => {
    const admin = await requireAdmin(ctx, input.adminId);
    if (admin.disabledAt !== null) throw new WardenError('conflict', `${admin.username} is disabled: enable them before giving them a key.`);
    const key = `${ADMIN_KEY_PREFIX}${randomSecret()}`;
    const keyId = randomId('akey');
    await ctx.store.admins.insertKey({ id: keyId, adminId: admin.id, name: input.name, keyHash: sha256Hex(key), createdAt: tx.now, lastUsedAt: null, revokedAt: null, revokedBy: null });
    await tx.emit({ type: 'admin.key_created', actor: who.actor, data: { keyId, name: input.name, adminId: admin.id, username: admin.username } });
    return { keyId, key };
  });
}

export async function listAdminKeys(ctx: EngineContext, input: { adminId?: string }): Promise<AdminKeyInfo[]> {
  return Promise.all((await ctx.store.admins.listKeys(input.adminId, LIST_LIMIT)).map((row) => toKeyInfo(ctx, row)));
}

export async function revokeAdminKey(ctx: EngineContext, input: { keyId: string }, who: ActorContext): Promise<AdminKeyInfo> {
  return ctx.run(async (tx) => {
    const row = await ctx.store.admins.getKey(input.keyId);
    if (!row) throw new WardenError('not_found', `No admin API key ${input.keyId}.`);
    if (row.revokedAt !== null) return toKeyInfo(ctx, row);
    await ctx.store.admins.updateKey(row.id, { revokedAt: tx.now, revokedBy: who.actor });
    await tx.emit({ type: 'admin.key_revoked', actor: who.actor, data: { keyId: row.id, name: row.name, adminId: row.adminId } });
    return toKeyInfo(ctx, (await ctx.store.admins.getKey(row.id))!);
  });
}

/** The admin a key acts as, or undefined (unknown, revoked, or its admin disabled). */
export async function authenticateKey(ctx: EngineContext, key: string): Promise<ActorContext | undefined> {
  if (!key.startsWith(ADMIN_KEY_PREFIX)) return undefined;
  const row = await ctx.store.admins.getKeyByHash(sha256Hex(key));
  if (!row || row.revokedAt !== null) return undefined;
  const admin = await ctx.store.admins.getAdmin(row.adminId);
  if (!admin || admin.disabledAt !== null) return undefined;
  const now = ctx.now();
  if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_MS) await ctx.store.transaction(() => ctx.store.admins.updateKey(row.id, { lastUsedAt: now }));
  // Keys are for scripts: TOTP enrollment is a person's step, so a key is never held to it.
  return { actor: actorOf(admin.username), role: admin.role, adminId: admin.id, adminSessionId: null };
}
