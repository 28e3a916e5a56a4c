/**
 * The kit's verified-token cache is keyed by the signature segment (a cheaper lookup on the cold path): a hit
 * must still be the very token that was verified. A genuine signature under another header or payload is a
 * different token: it is checked in full (and fails its signature), and it does not disturb the genuine one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from '@token-warden/verifier';
import { startTestWarden, type TestWarden } from '../helpers/warden';

const AUDIENCE = 'token-warden-api';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const json = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString()) as Record<string, unknown>;

describe('kit cache keyed by signature', () => {
  let t: TestWarden;
  let app: string;
  let verifier: Verifier;

  beforeAll(async () => {
    t = await startTestWarden({ feedHeartbeatMs: 250 });
    app = await t.createPublicClient();
    const api = await t.createConfidentialClient();
    verifier = createVerifier({ issuer: t.baseUrl, audience: AUDIENCE, clientId: api.clientId, clientSecret: api.clientSecret, maxFeedSilenceMs: 3_000 });
    await verifier.start();
  });

  afterAll(async () => {
    verifier?.stop();
    await t?.close();
  });

  it('a cached token’s signature under another payload or header is refused as bad_signature, and the genuine token stays valid', async () => {
    const [victim, other] = [await t.createUser(), await t.createUser()];
    const token = (await t.login(victim, app)).access_token;
    expect(await verifier.verify(token)).toMatchObject({ active: true, claims: { sub: victim.id } });
    expect(verifier.verify(token)).toMatchObject({ active: true }); // now a cache hit, synchronously

    const [header, payload, signature] = token.split('.') as [string, string, string];
    const otherSub = `${header}.${b64({ ...json(payload), sub: other.id })}.${signature}`;
    const longerLife = `${header}.${b64({ ...json(payload), exp: (json(payload).exp as number) + 3600 })}.${signature}`;
    const otherHeader = `${b64({ ...json(header), x: 1 })}.${payload}.${signature}`;
    for (const forged of [otherSub, longerLife, otherHeader]) {
      expect(await verifier.verify(forged)).toEqual({ active: false, reason: 'bad_signature' });
    }
    // The forgeries neither replaced nor evicted the genuine entry.
    const again = verifier.verify(token);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toMatchObject({ active: true, claims: { sub: victim.id } });
  });
});
