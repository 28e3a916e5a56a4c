/**
 * The behavioural suite every `BrowserSessionStore` must pass (store.browserSessions). `open()` gives a fresh,
 * empty store; `reopen` (file stores) the same data after a close.
 */
import type { SqliteHarness } from '../helpers/sqlite-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BrowserSessionRow } from '../../src/main/store/browser-session-store';
import type { SessionRow, Store } from '../../src/main/store/store';
import { WardenError } from '../../src/shared/errors';

export type BrowserSessionStoreHarness = SqliteHarness;

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

export function browserSessionStoreSuite(label: string, open: () => BrowserSessionStoreHarness): void {
  describe(`BrowserSessionStore contract: ${label}`, () => {
    let h: BrowserSessionStoreHarness;
    let store: Store;
    beforeEach(() => {
      h = open();
      store = h.store;
      for (const [id, username] of [['usr_1', 'ana'], ['usr_2', 'ben']]) {
        store.insertUser({ id: id!, username: username!, passwordHash: 'x', status: 'active', createdAt: T0, refreshVersion: 1, notBefore: null, blockedAt: null, blockedReason: null, failedLogins: 0, lockedUntil: null, lastLoginAt: null });
      }
      store.insertClient({ clientId: 'web', kind: 'public', name: 'Web', secretHash: null, createdAt: T0, redirectUris: [], postLogoutRedirectUris: [], backchannelLogoutUri: null, grantTypes: ['authorization_code'], idTokenSignedResponseAlg: 'RS256', updatedAt: null });
    });
    afterEach(() => h.cleanup());

    it('keeps a row by id and by cookie hash, as written, across a reopen', () => {
      store.browserSessions.insert(row(1));
      store.browserSessions.insert(row(2, { rememberMe: true }));
      expect(store.browserSessions.get('bro_1')).toEqual(row(1));
      expect(store.browserSessions.getByCookieHash(hash(2))).toEqual(row(2, { rememberMe: true }));
      expect(store.browserSessions.get('bro_3')).toBeUndefined();
      expect(store.browserSessions.getByCookieHash(hash(3))).toBeUndefined();
      if (h.reopen) {
        store = h.reopen();
        expect(store.browserSessions.get('bro_2')).toEqual(row(2, { rememberMe: true }));
      }
    });

    it('refuses anything but a SHA-256 hex as the cookie hash (a raw cookie never reaches storage), and duplicates', () => {
      expect(() => store.browserSessions.insert(row(1, { cookieHash: 'A'.repeat(43) }))).toThrow(TypeError);
      store.browserSessions.insert(row(1));
      expect(() => store.browserSessions.insert(row(2, { cookieHash: hash(1) }))).toThrow(WardenError);
      expect(() => store.browserSessions.insert(row(1, { cookieHash: hash(7) }))).toThrow(WardenError);
    });

    it('updates only the patchable fields; an unknown id is not_found', () => {
      store.browserSessions.insert(row(1));
      store.browserSessions.update('bro_1', { authTime: T0 + 50, lastSeenAt: T0 + 60 });
      store.browserSessions.update('bro_1', { revokedAt: T0 + 70, revokedBy: 'admin', revokeReason: 'force_logout' });
      expect(store.browserSessions.get('bro_1')).toEqual(row(1, { authTime: T0 + 50, lastSeenAt: T0 + 60, revokedAt: T0 + 70, revokedBy: 'admin', revokeReason: 'force_logout' }));
      expect(() => store.browserSessions.update('bro_1', { userId: 'usr_2' } as never)).toThrow(TypeError);
      expect(() => store.browserSessions.update('bro_9', { lastSeenAt: T0 })).toThrow(expect.objectContaining({ code: 'not_found' }));
    });

    it('lists a user\'s live ones oldest first, and all of them newest first within a limit', () => {
      store.browserSessions.insert(row(1));
      store.browserSessions.insert(row(2, { revokedAt: T0 + 10 }));
      store.browserSessions.insert(row(3, { expiresAt: T0 + 100 }));
      store.browserSessions.insert(row(4));
      store.browserSessions.insert(row(5, { userId: 'usr_2' }));
      expect(store.browserSessions.listLiveOfUser('usr_1', T0 + 100).map((r) => r.id)).toEqual(['bro_1', 'bro_4']);
      expect(store.browserSessions.listLiveOfUser('usr_1', T0 + 99).map((r) => r.id)).toEqual(['bro_1', 'bro_3', 'bro_4']);
      expect(store.browserSessions.listOfUser('usr_1', 3).map((r) => r.id)).toEqual(['bro_4', 'bro_3', 'bro_2']);
      expect(() => store.browserSessions.listOfUser('usr_1', -1)).toThrow(TypeError);
    });

    it('names the open app sessions signed in under a browser session, and no others', () => {
      store.browserSessions.insert(row(1));
      store.browserSessions.insert(row(2));
      store.insertSession(session('ses_a', 'bro_1'));
      store.insertSession(session('ses_b', 'bro_1', { revokedAt: T0 + 5, revokedBy: 'admin', revokeReason: 'admin' }));
      store.insertSession(session('ses_c', 'bro_2'));
      store.insertSession(session('ses_d', null));
      store.insertSession(session('ses_e', 'bro_1', { createdAt: T0 + 1 }));
      expect(store.browserSessions.openSessionIdsOf('bro_1')).toEqual(['ses_a', 'ses_e']);
      expect(store.browserSessions.openSessionIdsOf('bro_9')).toEqual([]);
    });
  });
}
