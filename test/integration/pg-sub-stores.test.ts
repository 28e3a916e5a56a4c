/**
 * The PostgreSQL sub-stores (src/main/store/pg/pg-*-store.ts): the key cases of the shared suites
 * (test/integration/*-store.suite.ts) run asynchronously on PgStore, and one race per store where two
 * connections meet (a code used twice at once). Admins, authorization codes, browser sessions, client sessions
 * and token reach here; the outbox and the searches in pg-sub-stores-*.test.ts. A fresh database per test.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AdminKeyRow, AdminRow, AdminSessionRow } from '../../src/main/store/admin-store';
import type { AuthorizationCodeRow } from '../../src/main/store/authorization-code-store';
import type { BrowserSessionRow } from '../../src/main/store/browser-session-store';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import type { NewClientRow, SessionRow, UserRow } from '../../src/main/store/store';
import { WardenError } from '../../src/shared/errors';
import { describePg, openTestPgStore } from '../helpers/postgres';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const hash = (n: number) => n.toString(16).padStart(64, '0');
const user = (id: string, username: string): UserRow => ({
  id, username, passwordHash: 'x', status: 'active', createdAt: T0, refreshVersion: 1, notBefore: null, blockedAt: null, blockedReason: null,
  failedLogins: 0, lockedUntil: null, lastLoginAt: null,
});
const CLIENT: NewClientRow = {
  clientId: 'web', kind: 'public', name: 'Web', secretHash: null, createdAt: T0, redirectUris: ['https://app.example/callback'],
  postLogoutRedirectUris: [], backchannelLogoutUri: null, grantTypes: ['authorization_code', 'refresh_token'], idTokenSignedResponseAlg: 'RS256', updatedAt: null,
};
const session = (id: string, over: Partial<SessionRow> = {}): SessionRow => ({
  id, userId: 'usr_1', clientId: 'web', deviceName: 'Chrome on Linux', userAgent: 'Chrome', ip: '127.0.0.1', rememberMe: false, scope: 'openid',
  createdAt: T0, lastActivityAt: T0, idleExpiresAt: T0 + 7_200_000, absoluteExpiresAt: T0 + 43_200_000, revokedAt: null, revokedBy: null,
  revokeReason: null, refreshCount: 0, browserSessionId: null, refreshEndedAt: null, ...over,
});
const browser = (n: number, over: Partial<BrowserSessionRow> = {}): BrowserSessionRow => ({
  id: `bro_${n}`, cookieHash: hash(n), userId: 'usr_1', rememberMe: false, ip: '127.0.0.1', userAgent: 'Chrome', createdAt: T0 + n,
  authTime: T0 + n, lastSeenAt: T0 + n, expiresAt: T0 + 43_200_000, revokedAt: null, revokedBy: null, revokeReason: null, ...over,
});
const admin = (n: number, over: Partial<AdminRow> = {}): AdminRow => ({
  id: `adm_${n}`, username: `admin${n}`, passwordHash: 'scrypt$x', role: 'owner', disabledAt: null, totpSecret: null, totpPendingSecret: null,
  totpLastStep: null, failedLogins: 0, lockedUntil: null, createdAt: T0 + n, lastLoginAt: null, ...over,
});
const key = (n: number, adminId: string, over: Partial<AdminKeyRow> = {}): AdminKeyRow => ({
  id: `akey_${n}`, adminId, name: `key ${n}`, keyHash: hash(n), createdAt: T0 + n, lastUsedAt: null, revokedAt: null, revokedBy: null, ...over,
});
const adminSession = (n: number, adminId: string | null, over: Partial<AdminSessionRow> = {}): AdminSessionRow => ({
  id: `asn_${n}`, tokenHash: hash(1000 + n), adminId, actor: adminId ? `admin:${adminId}` : 'admin:bootstrap', ip: '127.0.0.1', userAgent: 'UA',
  createdAt: T0 + n, lastSeenAt: T0 + n, idleExpiresAt: T0 + 1_800_000, absoluteExpiresAt: T0 + 43_200_000, revokedAt: null, revokedBy: null,
  revokeReason: null, ...over,
});
const code = (n: number, over: Partial<AuthorizationCodeRow> = {}): AuthorizationCodeRow => ({
  codeHash: hash(n), clientId: 'web', userId: 'usr_1', browserSessionId: 'bro_1', redirectUri: CLIENT.redirectUris[0]!,
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', scope: 'openid', nonce: 'n-1', authTime: T0 - 5000,
  createdAt: T0, expiresAt: T0 + 60_000, usedAt: null, sessionId: null, keptUntil: T0 + 3_660_000, ...over,
});

describePg('PostgreSQL sub-stores: admins, codes, browser and client sessions, token reach', () => {
  let store: PgStore;
  beforeEach(async () => {
    store = await openTestPgStore();
    await store.insertUser(user('usr_1', 'ana'));
    await store.insertUser(user('usr_2', 'ben'));
    await store.insertClient(CLIENT);
  });
  afterEach(() => store.close());

  it('admins: kept as written, found by username regardless of case, a duplicate name refused, patches and owner counts', async () => {
    await store.admins.insertAdmin(admin(1, { username: 'Olga', totpSecret: 'ABC', totpLastStep: 7 }));
    await store.admins.insertAdmin(admin(2, { role: 'viewer' }));
    await store.admins.insertAdmin(admin(3));
    expect(await store.admins.getAdmin('adm_1')).toEqual(admin(1, { username: 'Olga', totpSecret: 'ABC', totpLastStep: 7 }));
    expect((await store.admins.getAdminByUsername('OLGA'))?.id).toBe('adm_1');
    expect((await store.admins.listAdmins()).map((row) => row.id)).toEqual(['adm_1', 'adm_2', 'adm_3']);
    await expect(store.admins.insertAdmin(admin(4, { username: 'olga' }))).rejects.toMatchObject({ code: 'conflict' });
    expect(await store.admins.countEnabledOwners()).toBe(2);
    await store.admins.updateAdmin('adm_3', { disabledAt: T0, failedLogins: 3 });
    expect(await store.admins.getAdmin('adm_3')).toEqual(admin(3, { disabledAt: T0, failedLogins: 3 }));
    expect(await store.admins.countEnabledOwners()).toBe(1);
    await expect(store.admins.updateAdmin('adm_9', { role: 'viewer' })).rejects.toBeInstanceOf(WardenError);
    await expect(store.admins.updateAdmin('adm_1', { username: 'x' } as never)).rejects.toBeInstanceOf(TypeError);
    await expect(store.admins.updateAdmin('adm_1', { role: 'root' as never })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('admins: keys by hash only, newest first, revoked at once; live sessions of one admin, the bootstrap or all; purge', async () => {
    await store.admins.insertAdmin(admin(1));
    await store.admins.insertAdmin(admin(2));
    for (const [n, owner] of [[1, 'adm_1'], [2, 'adm_1'], [3, 'adm_2']] as const) await store.admins.insertKey(key(n, owner));
    await expect(store.admins.insertKey(key(4, 'adm_1', { keyHash: 'twk_raw-key' }))).rejects.toBeInstanceOf(TypeError);
    expect((await store.admins.getKeyByHash(hash(2)))?.id).toBe('akey_2');
    expect((await store.admins.listKeys('adm_1', 10)).map((row) => row.id)).toEqual(['akey_2', 'akey_1']);
    expect((await store.admins.listKeys(undefined, 2)).map((row) => row.id)).toEqual(['akey_3', 'akey_2']);
    await store.admins.updateKey('akey_1', { lastUsedAt: T0 + 5 });
    expect(await store.admins.revokeKeysOf('adm_1', T0 + 9, 'admin:olga')).toEqual(['akey_1', 'akey_2']);
    expect(await store.admins.revokeKeysOf('adm_1', T0 + 10, 'admin:olga')).toEqual([]);
    expect(await store.admins.getKey('akey_1')).toEqual(key(1, 'adm_1', { lastUsedAt: T0 + 5, revokedAt: T0 + 9, revokedBy: 'admin:olga' }));

    await store.admins.insertSession(adminSession(1, 'adm_1'));
    await store.admins.insertSession(adminSession(2, 'adm_1', { revokedAt: T0 + 10 }));
    await store.admins.insertSession(adminSession(3, null));
    await store.admins.insertSession(adminSession(4, 'adm_1', { idleExpiresAt: T0 + 100 }));
    await expect(store.admins.insertSession(adminSession(5, null, { tokenHash: 'raw' }))).rejects.toBeInstanceOf(TypeError);
    const now = T0 + 1000;
    expect((await store.admins.listLiveSessions('adm_1', now, 10)).map((row) => row.id)).toEqual(['asn_1']);
    expect((await store.admins.listLiveSessions(null, now, 10)).map((row) => row.id)).toEqual(['asn_3']);
    expect((await store.admins.listLiveSessions(undefined, now, 10)).map((row) => row.id)).toEqual(['asn_3', 'asn_1']);
    await store.admins.updateSession('asn_1', { lastSeenAt: now, idleExpiresAt: now + 1_800_000 });
    expect(await store.admins.getSessionByTokenHash(hash(1001))).toEqual(adminSession(1, 'adm_1', { lastSeenAt: now, idleExpiresAt: now + 1_800_000 }));
    expect(await store.admins.purgeSessions(T0 + 101)).toBe(2);
    expect(await store.admins.getSession('asn_2')).toBeUndefined();
  });

  it('browser sessions: kept by id and cookie hash, hashes only, patches, live and recent lists, open app sessions', async () => {
    await expect(store.browserSessions.insert(browser(1, { cookieHash: 'A'.repeat(43) }))).rejects.toBeInstanceOf(TypeError);
    await store.browserSessions.insert(browser(1));
    await store.browserSessions.insert(browser(2, { revokedAt: T0 + 10, rememberMe: true }));
    await store.browserSessions.insert(browser(3, { expiresAt: T0 + 100 }));
    await store.browserSessions.insert(browser(4));
    await store.browserSessions.insert(browser(5, { userId: 'usr_2' }));
    await expect(store.browserSessions.insert(browser(6, { cookieHash: hash(1) }))).rejects.toMatchObject({ code: 'conflict' });
    expect(await store.browserSessions.getByCookieHash(hash(2))).toEqual(browser(2, { revokedAt: T0 + 10, rememberMe: true }));
    expect((await store.browserSessions.listLiveOfUser('usr_1', T0 + 100)).map((r) => r.id)).toEqual(['bro_1', 'bro_4']);
    expect((await store.browserSessions.listLiveOfUser('usr_1', T0 + 99)).map((r) => r.id)).toEqual(['bro_1', 'bro_3', 'bro_4']);
    expect((await store.browserSessions.listOfUser('usr_1', 3)).map((r) => r.id)).toEqual(['bro_4', 'bro_3', 'bro_2']);
    await store.browserSessions.update('bro_1', { authTime: T0 + 50, lastSeenAt: T0 + 60 });
    expect(await store.browserSessions.get('bro_1')).toEqual(browser(1, { authTime: T0 + 50, lastSeenAt: T0 + 60 }));
    await expect(store.browserSessions.update('bro_1', { userId: 'usr_2' } as never)).rejects.toBeInstanceOf(TypeError);
    await expect(store.browserSessions.update('bro_9', { lastSeenAt: T0 })).rejects.toMatchObject({ code: 'not_found' });
    await store.insertSession(session('ses_a', { browserSessionId: 'bro_1' }));
    await store.insertSession(session('ses_b', { browserSessionId: 'bro_1', revokedAt: T0 + 5, revokedBy: 'admin', revokeReason: 'admin' }));
    await store.insertSession(session('ses_c', { browserSessionId: 'bro_4' }));
    await store.insertSession(session('ses_e', { browserSessionId: 'bro_1', createdAt: T0 + 1 }));
    expect(await store.browserSessions.openSessionIdsOf('bro_1')).toEqual(['ses_a', 'ses_e']);
    await expect(store.insertSession(session('ses_x', { browserSessionId: 'bro_nope' }))).rejects.toMatchObject({ code: 'not_found' });
  });

  it('authorization codes: hashes only, one row per hash, known clients; used once, kept at least as asked; purge', async () => {
    await store.browserSessions.insert(browser(1));
    await store.insertSession(session('ses_1'));
    await store.insertSession(session('ses_2'));
    await expect(store.authorizationCodes.insert(code(1, { codeHash: 'the-raw-code' }))).rejects.toBeInstanceOf(TypeError);
    await store.authorizationCodes.insert(code(1));
    await store.authorizationCodes.insert(code(2, { nonce: null, keptUntil: T0 + 10 }));
    expect(await store.authorizationCodes.get(hash(1))).toEqual(code(1));
    await expect(store.authorizationCodes.insert(code(1))).rejects.toMatchObject({ code: 'conflict' });
    await expect(store.authorizationCodes.insert(code(3, { clientId: 'nobody' }))).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.authorizationCodes.markUsed(hash(1), T0 + 1000, 'ses_1', T0 + 43_200_000)).toBe(true);
    expect(await store.authorizationCodes.markUsed(hash(1), T0 + 2000, 'ses_2', T0 + 99_000_000)).toBe(false);
    expect(await store.authorizationCodes.getBySession('ses_1')).toEqual(code(1, { usedAt: T0 + 1000, sessionId: 'ses_1', keptUntil: T0 + 43_200_000 }));
    expect(await store.authorizationCodes.markUsed(hash(2), T0 + 1000, 'ses_2', T0 + 1)).toBe(true);
    expect((await store.authorizationCodes.get(hash(2)))?.keptUntil).toBe(T0 + 10);
    expect(await store.authorizationCodes.purge(T0 + 11)).toBe(1);
    expect(await store.authorizationCodes.get(hash(2))).toBeUndefined();
  });

  it('authorization codes: two transactions using one code at once on two connections: exactly one wins', async () => {
    await store.browserSessions.insert(browser(1));
    for (let n = 1; n <= 20; n += 1) {
      await store.insertSession(session(`ses_${n}a`));
      await store.insertSession(session(`ses_${n}b`));
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

  it('client sessions and token reach: live sessions of a client, latest to expire first; sessions carrying a key\'s live tokens', async () => {
    await store.insertClient({ ...CLIENT, clientId: 'other' });
    await store.insertSession(session('s1', { idleExpiresAt: T0 + 1000 }));
    await store.insertSession(session('s2', { idleExpiresAt: T0 + 3000 }));
    await store.insertSession(session('s3', { idleExpiresAt: T0 + 2000, revokedAt: T0, revokedBy: 'admin', revokeReason: 'x' }));
    await store.insertSession(session('s4', { idleExpiresAt: T0 + 50 }));
    await store.insertSession(session('s5', { clientId: 'other' }));
    expect(await store.clientSessions.liveSessionIdsOf('web', T0 + 100)).toEqual(['s2', 's1']);
    expect(await store.clientSessions.liveSessionIdsOf('web', T0 + 100, 1)).toEqual(['s2']);
    expect(await store.clientSessions.countLiveSessionsOf('web', T0 + 100)).toBe(2);
    expect(await store.clientSessions.countLiveSessionsOf('web', T0)).toBe(3);
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
