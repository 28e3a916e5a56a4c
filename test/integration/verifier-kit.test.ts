/**
 * The resource-server kit against a real token service: local verification, force logout reaching a
 * resource server through the feed, and forged or wrong tokens refused with the right reason.
 */
import { createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from '@token-warden/verifier';
import { nextEvent, startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { CRIT_HEADERS, nonCanonicalVariants } from '../helpers/jws-vectors';
import { startResourceServer, type ResourceServer } from '../helpers/resource-server';

const AUDIENCE = 'token-warden-api';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.') as [string, string];
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString()) };
}

describe('resource-server kit', () => {
  let t: TestWarden;
  let app: string;
  let api: { clientId: string; clientSecret: string };
  let verifier: Verifier;
  let rs: ResourceServer;

  beforeAll(async () => {
    t = await startTestWarden({ feedHeartbeatMs: 250 });
    app = await t.createPublicClient();
    api = await t.createConfidentialClient();
    verifier = createVerifier({ issuer: t.baseUrl, audience: AUDIENCE, clientId: api.clientId, clientSecret: api.clientSecret, maxFeedSilenceMs: 3_000 });
    await verifier.start();
    rs = await startResourceServer(verifier);
  });

  afterAll(async () => {
    verifier?.stop();
    await rs?.close();
    await t?.close();
  });

  it('accepts a fresh access token, synchronously once the key is cached, and puts its claims on req.auth', async () => {
    const user = await t.createUser();
    const tokens = await t.login(user, app);
    const first = await verifier.verify(tokens.access_token);
    expect(first).toMatchObject({ active: true, claims: { sub: user.id, iss: t.baseUrl, client_id: app } });
    const again = verifier.verify(tokens.access_token);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toMatchObject({ active: true });
    const call = await rs.call(tokens.access_token);
    expect(call).toMatchObject({ status: 200, body: { sub: user.id } });
  });

  it('answers a request without a token with a bare Bearer challenge', async () => {
    const call = await rs.call(null);
    expect(call.status).toBe(401);
    expect(call.challenge).toBe('Bearer realm="api"');
  });

  it('rejects the old token right after forceLogout, and the service records the receipt', async () => {
    const user = await t.createUser();
    const tokens = await t.login(user, app);
    expect((await rs.call(tokens.access_token)).status).toBe(200);

    let appliedAtMs = 0;
    const applied = nextEvent<{ subject: { kind: string; id: string } }>(
      (listener) => verifier.on('revocation', listener),
      (event) => {
        const mine = event.subject.kind === 'user' && event.subject.id === user.id;
        if (mine) appliedAtMs = performance.now();
        return mine;
      },
    );
    const startedAtMs = performance.now();
    const receipt = await t.admin('forceLogout', { userId: user.id, reason: 'test' });
    const returnedAtMs = performance.now();
    await applied;
    const rejected = await rs.call(tokens.access_token);
    expect(rejected.status).toBe(401);
    expect(rejected.challenge).toContain('error="invalid_token"');
    expect(['session_revoked', 'issued_before_not_before']).toContain(rejected.body.error_description);
    console.log(
      `force logout: kit applied ${(appliedAtMs - startedAtMs).toFixed(2)} ms after the admin call started ` +
        `(the call itself took ${(returnedAtMs - startedAtMs).toFixed(2)} ms)`,
    );

    // The receipt names the feed event; the kit acknowledges it.
    expect(receipt.feedEventId).not.toBeNull();
    const feedEventId = receipt.feedEventId!;
    const receipts = t.warden.service.receipts;
    if (!receipts.receiptsFor(feedEventId).some((r) => r.clientId === api.clientId)) {
      await nextEvent<[number, { clientId: string }]>(
        (listener) => receipts.onReceipt((id, r) => listener([id, r])),
        ([id, r]) => id === feedEventId && r.clientId === api.clientId,
      );
    }
    expect(receipts.receiptsFor(feedEventId)).toEqual([expect.objectContaining({ clientId: api.clientId, appliedAt: expect.any(Number), receivedAt: expect.any(Number) })]);
    expect(verifier.receipts().map((r) => r.id)).toContain(feedEventId);
    // The console sees it through the contract, and the acknowledgement is audited as proof.
    const listed = await t.admin('listFeedReceipts', { feedEventId });
    expect(listed.receipts).toEqual([expect.objectContaining({ clientId: api.clientId })]);
    expect(listed.subscribers).toEqual(expect.arrayContaining([expect.objectContaining({ clientId: api.clientId })]));
    const acks = await t.admin('listAudit', { type: 'feed.acknowledged' });
    expect(acks.items).toEqual(expect.arrayContaining([expect.objectContaining({ actor: `client:${api.clientId}`, userId: user.id, data: expect.objectContaining({ feedEventId }) })]));

    // A new login afterwards works.
    const fresh = await t.login(user, app);
    expect((await rs.call(fresh.access_token)).status).toBe(200);
  });

  it('rejects a token revoked by jti and a revoked session, and keeps other tokens working', async () => {
    const user = await t.createUser();
    const a = await t.login(user, app);
    const b = await t.login(user, app);
    expect((await verifier.verify(a.access_token)).active).toBe(true);
    const jti = decode(a.access_token).payload.jti as string;
    const jtiApplied = nextEvent<{ subject: { kind: string; id: string } }>((l) => verifier.on('revocation', l), (e) => e.subject.kind === 'jti' && e.subject.id === jti);
    await t.admin('revokeAccessToken', { jti });
    await jtiApplied;
    expect(verifier.verify(a.access_token)).toMatchObject({ active: false, reason: 'jti_revoked' });
    expect(verifier.verify(b.access_token)).toMatchObject({ active: true });

    const sid = decode(b.access_token).payload.sid as string;
    const sessionApplied = nextEvent<{ subject: { kind: string; id: string } }>((l) => verifier.on('revocation', l), (e) => e.subject.kind === 'session' && e.subject.id === sid);
    await t.admin('revokeSession', { sessionId: sid });
    await sessionApplied;
    expect(verifier.verify(b.access_token)).toMatchObject({ active: false, reason: 'session_revoked' });
  });

  it('follows key rotation at once and refuses everything a revoked key signed', async () => {
    const user = await t.createUser();
    const before = await t.login(user, app);
    const oldKid = decode(before.access_token).header.kid as string;
    await t.admin('rotateSigningKey', {});
    // Right after rotation a token with the new kid verifies (one JWKS refetch), and the old one still does.
    const after = await t.login(user, app);
    expect(decode(after.access_token).header.kid).not.toBe(oldKid);
    expect(await verifier.verify(after.access_token)).toMatchObject({ active: true });
    expect(await verifier.verify(before.access_token)).toMatchObject({ active: true });

    const keyRevoked = nextEvent<{ subject: { kind: string; id: string } }>((l) => verifier.on('revocation', l), (e) => e.subject.kind === 'key' && e.subject.id === oldKid);
    await t.admin('revokeSigningKey', { kid: oldKid, reason: 'leaked' });
    await keyRevoked;
    expect(verifier.verify(before.access_token)).toMatchObject({ active: false, reason: 'revoked_kid' });
    expect(await verifier.verify(after.access_token)).toMatchObject({ active: true });
    // A token signed with the revoked key that the kit has never seen is refused too.
    const { payload } = decode(after.access_token);
    const forged = `${before.access_token.split('.')[0]}.${b64(payload)}.${before.access_token.split('.')[2]}`;
    expect(await verifier.verify(forged)).toMatchObject({ active: false, reason: 'revoked_kid' });
  });

  it('can be stopped and started again without losing its place', async () => {
    const user = await t.createUser();
    const tokens = await t.login(user, app);
    const lastEventId = verifier.status().lastEventId;
    verifier.stop();
    expect(verifier.status().state).toBe('stopped');
    const jti = decode(tokens.access_token).payload.jti as string;
    await t.admin('revokeAccessToken', { jti });
    await verifier.start();
    expect(verifier.status()).toMatchObject({ state: 'live' });
    expect(verifier.status().lastEventId).toBeGreaterThan(lastEventId);
    expect(verifier.verify(tokens.access_token)).toMatchObject({ active: false, reason: 'jti_revoked' });
  });

  describe('forged and wrong tokens', () => {
    let user: TestUser;
    let genuine: string;
    let claims: Record<string, unknown>;
    let kid: string;

    beforeAll(async () => {
      user = await t.createUser();
      genuine = (await t.login(user, app)).access_token;
      ({ payload: claims } = decode(genuine));
      kid = decode(genuine).header.kid as string;
    });

    /** A token signed by the service's real active key, with chosen header fields and claims. */
    const signedByService = (header: Record<string, unknown>, payload: Record<string, unknown>) => t.warden.engine.ctx.keys.sign(header, payload).token;

    const cases: Array<[string, () => string | Promise<string>, string]> = [
      ['alg none', () => `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims)}.`, 'unsupported_alg'],
      [
        'HS256 signed with the public key',
        async () => {
          const jwks = (await (await fetch(`${t.baseUrl}/oauth/jwks`)).json()) as { keys: Array<Record<string, string>> };
          const publicJwk = jwks.keys.find((k) => k.kid === kid)!;
          const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${b64(claims)}`;
          const mac = createHmac('sha256', JSON.stringify(publicJwk)).update(input).digest('base64url');
          return `${input}.${mac}`;
        },
        'unsupported_alg',
      ],
      [
        'unknown kid (signed by a stranger)',
        () => {
          const { privateKey } = generateKeyPairSync('ed25519');
          const input = `${b64({ alg: 'EdDSA', typ: 'at+jwt', kid: 'stranger-key' })}.${b64(claims)}`;
          return `${input}.${cryptoSign(null, Buffer.from(input), privateKey).toString('base64url')}`;
        },
        'unknown_kid',
      ],
      [
        'tampered payload',
        () => {
          const [h, , s] = genuine.split('.');
          return `${h}.${b64({ ...claims, sub: 'usr_someone_else' })}.${s}`;
        },
        'bad_signature',
      ],
      ['wrong typ', () => signedByService({ typ: 'JWT' }, claims), 'wrong_typ'],
      ['wrong issuer', () => signedByService({ typ: 'at+jwt' }, { ...claims, iss: 'http://127.0.0.1:1' }), 'wrong_issuer'],
      ['wrong audience', () => signedByService({ typ: 'at+jwt' }, { ...claims, aud: 'another-api' }), 'wrong_audience'],
      [
        'expired',
        () => signedByService({ typ: 'at+jwt' }, { ...claims, iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 }),
        'expired',
      ],
      ['not a JWT at all', () => 'garbage', 'malformed'],
      ['the signature respelled (spare bits of its last character set)', () => nonCanonicalVariants(genuine).find(([name]) => name.startsWith('signature respelled'))![1], 'malformed'],
      ['a stray character after the signature', () => nonCanonicalVariants(genuine).find(([name]) => name.startsWith('signature with'))![1], 'malformed'],
      ...CRIT_HEADERS.map(([name, extra]): [string, () => string, string] => [`${name}, signed by the service's key`, () => signedByService({ typ: 'at+jwt', ...extra }, claims), 'malformed']),
    ];

    for (const [name, make, reason] of cases) {
      it(`${name} → ${reason}, at the kit and at introspection, changing nothing`, async () => {
        const token = await make();
        const before = await t.snapshot();
        const verdict = await verifier.verify(token);
        expect(verdict).toMatchObject({ active: false, reason });
        const call = await rs.call(token);
        expect(call.status).toBe(401);
        expect(call.body.error_description).toBe(reason);
        const introspection = await fetch(`${t.baseUrl}/oauth/introspect`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${api.clientId}:${api.clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ token }).toString(),
        });
        expect(await introspection.json()).toEqual({ active: false });
        expect(await t.snapshot()).toEqual(before);
      });
    }

    it('every non-canonical spelling of the genuine token is refused, at the kit, its middleware and introspection', async () => {
      const variants = nonCanonicalVariants(genuine);
      expect(variants.length).toBeGreaterThanOrEqual(15);
      for (const [name, variant] of variants) {
        expect(await verifier.verify(variant), name).toEqual({ active: false, reason: 'malformed' });
        // '=' inside the token is not even a b64token (RFC 6750 §2.1): the middleware asks for a bearer token instead.
        const call = await rs.call(variant);
        expect(call.status, name).toBe(401);
        expect(call.body.error, name).toBe(/=[^=]/.test(variant) ? 'invalid_request' : 'invalid_token');
        const introspection = await fetch(`${t.baseUrl}/oauth/introspect`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${api.clientId}:${api.clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ token: variant }).toString(),
        });
        expect(await introspection.json(), name).toEqual({ active: false });
      }
    });

    it('the genuine token still verifies after all that', async () => {
      expect(await verifier.verify(genuine)).toMatchObject({ active: true });
    });
  });
});
