/**
 * Key retirement at the same instant on both sides: the feed announces each rotation's retirement instant
 * (feed format 1.1, `event: key-retiring`), so the kit refuses the retiring key's tokens from its retiresAt
 * by its own clock, exactly when the engine does, not at its next JWKS fetch up to a minute later. And a
 * routine rotation never makes the kit refuse a token: the key that takes over was published as next.
 * One manual clock drives the service and the kit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createVerifier, type KitVerdict, type Verifier } from '@token-warden/verifier';
import { ManualClock } from '../../src/main/engine/clock';
import { nextEvent, startTestWarden, type TestWarden } from '../helpers/warden';

const AUDIENCE = 'token-warden-api';
const MINUTE = 60_000;
const part = (token: string, index: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString()) as Record<string, unknown>;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Service and kit on one manual clock; the kit counts its JWKS fetches. */
async function setup() {
  const clock = new ManualClock(Date.now());
  // The service's own maintenance timer stays out of the way: nothing retires a key but the clock.
  const t = await startTestWarden({ clock, feedHeartbeatMs: 250, maintainIntervalMs: 3_600_000 });
  cleanups.push(() => t.close());
  const app = await t.createPublicClient();
  const api = await t.createConfidentialClient();
  const jwksFetches: number[] = [];
  const kit = () => {
    const verifier = createVerifier({
      issuer: t.baseUrl,
      audience: AUDIENCE,
      clientId: api.clientId,
      clientSecret: api.clientSecret,
      clock,
      // Manual time moves in big steps: a feed silent for an hour of it is still trusted.
      maxFeedSilenceMs: 3_600_000,
      fetch: (input, init) => {
        if (new URL(String(input)).pathname === '/oauth/jwks') jwksFetches.push(clock.now());
        return fetch(input, init);
      },
    });
    cleanups.push(() => verifier.stop());
    return verifier;
  };
  const verifier = kit();
  await verifier.start();
  const user = await t.createUser();
  return { clock, t, app, verifier, kit, user, jwksFetches };
}

/**
 * A token that outlives its key: signed by the active key with a day to run. The service never issues one (a
 * key retires once everything it signed has expired), so it stands for any token the service stops vouching
 * for at the key's retirement.
 */
function outliving(t: TestWarden, genuine: string, jti: string): string {
  const claims = part(genuine, 1);
  return t.warden.engine.ctx.keys.sign({ typ: 'at+jwt' }, { ...claims, jti, exp: (claims.exp as number) + 24 * 3600 }).token;
}

const retiring = (verifier: Verifier, kid: string) => nextEvent<{ kid: string; retiresAt: number }>((listener) => verifier.on('retiring', listener), (e) => e.kid === kid);

/** The verdict now; a promise here would mean the kit had to fetch something first. */
function now(verdict: KitVerdict | Promise<KitVerdict>): KitVerdict {
  expect(verdict).not.toBeInstanceOf(Promise);
  return verdict as KitVerdict;
}

describe('a rotated key retires at the same instant at the service and at the kit', () => {
  it('one ms before retiresAt both accept its tokens; at retiresAt both refuse them, before any maintenance or JWKS fetch', async () => {
    const { clock, t, app, verifier, user, jwksFetches } = await setup();
    const tokens = await t.login(user, app);
    const oldKid = part(tokens.access_token, 0).kid as string;
    const token = outliving(t, tokens.access_token, 'jti-outliving');
    expect(await verifier.verify(token)).toMatchObject({ active: true });

    const announced = retiring(verifier, oldKid);
    await t.admin('rotateSigningKey', {});
    const { retiresAt } = await announced;
    expect(retiresAt).toBe((await t.warden.engine.store.getKey(oldKid))!.retiresAt);
    // Signed by the key that took over, and outliving the old one too.
    const fresh = outliving(t, (await t.login(user, app)).access_token, 'jti-outliving-fresh');

    clock.set(retiresAt - 1);
    expect(await t.warden.engine.verifyAccessToken(token)).toMatchObject({ active: true });
    expect(now(verifier.verify(token))).toMatchObject({ active: true });
    const fetchesBefore = jwksFetches.length;

    clock.set(retiresAt);
    expect(await t.warden.engine.verifyAccessToken(token)).toMatchObject({ active: false, reason: 'retired_kid' });
    expect(now(verifier.verify(token))).toMatchObject({ active: false, reason: 'retired_kid' });
    // Nothing else told the kit: the key is still retiring in the store, and the kit fetched no JWKS (the
    // service's own JWKS drops the key at this instant too).
    expect((await t.warden.engine.store.getKey(oldKid))!.status).toBe('retiring');
    expect(jwksFetches.length).toBe(fetchesBefore);
    expect(t.warden.engine.jwks().keys.map((key) => key.kid)).not.toContain(oldKid);
    // The key that took over is not affected, on either side.
    expect(await t.warden.engine.verifyAccessToken(fresh)).toMatchObject({ active: true });
    expect(now(verifier.verify(fresh))).toMatchObject({ active: true });
  });

  it('a kit that connects after the rotation knows the instant as soon as start() resolves (sent before `ready`)', async () => {
    const { clock, t, app, kit, user } = await setup();
    const tokens = await t.login(user, app);
    const oldKid = part(tokens.access_token, 0).kid as string;
    const token = outliving(t, tokens.access_token, 'jti-outliving-late');
    await t.admin('rotateSigningKey', {});
    const retiresAt = (await t.warden.engine.store.getKey(oldKid))!.retiresAt!;

    const late = kit();
    const heard: Array<{ kid: string; retiresAt: number }> = [];
    late.on('retiring', (event) => heard.push(event));
    await late.start();
    expect(heard).toEqual([{ kid: oldKid, retiresAt }]);
    clock.set(retiresAt - 1);
    expect(await late.verify(token)).toMatchObject({ active: true });
    clock.set(retiresAt);
    expect(now(late.verify(token))).toMatchObject({ active: false, reason: 'retired_kid' });
  });
});

describe('a routine rotation', () => {
  it('never makes the kit refuse a token: the new key was published as next, so its tokens verify without a JWKS fetch', async () => {
    const { clock, t, app, verifier, user, jwksFetches } = await setup();
    const first = (await t.login(user, app)).access_token;
    expect(await verifier.verify(first)).toMatchObject({ active: true });

    for (const round of [1, 2]) {
      const fetchesBefore = jwksFetches.length;
      await t.admin('rotateSigningKey', { reason: `routine ${round}` });
      const token = (await t.login(user, app)).access_token;
      // Verified at once with the key in hand: no unknown kid, no fetch, no refusal.
      expect(now(verifier.verify(token))).toMatchObject({ active: true });
      expect(now(verifier.verify(first))).toMatchObject({ active: true });
      expect(jwksFetches.length).toBe(fetchesBefore);
      // The routine refresh (the JWKS max-age is 60 s) brings the pair's new next key before the next rotation.
      const refreshed = nextEvent<string[]>((listener) => verifier.on('keys', listener));
      clock.advance(MINUTE);
      expect(now(verifier.verify(token))).toMatchObject({ active: true });
      await refreshed;
    }
    // Every token of this test is still accepted: the first key retires only at its retiresAt.
    expect(now(verifier.verify(first))).toMatchObject({ active: true });
  });
});
