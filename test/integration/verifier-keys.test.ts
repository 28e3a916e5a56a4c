/**
 * The resource-server kit and the service's signing keys: every algorithm the service can sign with
 * (EdDSA, ES256, RS256) verifies end to end, access tokens and feed SETs alike; and a key the service
 * retires stops verifying at the kit within the JWKS max-age (60 s), even for tokens the kit had already
 * verified and cached.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { createVerifier, type RevocationApplied, type Verifier } from '@token-warden/verifier';
import { startResourceServer } from '../helpers/resource-server';
import { nextEvent, startTestWarden, type TestWarden } from '../helpers/warden';

const AUDIENCE = 'token-warden-api';
const MINUTE = 60_000;
const part = (token: string, index: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString()) as Record<string, unknown>;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { clock?: ManualClock; kit?: Partial<Parameters<typeof createVerifier>[0]> } = {}) {
  // The service's own maintenance timer stays out of the way: the tests call maintain() themselves.
  const t = await startTestWarden({ feedHeartbeatMs: 250, maintainIntervalMs: 3_600_000, ...(options.clock ? { clock: options.clock } : {}) });
  cleanups.push(() => t.close());
  const app = await t.createPublicClient();
  const api = await t.createConfidentialClient();
  const verifier = createVerifier({
    issuer: t.baseUrl,
    audience: AUDIENCE,
    clientId: api.clientId,
    clientSecret: api.clientSecret,
    ...(options.clock ? { clock: options.clock } : {}),
    ...options.kit,
  });
  cleanups.push(() => verifier.stop());
  await verifier.start();
  const user = await t.createUser();
  return { t, app, api, verifier, user };
}

const keysLoaded = (verifier: Verifier, accept: (kids: string[]) => boolean) => nextEvent<string[]>((listener) => verifier.on('keys', listener), accept);

describe('every signing algorithm, end to end', () => {
  for (const alg of ['EdDSA', 'ES256', 'RS256'] as const) {
    it(`${alg}: access tokens verify (middleware too), and the feed's SETs signed with it are applied`, async () => {
      const { t, app, verifier, user } = await setup();
      // Access tokens switch to the algorithm (the API client's ID tokens keep RS256's own pair), then rotate.
      await t.admin('updateSettings', { signingAlg: alg });
      const rotated = await t.admin('rotateSigningKey', {});
      const tokens = await t.login(user, app);
      expect(part(tokens.access_token, 0)).toMatchObject({ alg, kid: rotated.kid });
      expect(await verifier.verify(tokens.access_token)).toMatchObject({ active: true, claims: { sub: user.id } });
      const rs = await startResourceServer(verifier);
      cleanups.push(() => rs.close());
      expect(await rs.call(tokens.access_token)).toMatchObject({ status: 200 });

      // The revocation arrives as a SET signed by the same key: the kit must verify it to apply it.
      const jti = part(tokens.access_token, 1).jti as string;
      const applied = nextEvent<RevocationApplied>((listener) => verifier.on('revocation', listener), (e) => e.subject.kind === 'jti' && e.subject.id === jti);
      await t.admin('revokeAccessToken', { jti });
      await applied;
      expect(verifier.verify(tokens.access_token)).toMatchObject({ active: false, reason: 'jti_revoked' });
      expect(await rs.call(tokens.access_token)).toMatchObject({ status: 401, body: { error_description: 'jti_revoked' } });
    });
  }
});

describe('a key the service retires', () => {
  /**
   * A token that outlives its key: signed by the active key with a day to run. The service never issues one
   * (a key retires once everything it signed has expired), so it stands for any token the service no longer
   * vouches for; the kit must refuse it from the moment its key leaves the JWKS.
   */
  function outliving(t: TestWarden, genuine: string, jti: string): string {
    const claims = part(genuine, 1);
    return t.warden.engine.ctx.keys.sign({ typ: 'at+jwt' }, { ...claims, jti, exp: (claims.exp as number) + 24 * 3600 }).token;
  }

  /** Rotates, then moves time to the retiring key's retiresAt and lets the service retire it. */
  async function retire(t: TestWarden, clock: ManualClock, kid: string): Promise<void> {
    await t.admin('rotateSigningKey', {});
    const retiresAt = (await t.warden.engine.store.getKey(kid))!.retiresAt!;
    clock.set(retiresAt);
    await t.warden.engine.maintain();
    expect((await t.warden.engine.store.getKey(kid))!.status).toBe('retired');
  }

  it('a JWKS refetch that no longer lists the key ends it at once, for cached tokens too, and its kid is known as retired', async () => {
    const clock = new ManualClock(Date.now());
    // A feed silent for an hour of (manual) time is still trusted: the test moves time in big steps.
    const { t, app, verifier, user } = await setup({ clock, kit: { maxFeedSilenceMs: 3_600_000 } });
    const tokens = await t.login(user, app);
    const oldKid = part(tokens.access_token, 0).kid as string;
    const cached = outliving(t, tokens.access_token, 'jti-outliving-cached');
    const unseen = outliving(t, tokens.access_token, 'jti-outliving-unseen');
    expect(await verifier.verify(cached)).toMatchObject({ active: true });

    await retire(t, clock, oldKid);
    expect(await t.warden.engine.verifyAccessToken(cached)).toMatchObject({ active: false, reason: 'retired_kid' });
    // A token of the new key makes the kit refetch the JWKS (an unknown kid): the retired key is not in it.
    await t.admin('rotateSigningKey', {});
    const fresh = await t.login(user, app);
    expect(await verifier.verify(fresh.access_token)).toMatchObject({ active: true });
    expect(verifier.verify(cached)).toMatchObject({ active: false, reason: 'retired_kid' });
    expect(await verifier.verify(unseen)).toMatchObject({ active: false, reason: 'retired_kid' });
    // Still refused on a second look (the cache entry is gone, the kid stays known as retired).
    expect(await verifier.verify(cached)).toMatchObject({ active: false, reason: 'retired_kid' });
  });

  it("without any new kid, the kit refetches the JWKS within its max-age (60 s), even when told it may keep it an hour", async () => {
    const clock = new ManualClock(Date.now());
    const { t, app, verifier, user } = await setup({ clock, kit: { maxFeedSilenceMs: 3_600_000, jwksRefreshMs: 3_600_000 } });
    const tokens = await t.login(user, app);
    const oldKid = part(tokens.access_token, 0).kid as string;
    const cached = outliving(t, tokens.access_token, 'jti-outliving');
    expect(await verifier.verify(cached)).toMatchObject({ active: true });

    await t.admin('rotateSigningKey', {});
    const newKid = (await t.admin('listKeys', {})).find((key) => key.status === 'active')!.kid;
    const retiresAt = (await t.warden.engine.store.getKey(oldKid))!.retiresAt!;
    // The kit's JWKS is older than 60 s here: its routine refresh fetches one that still lists the retiring key.
    const refreshed = keysLoaded(verifier, (kids) => kids.includes(oldKid) && kids.includes(newKid));
    clock.set(retiresAt - 1);
    await refreshed;
    clock.set(retiresAt);
    await t.warden.engine.maintain();
    // Retired now at the service, and at the kit from the same instant: the feed announced it (feed format
    // 1.1, verifier-key-retirement.test.ts), though the kit's JWKS from 1 ms before still lists the key.
    expect(verifier.verify(cached)).toMatchObject({ active: false, reason: 'retired_kid' });
    const dropped = keysLoaded(verifier, (kids) => !kids.includes(oldKid));
    clock.set(retiresAt - 1 + MINUTE);
    await dropped;
    expect(verifier.verify(cached)).toMatchObject({ active: false, reason: 'retired_kid' });
  });
});
