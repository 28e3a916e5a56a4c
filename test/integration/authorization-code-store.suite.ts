/**
 * The behavioural suite every `AuthorizationCodeStore` must pass (store.authorizationCodes). `open()` gives a
 * fresh, empty store; `reopen` (file stores) the same data after a close.
 */
import type { StoreHarness } from '../helpers/every-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizationCodeRow } from '../../src/main/store/authorization-code-store';
import type { NewClientRow, SessionRow, Store } from '../../src/main/store/store';
import { WardenError } from '../../src/shared/errors';

export type CodeStoreHarness = StoreHarness;

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const CLIENT: NewClientRow = {
  clientId: 'web', kind: 'public', name: 'Web app', secretHash: null, createdAt: T0,
  redirectUris: ['https://app.example/callback'], postLogoutRedirectUris: [], backchannelLogoutUri: null,
  grantTypes: ['authorization_code', 'refresh_token'], idTokenSignedResponseAlg: 'RS256', updatedAt: null,
};
const hash = (n: number) => n.toString(16).padStart(64, '0');

const code = (n: number, over: Partial<AuthorizationCodeRow> = {}): AuthorizationCodeRow => ({
  codeHash: hash(n), clientId: 'web', userId: 'usr_1', browserSessionId: 'bro_1', redirectUri: CLIENT.redirectUris[0]!,
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', scope: 'openid', nonce: 'n-1', authTime: T0 - 5000,
  createdAt: T0, expiresAt: T0 + 60_000, usedAt: null, sessionId: null, keptUntil: T0 + 3_660_000, ...over,
});

const session = (id: string): SessionRow => ({
  id, userId: 'usr_1', clientId: 'web', deviceName: 'Chrome on Linux', userAgent: 'Chrome', ip: '127.0.0.1', rememberMe: false,
  scope: 'openid', createdAt: T0, lastActivityAt: T0, idleExpiresAt: T0 + 7_200_000, absoluteExpiresAt: T0 + 43_200_000,
  revokedAt: null, revokedBy: null, revokeReason: null, refreshCount: 0, browserSessionId: 'bro_1', refreshEndedAt: null,
});

export function codeStoreSuite(label: string, open: () => Promise<CodeStoreHarness>, persistent: boolean): void {
  describe(`AuthorizationCodeStore contract: ${label}`, () => {
    let h: CodeStoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await open();
      store = h.store;
      await store.insertUser({ id: 'usr_1', username: 'ana', passwordHash: 'x', status: 'active', createdAt: T0, refreshVersion: 1, notBefore: null, blockedAt: null, blockedReason: null, failedLogins: 0, lockedUntil: null, lastLoginAt: null });
      await store.insertClient(CLIENT);
      await store.browserSessions.insert({ id: 'bro_1', cookieHash: hash(999), userId: 'usr_1', rememberMe: false, ip: '127.0.0.1', userAgent: 'Chrome', createdAt: T0, authTime: T0, lastSeenAt: T0, expiresAt: T0 + 43_200_000, revokedAt: null, revokedBy: null, revokeReason: null });
      await store.insertSession(session('ses_1'));
      await store.insertSession(session('ses_2'));
    });
    afterEach(() => h.cleanup());

    it('keeps a row under its hash and gives it back as written', async () => {
      await store.authorizationCodes.insert(code(1));
      await store.authorizationCodes.insert(code(2, { nonce: null }));
      expect(await store.authorizationCodes.get(hash(1))).toEqual(code(1));
      expect(await store.authorizationCodes.get(hash(2))).toEqual(code(2, { nonce: null }));
      expect(await store.authorizationCodes.get(hash(3))).toBeUndefined();
    });

    it('refuses anything but a SHA-256 hex as the key, a second row under one hash, and rows naming unknown clients', async () => {
      await expect(() => store.authorizationCodes.insert(code(1, { codeHash: 'the-raw-code-itself-must-never-be-stored-here-xxxxxxxxxxxxxxxxxx' }))).rejects.toThrow(TypeError);
      await store.authorizationCodes.insert(code(1));
      await expect(() => store.authorizationCodes.insert(code(1))).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
      let error: unknown;
      try {
        await store.authorizationCodes.insert(code(2, { clientId: 'nobody' }));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(WardenError);
      expect((error as WardenError).code).toBe('not_found');
    });

    it('marks a code used once (compare-and-set), links its session and keeps the record at least as long as asked', async () => {
      await store.authorizationCodes.insert(code(1));
      expect(await store.authorizationCodes.markUsed(hash(1), T0 + 1000, 'ses_1', T0 + 43_200_000)).toBe(true);
      expect(await store.authorizationCodes.markUsed(hash(1), T0 + 2000, 'ses_2', T0 + 99_000_000)).toBe(false);
      expect(await store.authorizationCodes.get(hash(1))).toEqual(code(1, { usedAt: T0 + 1000, sessionId: 'ses_1', keptUntil: T0 + 43_200_000 }));
      expect(await store.authorizationCodes.getBySession('ses_1')).toEqual(code(1, { usedAt: T0 + 1000, sessionId: 'ses_1', keptUntil: T0 + 43_200_000 }));
      expect(await store.authorizationCodes.getBySession('ses_2')).toBeUndefined();
      // Never shortened: a session shorter than the code's own record keeps the record's time.
      await store.authorizationCodes.insert(code(2));
      await store.authorizationCodes.markUsed(hash(2), T0 + 1000, 'ses_2', T0 + 1);
      expect((await store.authorizationCodes.get(hash(2)))?.keptUntil).toBe(code(2).keptUntil);
      expect(await store.authorizationCodes.markUsed(hash(3), T0, 'ses_1', T0)).toBe(false);
    });

    it('purges only the rows kept until before the instant given', async () => {
      await store.authorizationCodes.insert(code(1, { keptUntil: T0 + 10 }));
      await store.authorizationCodes.insert(code(2, { keptUntil: T0 + 20 }));
      expect(await store.authorizationCodes.purge(T0 + 20)).toBe(1);
      expect(await store.authorizationCodes.get(hash(1))).toBeUndefined();
      expect(await store.authorizationCodes.get(hash(2))).toBeDefined();
      expect(await store.authorizationCodes.purge(T0 + 20)).toBe(0);
    });

    it.skipIf(!persistent)('a used code is still known as used after a restart', async () => {
      await store.authorizationCodes.insert(code(1));
      await store.authorizationCodes.markUsed(hash(1), T0 + 1000, 'ses_1', T0 + 43_200_000);
      store = await h.reopen!();
      expect(await store.authorizationCodes.get(hash(1))).toMatchObject({ usedAt: T0 + 1000, sessionId: 'ses_1' });
      expect(await store.authorizationCodes.markUsed(hash(1), T0 + 2000, 'ses_1', T0)).toBe(false);
    });
  });
}
