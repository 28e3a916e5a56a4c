/**
 * PgStore's core rows against a real PostgreSQL (the run's throwaway cluster, a fresh database per file): the
 * semantics of SqliteStore (orderings, totals, "active at now", compare-and-set), written against the async
 * contract. The shared store suites run on PgStore too (store.test.ts and the *-store.test.ts, via onEveryStore).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import { describePg, onPgStore, openTestPgStore } from '../helpers/postgres';
import { MIN, T0, access, client, refresh, session, sha, user } from './pg-fixtures';

describePg('PgStore core rows', () => {
  let store: PgStore;
  beforeAll(async () => {
    store = await openTestPgStore();
    await store.insertClient(client('app'));
  });
  afterAll(async () => store?.close());

  it('keeps users: usernames unique regardless of case, prefix search, totals from the row counts', async () => {
    await store.insertUser(user({ id: 'u1', username: 'Alice', createdAt: T0 }));
    await store.insertUser(user({ id: 'u2', username: 'alfred', createdAt: T0 + 1 }));
    await store.insertUser(user({ id: 'u3', username: 'bob_x', createdAt: T0 + 2, status: 'blocked', blockedAt: T0 }));
    await expect(store.insertUser(user({ id: 'u4', username: 'ALICE' }))).rejects.toMatchObject({ code: 'conflict' });
    expect((await store.getUserByUsername('aLiCe'))?.id).toBe('u1');
    expect(await store.getUser('u3')).toMatchObject({ status: 'blocked', blockedAt: T0, createdAt: T0 + 2 });
    const al = await store.listUsers({ search: 'AL', offset: 0, limit: 10 });
    expect(al).toEqual({ items: [expect.objectContaining({ id: 'u2' }), expect.objectContaining({ id: 'u1' })], total: 2 });
    // LIKE wildcards in the text are literal.
    expect((await store.listUsers({ search: 'bob_', offset: 0, limit: 10 })).total).toBe(1);
    expect((await store.listUsers({ search: 'b%', offset: 0, limit: 10 })).total).toBe(0);
    expect(await store.listUsers({ status: 'blocked', offset: 0, limit: 10 })).toMatchObject({ total: 1, items: [{ id: 'u3' }] });
    expect((await store.listUsers({ status: 'active', offset: 1, limit: 1 })).total).toBe(2);
    await store.updateUser('u3', { status: 'active', blockedAt: null });
    expect((await store.listUsers({ status: 'blocked', offset: 0, limit: 10 })).total).toBe(0);
    expect(await store.countUsers()).toBe(3);
    await expect(store.updateUser('nobody', { failedLogins: 1 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.updateUser('u1', { username: 'x' } as never)).rejects.toThrow(TypeError);
  });

  it('keeps clients with their lists, patches them, and refuses unknown ones', async () => {
    await store.insertClient(client('web', { kind: 'confidential', secretHash: sha('s'), grantTypes: ['authorization_code'] }));
    await store.updateClient('web', { redirectUris: ['https://a/cb', 'https://b/cb'], disabledAt: T0, disabledReason: 'x' });
    expect(await store.getClient('web')).toMatchObject({
      kind: 'confidential', redirectUris: ['https://a/cb', 'https://b/cb'], grantTypes: ['authorization_code'],
      disabledAt: T0, deletedAt: null, accessTokenTtlSeconds: null,
    });
    expect((await store.listClients()).map((c) => c.clientId)).toEqual(['app', 'web']);
    await expect(store.updateClient('none', { name: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists sessions by status at now, with totals, most recent activity first', async () => {
    await store.insertUser(user({ id: 's-user', username: 's-user' }));
    const live = session({ id: 's-live', userId: 's-user', lastActivityAt: T0 + 3 });
    await store.insertSession(live);
    await store.insertSession(session({ id: 's-old', userId: 's-user', lastActivityAt: T0 + 1, idleExpiresAt: T0 + MIN }));
    await store.insertSession(session({ id: 's-rev', userId: 's-user', lastActivityAt: T0 + 2, revokedAt: T0, revokedBy: 'admin:a' }));
    const now = T0 + 2 * MIN;
    const ids = async (status?: 'active' | 'expired' | 'revoked' | 'cant_refresh') =>
      store.listSessions({ status, now, offset: 0, limit: 10 }).then((page) => ({ ids: page.items.map((s) => s.id), total: page.total }));
    expect(await ids()).toEqual({ ids: ['s-live', 's-rev', 's-old'], total: 3 });
    expect(await ids('active')).toEqual({ ids: ['s-live'], total: 1 });
    expect(await ids('expired')).toEqual({ ids: ['s-old'], total: 1 });
    expect(await ids('revoked')).toEqual({ ids: ['s-rev'], total: 1 });
    expect(await store.endRefreshOfUserSessions('s-user', now)).toBe(2);
    expect(await ids('cant_refresh')).toEqual({ ids: ['s-live'], total: 1 });
    expect(await ids('active')).toEqual({ ids: [], total: 0 });
    expect(await store.countActiveSessions(now)).toBe(1);
    expect(await store.countActiveSessionsOfUser('s-user', now)).toBe(1);
    await store.updateSession('s-old', { idleExpiresAt: T0 + 10 * MIN });
    expect((await store.listActiveSessionsOfUser('s-user', now)).map((s) => s.id)).toEqual(['s-live', 's-old']);
    expect((await store.listSessions({ userId: 's-user', status: 'revoked', now, offset: 0, limit: 10 })).total).toBe(1);
    expect(await store.getSession('s-live')).toEqual({ ...live, refreshEndedAt: now });
  });

  it('rotates refresh tokens with a compare-and-set and reads a grant in one lookup', async () => {
    await store.insertUser(user({ id: 'r-user', username: 'r-user' }));
    const s = session({ id: 'r-s', userId: 'r-user' });
    await store.insertSession(s);
    await store.insertRefreshToken(refresh(s, 'one'));
    await store.insertRefreshToken(refresh(s, 'two', { createdAt: T0 + 1 }));
    await expect(store.insertRefreshToken(refresh(s, 'x', { hash: 'raw-token' }))).rejects.toThrow(TypeError);
    const grant = await store.getRefreshGrant(sha('one'));
    expect(grant?.token).toEqual(refresh(s, 'one'));
    expect(grant?.session).toEqual(s);
    expect(grant?.user.username).toBe('r-user');
    expect(await store.getRefreshGrant(sha('none'))).toBeUndefined();
    expect(await store.markRefreshTokenUsed(sha('one'), T0 + 5, sha('two'), { ip: '10.0.0.1', userAgent: null })).toBe(true);
    expect(await store.markRefreshTokenUsed(sha('one'), T0 + 6, sha('two'))).toBe(false);
    expect(await store.getRefreshToken(sha('one'))).toMatchObject({ usedAt: T0 + 5, successorHash: sha('two'), usedIp: '10.0.0.1' });
    expect(await store.revokeRefreshTokensOfUser('r-user', T0 + 7)).toBe(1); // the unused one only
    expect(await store.revokeRefreshToken(sha('two'), T0 + 8)).toBe(false);
    expect(await store.revokeRefreshTokensOfSession('r-s', T0 + 9)).toBe(0); // 'one' is used, 'two' revoked already
    expect((await store.listRefreshTokensOfSession('r-s')).map((t) => t.hash)).toEqual([sha('one'), sha('two')]);
  });

  it('keeps access tokens: live ones by session, user and key; purges expired', async () => {
    await store.insertUser(user({ id: 'a-user', username: 'a-user' }));
    const s = session({ id: 'a-s', userId: 'a-user' });
    await store.insertSession(s);
    await store.insertAccessToken(access(s, 'j1', { issuedAt: T0, expiresAt: T0 + MIN }));
    await store.insertAccessToken(access(s, 'j2', { issuedAt: T0 + 1, expiresAt: T0 + 10 * MIN }));
    await store.insertAccessToken(access(s, 'j3', { issuedAt: T0 + 2, expiresAt: T0 + 10 * MIN, kid: 'k2' }));
    expect((await store.listAccessTokensOfSession('a-s', 2)).map((t) => t.jti)).toEqual(['j3', 'j2']);
    expect((await store.listLiveAccessTokensOfSessions(['a-s', 'other'], T0 + 2 * MIN)).map((t) => t.jti)).toEqual(['j2', 'j3']);
    expect(await store.listLiveAccessTokensOfSessions([], T0)).toEqual([]);
    expect((await store.listLiveAccessTokensOfUser('a-user', T0 + 2 * MIN)).map((t) => t.jti)).toEqual(['j2', 'j3']);
    expect(await store.countLiveAccessTokensByKid('k1', T0 + 2 * MIN)).toBe(1);
    expect(await store.purgeAccessTokens(T0 + 2 * MIN)).toBe(1);
    expect(await store.getAccessToken('j1')).toBeUndefined();
    expect(await store.getAccessToken('j2')).toEqual(access(s, 'j2', { issuedAt: T0 + 1, expiresAt: T0 + 10 * MIN }));
  });

  it('numbers revocations monotonically; the last id survives purging the newest rows', async () => {
    const base = { userId: null, notBefore: null, createdAt: T0, actor: 'admin:a', reason: null };
    const first = await store.insertRevocation({ ...base, kind: 'session', subject: 's1', expiresAt: null });
    const second = await store.insertRevocation({ ...base, kind: 'jti', subject: 'j9', expiresAt: T0 + MIN });
    expect(second).toBeGreaterThan(first);
    expect(await store.isJtiRevoked('j9')).toBe(true);
    expect(await store.isJtiRevoked('s1')).toBe(false);
    expect((await store.listRevocationsAfter(first, 10)).map((r) => r.id)).toEqual([second]);
    expect(await store.purgeRevocations(T0 + 2 * MIN)).toBe(1);
    expect(await store.lastRevocationId()).toBe(second);
    expect(await store.insertRevocation({ ...base, kind: 'user', subject: 'u1', expiresAt: null })).toBeGreaterThan(second);
  });

  it('keeps signing keys: at most one active key per algorithm', async () => {
    const key = { alg: 'EdDSA' as const, publicJwk: '{}', createdAt: T0, retiringSince: null, retiresAt: null, revokedAt: null };
    await store.insertKey({ ...key, kid: 'k-a', status: 'active' });
    await expect(store.insertKey({ ...key, kid: 'k-b', status: 'active' })).rejects.toMatchObject({ code: 'conflict' });
    await store.insertKey({ ...key, kid: 'k-b', status: 'next', createdAt: T0 + 1 });
    await store.updateKey('k-a', { status: 'retiring', retiringSince: T0 + 2 });
    expect(await store.getKey('k-a')).toMatchObject({ status: 'retiring', retiringSince: T0 + 2 });
    expect((await store.listKeys()).map((k) => k.kid)).toEqual(['k-a', 'k-b']);
  });

  it('appends audit entries in seq order, keeps data as written, filters newest first and iterates in batches', async () => {
    const entry = (i: number) => ({
      at: T0 + i, type: i % 2 ? 'odd' : 'even', actor: 'system', userId: i === 3 ? 'u1' : null, sessionId: null, reason: null,
      data: { z: i, a: [1, 'x'], nested: { b: true } }, prevHash: `p${i}`, hash: `h${i}`,
    });
    const seqs: number[] = [];
    for (let i = 1; i <= 5; i++) seqs.push(await store.appendAudit(entry(i)));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const last = await store.lastAudit();
    expect(last).toEqual({ ...entry(5), seq: seqs[4] });
    expect(Object.keys(last!.data)).toEqual(['z', 'a', 'nested']);
    expect((await store.listAudit({ type: 'odd', limit: 10 })).map((e) => e.at)).toEqual([T0 + 5, T0 + 3, T0 + 1]);
    expect((await store.listAudit({ userId: 'u1', limit: 10 })).map((e) => e.seq)).toEqual([seqs[2]]);
    expect((await store.listAudit({ since: T0 + 2, until: T0 + 4, beforeSeq: seqs[3], limit: 10 })).map((e) => e.at)).toEqual([T0 + 3, T0 + 2]);
    const all: number[] = [];
    for await (const e of store.iterateAudit(2)) all.push(e.seq);
    expect(all).toEqual(seqs);
  });

  it('keeps settings, counters and minute buckets, exact before and after folding', async () => {
    expect(await store.getSetting('k')).toBeUndefined();
    await store.putSetting('k', 'v1');
    await store.putSetting('k', 'v2');
    expect(await store.getSetting('k')).toBe('v2');
    await store.incrementCounter('refreshes', 2, T0 + 10);
    await store.incrementCounter('refreshes', 3, T0 + MIN + 10);
    await store.incrementCounter('tokens_issued', 1, T0 + 10);
    await store.incrementCounter('reuse_alerts', 1, T0);
    await expect(store.incrementCounter('nope' as never, 1, T0)).rejects.toThrow(TypeError);
    const expected = async () => {
      expect(await store.getCounters()).toEqual({ tokens_issued: 1, refreshes: 5, revocations: 0, reuse_alerts: 1 });
      expect(await store.listMinuteBuckets(T0)).toEqual([
        { minute: T0, issued: 1, refreshed: 2, revoked: 0 }, { minute: T0 + MIN, issued: 0, refreshed: 3, revoked: 0 },
      ]);
      expect(await store.listMinuteBuckets(T0 + MIN)).toHaveLength(1);
    };
    await expected();
    expect(await store.foldTallies()).toBeGreaterThan(0);
    await expected();
    await store.incrementCounter('refreshes', 1, T0 + 20);
    expect((await store.listMinuteBuckets(T0))[0]).toMatchObject({ refreshed: 3 });
    expect((await store.getCounters()).refreshes).toBe(6);
  });

  it('reads BIGINT as a number when exact, and refuses one beyond 2^53 rather than round it', async () => {
    expect(await store.database.row('SELECT 9007199254740991::bigint AS n, count(*) AS c FROM users')).toEqual({ n: 2 ** 53 - 1, c: expect.any(Number) });
    await expect(store.database.row('SELECT 9007199254740993::bigint AS n')).rejects.toThrow(RangeError);
  });

  it('answers ping and keeps a random instance id', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    expect(store.instanceId()).toMatch(/^[0-9a-f]{32}$/);
  });
});

// How a shared suite runs on PostgreSQL: onPgStore hands it pgHarness.
onPgStore((name, makeHarness) => describe(`shared-suite harness: ${name}`, () => {
  it('opens an empty database per harness; reopen sees the same data and instance id', async () => {
    let first = '';
    const harness = await makeHarness();
    const other = await makeHarness();
    try {
      first = harness.store.instanceId();
      await harness.store.putSetting('k', 'v');
      await harness.store.insertUser(user({ id: 'h1', username: 'h1' }));
      const again = await harness.reopen();
      expect(await again.getSetting('k')).toBe('v');
      expect(again.instanceId()).toBe(harness.store.instanceId());
      expect(await other.store.getSetting('k')).toBeUndefined();
    } finally {
      await other.cleanup();
      await harness.cleanup();
    }
    // A database handed back (harness's, the last one handed back, is the next one taken) is empty, with a new instance id, when the next harness takes it.
    const next = await makeHarness();
    try {
      expect(await next.store.getSetting('k')).toBeUndefined();
      expect(await next.store.countUsers()).toBe(0);
      expect(next.store.instanceId()).not.toBe(first);
    } finally {
      await next.cleanup();
    }
  });
}));
