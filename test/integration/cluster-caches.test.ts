/**
 * Caches across instances (issue 17, item 2): settings and key rotations (with the pre-published next key)
 * changed through one instance take effect on the other within a second. Each instance re-reads the store when
 * it hears the change's signal (src/main/engine/cache-sync.ts); without that the other instance would go on
 * with what it read at start. Two instances on one PostgreSQL database.
 */
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describePg } from '../helpers/postgres';
import { eventually, startPgInstances, type PgInstance, type PgInstances } from '../helpers/pg-instances';

describePg('caches with two instances', () => {
  let pair: PgInstances;
  let a: PgInstance;
  let b: PgInstance;
  beforeAll(async () => {
    pair = await startPgInstances(2);
    [a, b] = pair.instances as [PgInstance, PgInstance];
  }, 120_000);
  afterAll(async () => {
    await pair?.close();
  }, 60_000);

  const jwksKids = async (instance: PgInstance) => {
    const body = (await (await fetch(`${instance.url}/oauth/jwks`)).json()) as { keys: Array<{ kid: string }> };
    return body.keys.map((key) => key.kid);
  };
  const login = async (instance: PgInstance, username: string, app: string) => {
    const response = await instance.postForm('/oauth/token', { grant_type: 'password', username, password: 'correct horse battery', client_id: app });
    expect(response.status).toBe(200);
    return (await response.json()) as { access_token: string; expires_in: number };
  };

  it('a settings change made on one instance applies on the other within a second', async () => {
    const app = await a.createPublicClient();
    const user = await a.createUser();
    await a.admin('updateSettings', { accessTokenTtlSeconds: 321 });
    await eventually('B reports the new access-token lifetime', async () => (await b.admin('getSettings', {})).accessTokenTtlSeconds === 321);
    // And B acts on it: its new access tokens live that long.
    expect((await login(b, user.username, app)).expires_in).toBe(321);
  });

  it('two instances changing different settings at once keep both changes', async () => {
    await Promise.all([a.admin('updateSettings', { clockSkewSeconds: 7 }), b.admin('updateSettings', { reuseGraceSeconds: 3 })]);
    for (const instance of [a, b]) {
      await eventually('both changes everywhere', async () => {
        const settings = await instance.admin('getSettings', {});
        return settings.clockSkewSeconds === 7 && settings.reuseGraceSeconds === 3;
      });
    }
  });

  it('a key rotation on one instance: the other publishes the new keys, signs with the new active key and verifies its tokens', async () => {
    const app = await a.createPublicClient();
    const user = await a.createUser();
    const before = await jwksKids(b);
    const rotated = await a.admin('rotateSigningKey', { reason: 'cluster test' });
    // The new active key was published ahead (it was the next key): B had it already; the NEW next key is news.
    expect(before).toContain(rotated.kid);
    const keys = await a.admin('listKeys', {});
    const next = keys.find((key) => key.status === 'next' && key.alg === rotated.alg)!;
    expect(before).not.toContain(next.kid);
    await eventually('B publishes the new next key', async () => (await jwksKids(b)).includes(next.kid));
    await eventually('B signs with the new active key', async () => decodeProtectedHeader((await login(b, user.username, app)).access_token).kid === rotated.kid);
    // A token A signed with the new key verifies on B, and one B signed verifies on A.
    const fromA = (await login(a, user.username, app)).access_token;
    expect(decodeProtectedHeader(fromA).kid).toBe(rotated.kid);
    expect(await b.t.warden.engine.verifyAccessToken(fromA)).toMatchObject({ active: true });
    const fromB = (await login(b, user.username, app)).access_token;
    expect(await a.t.warden.engine.verifyAccessToken(fromB)).toMatchObject({ active: true });
  });

  it("verifies a token of a key another instance has just promoted before its own key ring has heard of it", async () => {
    const app = await a.createPublicClient();
    const user = await a.createUser();
    // B's key ring is kept busy (as if the rotation's signal were late): it cannot re-read on the signal meanwhile.
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    const held = b.t.warden.engine.ctx.keys.exclusive(() => busy);
    const rotated = await a.admin('rotateSigningKey', { reason: 'signal not heard yet' });
    const token = (await login(a, user.username, app)).access_token;
    expect(decodeProtectedHeader(token).kid).toBe(rotated.kid);
    expect(b.t.warden.engine.ctx.keys.status(rotated.kid)).toBe('next');
    // The committed row says active: B's ring catches up (after the step in front of it) instead of refusing next_kid.
    const verdict = b.t.warden.engine.verifyAccessToken(token);
    release();
    await held;
    expect(await verdict).toMatchObject({ active: true });
  });

  it('verifies it too when the key ring catches up while the committed row is being read', async () => {
    const app = await a.createPublicClient();
    const user = await a.createUser();
    const ctx = b.t.warden.engine.ctx;
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    const held = ctx.keys.exclusive(() => busy);
    const rotated = await a.admin('rotateSigningKey', { reason: 'signal heard mid-verify' });
    const token = (await login(a, user.username, app)).access_token;
    expect(ctx.keys.status(rotated.kid)).toBe('next');
    // The verifier found the key `next` in memory and reads the committed row; meanwhile the ring re-reads.
    const getKey = ctx.store.getKey.bind(ctx.store);
    const spy = vi.spyOn(ctx.store, 'getKey').mockImplementationOnce(async (kid) => {
      const row = await getKey(kid);
      release();
      await held;
      await ctx.keys.refresh();
      return row;
    });
    try {
      expect(ctx.keys.status(rotated.kid)).toBe('next');
      const verdict = await b.t.warden.engine.verifyAccessToken(token);
      expect(ctx.keys.status(rotated.kid)).toBe('active');
      expect(verdict).toMatchObject({ active: true });
    } finally {
      spy.mockRestore();
    }
  });
});
