/**
 * What only PostgreSQL's sub-stores have to show: two connections meeting (a code used twice at once, each use in
 * its own transaction on its own connection). Their behaviour otherwise is the shared suites'
 * (test/integration/*-store.suite.ts, run on every store by onEveryStore); the outbox's two-instance claims are
 * pg-sub-stores-outbox.test.ts, the search indexes' plans pg-search-indexes.test.ts.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AuthorizationCodeRow } from '../../src/main/store/authorization-code-store';
import type { BrowserSessionRow } from '../../src/main/store/browser-session-store';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import { describePg, openTestPgStore } from '../helpers/postgres';
import { client, session, T0, user } from './pg-fixtures';

const hash = (n: number) => n.toString(16).padStart(64, '0');
const CLIENT = client('web', { grantTypes: ['authorization_code', 'refresh_token'] });
const browser = (n: number, over: Partial<BrowserSessionRow> = {}): BrowserSessionRow => ({
  id: `bro_${n}`, cookieHash: hash(n), userId: 'usr_1', rememberMe: false, ip: '127.0.0.1', userAgent: 'Chrome', createdAt: T0 + n,
  authTime: T0 + n, lastSeenAt: T0 + n, expiresAt: T0 + 43_200_000, revokedAt: null, revokedBy: null, revokeReason: null, ...over,
});
const code = (n: number, over: Partial<AuthorizationCodeRow> = {}): AuthorizationCodeRow => ({
  codeHash: hash(n), clientId: 'web', userId: 'usr_1', browserSessionId: 'bro_1', redirectUri: CLIENT.redirectUris[0]!,
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', scope: 'openid', nonce: 'n-1', authTime: T0 - 5000,
  createdAt: T0, expiresAt: T0 + 60_000, usedAt: null, sessionId: null, keptUntil: T0 + 3_660_000, ...over,
});

describePg('PostgreSQL sub-stores: two connections', () => {
  let store: PgStore;
  beforeEach(async () => {
    store = await openTestPgStore();
    await store.insertUser(user({ id: 'usr_1', username: 'ana' }));
    await store.insertClient(CLIENT);
  });
  afterEach(() => store.close());

  it('authorization codes: two transactions using one code at once on two connections: exactly one wins', async () => {
    await store.browserSessions.insert(browser(1));
    for (let n = 1; n <= 20; n += 1) {
      await store.insertSession(session({ id: `ses_${n}a`, userId: 'usr_1', clientId: 'web' }));
      await store.insertSession(session({ id: `ses_${n}b`, userId: 'usr_1', clientId: 'web' }));
      await store.authorizationCodes.insert(code(n));
    }
    for (let n = 1; n <= 20; n += 1) {
      // Both transactions are open (each on its own connection) before either uses the code: the second UPDATE
      // waits for the first's row lock, then re-reads the row and finds it used.
      let arrived = 0;
      let release!: () => void;
      const barrier = new Promise<void>((resolve) => (release = resolve));
      const use = (suffix: string) => store.transaction(async () => {
        await store.getUser('usr_1');
        arrived += 1;
        if (arrived === 2) release();
        await barrier;
        return store.authorizationCodes.markUsed(hash(n), T0 + 1, `ses_${n}${suffix}`, T0 + 5);
      });
      const results = await Promise.all([use('a'), use('b')]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const row = await store.authorizationCodes.get(hash(n));
      expect(row?.sessionId).toBe(results[0] ? `ses_${n}a` : `ses_${n}b`);
    }
  });
});
