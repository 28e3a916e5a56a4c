/**
 * The behavioural suite of the two small session sub-stores (store.clientSessions, store.tokenReach): a
 * client's live sessions, latest to expire first, and the sessions carrying a signing key's live tokens.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewClientRow, SessionRow, Store } from '../../src/main/store/store';
import type { StoreHarness } from '../helpers/every-store';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const CLIENT: NewClientRow = {
  clientId: 'web', kind: 'public', name: 'Web', secretHash: null, createdAt: T0, redirectUris: ['https://app.example/callback'],
  postLogoutRedirectUris: [], backchannelLogoutUri: null, grantTypes: ['authorization_code', 'refresh_token'], idTokenSignedResponseAlg: 'RS256', updatedAt: null,
};
const session = (id: string, over: Partial<SessionRow> = {}): SessionRow => ({
  id, userId: 'usr_1', clientId: 'web', deviceName: 'Chrome on Linux', userAgent: 'Chrome', ip: '127.0.0.1', rememberMe: false, scope: 'openid',
  createdAt: T0, lastActivityAt: T0, idleExpiresAt: T0 + 7_200_000, absoluteExpiresAt: T0 + 43_200_000, revokedAt: null, revokedBy: null,
  revokeReason: null, refreshCount: 0, browserSessionId: null, refreshEndedAt: null, ...over,
});

export function clientSessionStoreSuite(label: string, open: () => Promise<StoreHarness>): void {
  describe(`ClientSessionStore and TokenReachStore contract: ${label}`, () => {
    let h: StoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await open();
      store = h.store;
      await store.insertUser({ id: 'usr_1', username: 'ana', passwordHash: 'x', status: 'active', createdAt: T0, refreshVersion: 1, notBefore: null,
        blockedAt: null, blockedReason: null, failedLogins: 0, lockedUntil: null, lastLoginAt: null });
      await store.insertClient(CLIENT);
      await store.insertClient({ ...CLIENT, clientId: 'other' });
      await store.insertSession(session('s1', { idleExpiresAt: T0 + 1000 }));
      await store.insertSession(session('s2', { idleExpiresAt: T0 + 3000 }));
      await store.insertSession(session('s3', { idleExpiresAt: T0 + 2000, revokedAt: T0, revokedBy: 'admin', revokeReason: 'x' }));
      await store.insertSession(session('s4', { idleExpiresAt: T0 + 50 }));
      await store.insertSession(session('s5', { clientId: 'other' }));
    });
    afterEach(() => h.cleanup());

    it("lists and counts a client's live sessions (not revoked, neither expiry past), latest to expire first", async () => {
      expect(await store.clientSessions.liveSessionIdsOf('web', T0 + 100)).toEqual(['s2', 's1']);
      expect(await store.clientSessions.liveSessionIdsOf('web', T0 + 100, 1)).toEqual(['s2']);
      expect(await store.clientSessions.countLiveSessionsOf('web', T0 + 100)).toBe(2);
      expect(await store.clientSessions.countLiveSessionsOf('web', T0)).toBe(3);
      expect(await store.clientSessions.liveSessionIdsOf('nobody', T0)).toEqual([]);
    });

    it("names the sessions holding a key's live access tokens, bounded, and their latest expiry", async () => {
      const token = (jti: string, sessionId: string, kid: string, expiresAt: number) =>
        store.insertAccessToken({ jti, sessionId, userId: 'usr_1', clientId: 'web', kid, issuedAt: T0, expiresAt });
      await token('j1', 's1', 'k1', T0 + 500);
      await token('j2', 's1', 'k1', T0 + 900);
      await token('j3', 's2', 'k1', T0 + 700);
      await token('j4', 's4', 'k1', T0 + 10);
      await token('j5', 's5', 'k2', T0 + 5000);
      expect((await store.tokenReach.sessionIdsWithLiveTokensOfKid('k1', T0 + 100, 10)).sort()).toEqual(['s1', 's2']);
      expect(await store.tokenReach.sessionIdsWithLiveTokensOfKid('k1', T0 + 100, 1)).toHaveLength(1);
      expect(await store.tokenReach.latestLiveExpiryOfKid('k1', T0 + 100)).toBe(T0 + 900);
      expect(await store.tokenReach.latestLiveExpiryOfKid('k1', T0 + 900)).toBeUndefined();
    });
  });
}
