/**
 * The behavioural suite every `BrowserSessionStore` must pass (store.browserSessions). `open()` gives a fresh,
 * empty store; `reopen` (file stores) the same data after a close.
 */
import type { StoreHarness } from '../helpers/every-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BrowserSessionRow } from '../../src/main/store/browser-session-store';
import type { SessionRow, Store } from '../../src/main/store/store';
import { WardenError } from '../../src/shared/errors';

export type BrowserSessionStoreHarness = StoreHarness;

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const hash = (n: number) => n.toString(16).padStart(64, '0');
const row = (n: number, over: Partial<BrowserSessionRow> = {}): BrowserSessionRow => ({
  id: `bro_${n}`, cookieHash: hash(n), userId: 'usr_1', rememberMe: false, ip: '127.0.0.1', userAgent: 'Chrome', createdAt: T0 + n,
  authTime: T0 + n, lastSeenAt: T0 + n, expiresAt: T0 + 43_200_000, revokedAt: null, revokedBy: null, revokeReason: null, ...over,
});
const session = (id: string, browserSessionId: string | null, over: Partial<SessionRow> = {}): SessionRow => ({
  id, userId: 'usr_1', clientId: 'web', deviceName: 'Chrome on Linux', userAgent: 'Chrome', ip: '127.0.0.1', rememberMe: false,
  scope: '', createdAt: T0, lastActivityAt: T0, idleExpiresAt: T0 + 7_200_000, absoluteExpiresAt: T0 + 43_200_000,
  revokedAt: null, revokedBy: null, revokeReason: null, refreshCount: 0, browserSessionId, refreshEndedAt: null, ...over,
});

export function browserSessionStoreSuite(label: string, open: () => Promise<BrowserSessionStoreHarness>): void {
  describe(`BrowserSessionStore contract: ${label}`, () => {
    let h: BrowserSessionStoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await open();
      store = h.store;
      for (const [id, username] of [['usr_1', 'ana'], ['usr_2', 'ben']]) {
        await store.insertUser({ id: id!, username: username!, passwordHash: 'x', status: 'active', createdAt: T0, refreshVersion: 1, notBefore: null, blockedAt: null, blockedReason: null, failedLogins: 0, lockedUntil: null, lastLoginAt: null });
      }
      await store.insertClient({ clientId: 'web', kind: 'public', name: 'Web', secretHash: null, createdAt: T0, redirectUris: [], postLogoutRedirectUris: [], backchannelLogoutUri: null, grantTypes: ['authorization_code'], idTokenSignedResponseAlg: 'RS256', updatedAt: null });
    });
    afterEach(() => h.cleanup());

    it('keeps a row by id and by cookie hash, as written, across a reopen', async () => {
      await store.browserSessions.insert(row(1));
      await store.browserSessions.insert(row(2, { rememberMe: true }));
      expect(await store.browserSessions.get('bro_1')).toEqual(row(1));
      expect(await store.browserSessions.getByCookieHash(hash(2))).toEqual(row(2, { rememberMe: true }));
      expect(await store.browserSessions.get('bro_3')).toBeUndefined();
      expect(await store.browserSessions.getByCookieHash(hash(3))).toBeUndefined();
      if (h.reopen) {
        store = await h.reopen();
        expect(await store.browserSessions.get('bro_2')).toEqual(row(2, { rememberMe: true }));
      }
    });

    it('refuses anything but a SHA-256 hex as the cookie hash (a raw cookie never reaches storage), and duplicates', async () => {
      await expect(() => store.browserSessions.insert(row(1, { cookieHash: 'A'.repeat(43) }))).rejects.toThrow(TypeError);
      await store.browserSessions.insert(row(1));
      await expect(() => store.browserSessions.insert(row(2, { cookieHash: hash(1) }))).rejects.toThrow(WardenError);
      await expect(() => store.browserSessions.insert(row(2, { cookieHash: hash(1) }))).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
      await expect(() => store.browserSessions.insert(row(1, { cookieHash: hash(7) }))).rejects.toThrow(WardenError);
    });

    it('updates only the patchable fields; an unknown id is not_found', async () => {
      await store.browserSessions.insert(row(1));
      await store.browserSessions.update('bro_1', { authTime: T0 + 50, lastSeenAt: T0 + 60 });
      await store.browserSessions.update('bro_1', { revokedAt: T0 + 70, revokedBy: 'admin', revokeReason: 'force_logout' });
      expect(await store.browserSessions.get('bro_1')).toEqual(row(1, { authTime: T0 + 50, lastSeenAt: T0 + 60, revokedAt: T0 + 70, revokedBy: 'admin', revokeReason: 'force_logout' }));
      await expect(() => store.browserSessions.update('bro_1', { userId: 'usr_2' } as never)).rejects.toThrow(TypeError);
      await expect(() => store.browserSessions.update('bro_9', { lastSeenAt: T0 })).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    });

    it('lists a user\'s live ones oldest first, and all of them newest first within a limit', async () => {
      await store.browserSessions.insert(row(1));
      await store.browserSessions.insert(row(2, { revokedAt: T0 + 10 }));
      await store.browserSessions.insert(row(3, { expiresAt: T0 + 100 }));
      await store.browserSessions.insert(row(4));
      await store.browserSessions.insert(row(5, { userId: 'usr_2' }));
      expect((await store.browserSessions.listLiveOfUser('usr_1', T0 + 100)).map((r) => r.id)).toEqual(['bro_1', 'bro_4']);
      expect((await store.browserSessions.listLiveOfUser('usr_1', T0 + 99)).map((r) => r.id)).toEqual(['bro_1', 'bro_3', 'bro_4']);
      expect((await store.browserSessions.listOfUser('usr_1', 3)).map((r) => r.id)).toEqual(['bro_4', 'bro_3', 'bro_2']);
      await expect(() => store.browserSessions.listOfUser('usr_1', -1)).rejects.toThrow(TypeError);
    });

    it('names the open app sessions signed in under a browser session, and no others', async () => {
      await store.browserSessions.insert(row(1));
      await store.browserSessions.insert(row(2));
      await store.insertSession(session('ses_a', 'bro_1'));
      await store.insertSession(session('ses_b', 'bro_1', { revokedAt: T0 + 5, revokedBy: 'admin', revokeReason: 'admin' }));
      await store.insertSession(session('ses_c', 'bro_2'));
      await store.insertSession(session('ses_d', null));
      await store.insertSession(session('ses_e', 'bro_1', { createdAt: T0 + 1 }));
      expect(await store.browserSessions.openSessionIdsOf('bro_1')).toEqual(['ses_a', 'ses_e']);
      expect(await store.browserSessions.openSessionIdsOf('bro_9')).toEqual([]);
      // An app session names an existing browser session or none.
      await expect(() => store.insertSession(session('ses_x', 'bro_nope'))).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    });
  });
}
