/**
 * The behavioural suite every `AdminStore` must pass (store.admins). `open()` gives a fresh, empty store;
 * `reopen` (file stores) the same data after a close.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdminKeyRow, AdminRow, AdminSessionRow } from '../../src/main/store/admin-store';
import type { Store } from '../../src/main/store/store';
import { WardenError } from '../../src/shared/errors';
import type { StoreHarness } from '../helpers/every-store';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const hash = (n: number) => n.toString(16).padStart(64, '0');
const admin = (n: number, over: Partial<AdminRow> = {}): AdminRow => ({
  id: `adm_${n}`, username: `admin${n}`, passwordHash: 'scrypt$x', role: 'owner', disabledAt: null, totpSecret: null, totpPendingSecret: null,
  totpLastStep: null, failedLogins: 0, lockedUntil: null, createdAt: T0 + n, lastLoginAt: null, ...over,
});
const key = (n: number, adminId: string, over: Partial<AdminKeyRow> = {}): AdminKeyRow => ({
  id: `akey_${n}`, adminId, name: `key ${n}`, keyHash: hash(n), createdAt: T0 + n, lastUsedAt: null, revokedAt: null, revokedBy: null, ...over,
});
const session = (n: number, adminId: string | null, over: Partial<AdminSessionRow> = {}): AdminSessionRow => ({
  id: `asn_${n}`, tokenHash: hash(1000 + n), adminId, actor: adminId ? `admin:${adminId}` : 'admin:bootstrap', ip: '127.0.0.1', userAgent: 'UA',
  createdAt: T0 + n, lastSeenAt: T0 + n, idleExpiresAt: T0 + 1_800_000, absoluteExpiresAt: T0 + 43_200_000, revokedAt: null, revokedBy: null,
  revokeReason: null, ...over,
});

export function adminStoreSuite(label: string, open: () => Promise<StoreHarness>): void {
  describe(`AdminStore contract: ${label}`, () => {
    let h: StoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(() => h.cleanup());

    it('keeps admins as written, finds them by username regardless of case, and refuses a duplicate name', async () => {
      await store.admins.insertAdmin(admin(1, { username: 'Olga', totpSecret: 'ABC', totpLastStep: 7 }));
      await store.admins.insertAdmin(admin(2, { role: 'viewer' }));
      const reopened = (await h.reopen?.()) ?? store;
      expect(await reopened.admins.getAdmin('adm_1')).toEqual(admin(1, { username: 'Olga', totpSecret: 'ABC', totpLastStep: 7 }));
      expect((await reopened.admins.getAdminByUsername('OLGA'))?.id).toBe('adm_1');
      expect((await reopened.admins.listAdmins()).map((row) => row.id)).toEqual(['adm_1', 'adm_2']);
      await expect(() => reopened.admins.insertAdmin(admin(3, { username: 'olga' }))).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
    });

    it('patches only the given fields, refuses unknown ones, and counts enabled owners', async () => {
      await store.admins.insertAdmin(admin(1));
      await store.admins.insertAdmin(admin(2));
      await store.admins.insertAdmin(admin(3, { role: 'operator' }));
      expect(await store.admins.countEnabledOwners()).toBe(2);
      await store.admins.updateAdmin('adm_2', { disabledAt: T0, failedLogins: 3 });
      expect(await store.admins.getAdmin('adm_2')).toEqual(admin(2, { disabledAt: T0, failedLogins: 3 }));
      expect(await store.admins.countEnabledOwners()).toBe(1);
      await expect(() => store.admins.updateAdmin('adm_9', { role: 'viewer' })).rejects.toThrow(WardenError);
      await expect(() => store.admins.updateAdmin('adm_1', { username: 'x' } as never)).rejects.toThrow(TypeError);
      await expect(() => store.admins.updateAdmin('adm_1', { role: 'root' as never })).rejects.toThrow(expect.objectContaining({ code: 'invalid_input' }));
    });

    it('keeps keys by hash only, lists them newest first, and revokes an admin\'s keys at once', async () => {
      await store.admins.insertAdmin(admin(1));
      await store.admins.insertAdmin(admin(2));
      for (const [n, owner] of [[1, 'adm_1'], [2, 'adm_1'], [3, 'adm_2']] as const) await store.admins.insertKey(key(n, owner));
      await expect(() => store.admins.insertKey(key(4, 'adm_1', { keyHash: 'twk_raw-key' }))).rejects.toThrow(TypeError);
      expect((await store.admins.getKeyByHash(hash(2)))?.id).toBe('akey_2');
      expect((await store.admins.listKeys('adm_1', 10)).map((row) => row.id)).toEqual(['akey_2', 'akey_1']);
      expect((await store.admins.listKeys(undefined, 2)).map((row) => row.id)).toEqual(['akey_3', 'akey_2']);
      await store.admins.updateKey('akey_1', { lastUsedAt: T0 + 5 });
      expect(await store.admins.revokeKeysOf('adm_1', T0 + 9, 'admin:olga')).toEqual(['akey_1', 'akey_2']);
      expect(await store.admins.revokeKeysOf('adm_1', T0 + 10, 'admin:olga')).toEqual([]);
      const reopened = (await h.reopen?.()) ?? store;
      expect(await reopened.admins.getKey('akey_1')).toEqual(key(1, 'adm_1', { lastUsedAt: T0 + 5, revokedAt: T0 + 9, revokedBy: 'admin:olga' }));
      expect((await reopened.admins.getKey('akey_3'))?.revokedAt).toBeNull();
    });

    it('lists live sessions (of one admin, of the bootstrap, of all) and purges long-ended ones', async () => {
      await store.admins.insertAdmin(admin(1));
      await store.admins.insertSession(session(1, 'adm_1'));
      await store.admins.insertSession(session(2, 'adm_1', { revokedAt: T0 + 10 }));
      await store.admins.insertSession(session(3, null));
      await store.admins.insertSession(session(4, 'adm_1', { idleExpiresAt: T0 + 100 }));
      await expect(() => store.admins.insertSession(session(5, null, { tokenHash: 'raw' }))).rejects.toThrow(TypeError);
      const now = T0 + 1000;
      expect((await store.admins.listLiveSessions('adm_1', now, 10)).map((row) => row.id)).toEqual(['asn_1']);
      expect((await store.admins.listLiveSessions(null, now, 10)).map((row) => row.id)).toEqual(['asn_3']);
      expect((await store.admins.listLiveSessions(undefined, now, 10)).map((row) => row.id)).toEqual(['asn_3', 'asn_1']);
      expect((await store.admins.getSessionByTokenHash(hash(1001)))?.id).toBe('asn_1');
      await store.admins.updateSession('asn_1', { lastSeenAt: now, idleExpiresAt: now + 1_800_000 });
      expect(await store.admins.getSession('asn_1')).toEqual(session(1, 'adm_1', { lastSeenAt: now, idleExpiresAt: now + 1_800_000 }));
      expect(await store.admins.getSessionByTokenHash(hash(1001))).toEqual(session(1, 'adm_1', { lastSeenAt: now, idleExpiresAt: now + 1_800_000 }));
      // Ended before T0 + 101: the revoked one (T0 + 10) and the idle-expired one (T0 + 100).
      expect(await store.admins.purgeSessions(T0 + 101)).toBe(2);
      expect(await store.admins.getSession('asn_2')).toBeUndefined();
      expect(await store.admins.getSession('asn_1')).toBeDefined();
    });
  });
}
