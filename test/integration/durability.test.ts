/**
 * Which transactions survive a power cut: the `PRAGMA synchronous` level SQLite has in force at each commit,
 * read back from SQLite inside the transaction (SqliteStore.observeCommits). FULL fsyncs the log at the commit,
 * so the change is on disk before it is answered; NORMAL may lose the last commits to a power cut (see
 * docs/operations.md, "What a power cut can cost").
 */
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/main/store/index';
import { ADMIN, MINUTE, PASSWORD, PHONE, makeHarness, type Harness } from '../unit/engine/harness';

type Levels = string[];

async function harness(): Promise<{ h: Harness; commits: <T>(fn: () => T | Promise<T>) => Promise<{ value: T; levels: Levels }> }> {
  const h = await makeHarness();
  const commits = async <T>(fn: () => T | Promise<T>) => {
    const store = h.store;
    if (!(store instanceof SqliteStore)) throw new Error('the harness must run on a SqliteStore');
    const levels: Levels = [];
    const stop = store.observeCommits((commit) => levels.push(commit.synchronous));
    try {
      const value = await fn();
      return { value, levels };
    } finally {
      stop();
    }
  };
  return { h, commits };
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string; sid: string };

describe('durability of each kind of transaction', () => {
  it('commits every admin action and key change with synchronous=FULL', async () => {
    const { h, commits } = await harness();
    const login = await h.login();
    const other = await h.login();
    const third = await h.login();
    const admin = h.engine.admin;
    const full = async (what: string, fn: () => unknown) => {
      const { levels } = await commits(fn);
      expect({ what, levels }).toEqual({ what, levels: expect.arrayContaining(['full']) as unknown });
      expect({ what, levels: levels.filter((level) => level !== 'full') }).toEqual({ what, levels: [] });
    };
    await full('createUser', () => admin.createUser({ username: 'ben', password: PASSWORD }, ADMIN));
    await full('createClient', () => admin.createClient({ clientId: 'api', kind: 'confidential', name: 'API', grantTypes: [] }, ADMIN));
    await full('updateSettings', () => admin.updateSettings({ reuseGraceSeconds: 5 }, ADMIN));
    await full('revokeSession', () => admin.revokeSession({ sessionId: login.sessionId, reason: 'lost phone' }, ADMIN));
    await full('revokeAccessToken', () => admin.revokeAccessToken({ jti: claimsOf(other.accessToken).jti, reason: 'leaked' }, ADMIN));
    await full('bumpRefreshVersion', () => admin.bumpRefreshVersion({ userId: h.userId, reason: 'password changed' }, ADMIN));
    await full('forceLogout', () => admin.forceLogout({ userId: h.userId, reason: 'test' }, ADMIN));
    await full('blockUser', () => admin.blockUser({ userId: h.userId, reason: 'test' }, ADMIN));
    await full('unblockUser', () => admin.unblockUser({ userId: h.userId, reason: 'test' }, ADMIN));
    await full('rotateSigningKey', () => admin.rotateSigningKey({ reason: 'routine' }, ADMIN));
    const retiring = ((await admin.listKeys({}, ADMIN)) as { kid: string; status: string }[]).find((key) => key.status === 'retiring')!;
    await full('revokeSigningKey', () => admin.revokeSigningKey({ kid: retiring.kid, reason: 'compromised' }, ADMIN));
    await full('RFC 7009 revocation', () => h.engine.revokeToken(third.refreshToken, 'mobile'));
    // A key retiring on schedule is a key change too.
    await full('rotateSigningKey again', () => admin.rotateSigningKey({ reason: 'routine' }, ADMIN));
    h.clock.advance(60 * MINUTE);
    // maintain(): the retirement durably, then the purge of expired revocation state, which is routine (a purge a
    // power cut takes back is simply done again).
    expect((await commits(() => h.engine.maintain())).levels).toEqual(['full', 'normal']);
    expect(((await admin.listKeys({}, ADMIN)) as { status: string }[]).map((key) => key.status)).toContain('retired');
  });

  it('commits logins and failed logins durably; a routine refresh with synchronous=NORMAL', async () => {
    const { h, commits } = await harness();
    const { value: login, levels: loginLevels } = await commits(() => h.login());
    expect(loginLevels).toEqual(['full']);
    const { levels: failedLevels } = await commits(() => h.engine.login({ username: 'ana', password: 'wrong password', clientId: 'mobile', device: PHONE, rememberMe: false }).catch(() => undefined));
    expect(failedLevels.length).toBeGreaterThan(0);
    expect(failedLevels.every((level) => level === 'full')).toBe(true);
    h.clock.advance(MINUTE);
    const { levels: refreshLevels } = await commits(() => h.engine.refresh({ refreshToken: login.refreshToken, clientId: 'mobile', device: PHONE }));
    expect(refreshLevels).toEqual(['normal']);
  });

  it('a batch of routine refreshes commits once with NORMAL; a reuse in a batch makes that batch FULL', async () => {
    const { h, commits } = await harness();
    const sessions = await Promise.all([h.login(), h.login(), h.login()]);
    h.clock.advance(MINUTE);
    const routine = await commits(() => Promise.all(sessions.map((s) => h.engine.refresh({ refreshToken: s.refreshToken, clientId: 'mobile', device: PHONE }))));
    expect(routine.levels).toEqual(['normal']);

    // The first session's old token again, together with two routine rotations: one transaction, durable.
    const [, second, third] = routine.value;
    h.clock.advance(MINUTE);
    const mixed = await commits(() =>
      Promise.allSettled([
        h.engine.refresh({ refreshToken: sessions[0]!.refreshToken, clientId: 'mobile', device: PHONE }),
        h.engine.refresh({ refreshToken: second!.refreshToken, clientId: 'mobile', device: PHONE }),
        h.engine.refresh({ refreshToken: third!.refreshToken, clientId: 'mobile', device: PHONE }),
      ]),
    );
    expect(mixed.levels).toEqual(['full']);
    expect(mixed.value.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect((mixed.value[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'refresh_token_reused' });
    // The reuse's revocation is committed (and audited) exactly once, though the batch ran twice.
    expect(await h.store.listAudit({ type: 'refresh_token.reused', limit: 10 })).toHaveLength(1);
    expect(await h.engine.verifyAccessToken(routine.value[0]!.accessToken)).toMatchObject({ active: false, reason: 'session_revoked' });

    // A reuse alone in its turn: durable too.
    h.clock.advance(MINUTE);
    const alone = await commits(() => h.engine.refresh({ refreshToken: second!.refreshToken, clientId: 'mobile', device: PHONE }).catch((error: unknown) => error));
    expect(alone.value).toMatchObject({ code: 'refresh_token_reused' });
    expect(alone.levels).toEqual(['full']);
  });

  it('feed acknowledgements are routine (NORMAL); the level goes back to NORMAL after a durable commit', async () => {
    const { h, commits } = await harness();
    await h.login();
    const receipt = await h.engine.admin.forceLogout({ userId: h.userId, reason: 'test' }, ADMIN);
    const acks = await commits(async () => {
      for (let i = 0; i < 3; i++) h.engine.recordFeedAck(`api-${i}`, receipt.feedEventId!, h.clock.now(), h.clock.now());
      await new Promise((resolve) => setImmediate(resolve));
    });
    expect(acks.levels).toEqual(['normal']);
    const store = h.store as SqliteStore;
    const plain = await commits(() => store.transaction(() => store.putSetting('probe', '1')));
    expect(plain.levels).toEqual(['normal']);
  });

  it('refuses a durable transaction nested in a routine one, and rolls nothing half way', async () => {
    const { h } = await harness();
    const store = h.store;
    await expect(() => store.transaction(() => store.transaction(() => store.putSetting('x', '1'), { durable: true }))).rejects.toThrow(TypeError);
    expect(await store.getSetting('x')).toBeUndefined();
  });
});
