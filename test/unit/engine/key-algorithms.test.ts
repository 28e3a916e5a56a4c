/**
 * Keys for several algorithms at once: access tokens (and feed events) are signed with the `signingAlg`
 * setting's pair, each client's ID tokens with its `idTokenSignedResponseAlg`'s pair. Each algorithm in use
 * has its own active and next key, its own routine rotation, revocation and retirement; the JWKS publishes them
 * all; switching the access-token algorithm reuses a pair that exists (gap-free) or creates one (not).
 */
import { generateKeyPair, exportJWK, calculateJwkThumbprint, createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import { ensureSigningAlg, reconcileSigningAlgs } from '../../../src/main/engine/key-startup';
import type { Engine } from '../../../src/main/engine/engine';
import type { SigningAlg } from '../../../src/shared/dto';
import { WardenError } from '../../../src/shared/errors';
import { ADMIN, ISSUER, PHONE, SECOND, makeHarness, type Harness } from './harness';

const header = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { alg: string; kid: string };
const pairs = async (h: Harness) => (await h.store.listKeys()).filter((k) => k.status === 'active' || k.status === 'next').map((k) => `${k.alg}:${k.status}`).sort();
const kidOf = async (h: Harness, alg: SigningAlg, status: 'active' | 'next' | 'retiring') => (await h.store.listKeys()).find((k) => k.alg === alg && k.status === status)?.kid;
/** What a verifier that fetched the JWKS now holds until its next fetch. */
const snapshot = (engine: Engine) => createLocalJWKSet(structuredClone(engine.jwks()) as JSONWebKeySet);
const idTokenClaims = (h: Harness) => ({ iss: ISSUER, sub: h.userId, aud: 'spa', iat: Math.floor(h.clock.now() / 1000), exp: Math.floor(h.clock.now() / 1000) + 600 });
const verifyIdToken = (jwks: ReturnType<typeof snapshot>, token: string, h: Harness) => jwtVerify(token, jwks, { issuer: ISSUER, audience: 'spa', currentDate: new Date(h.clock.now()) });

/** A client that signs in through the authorization endpoint, and so gets ID tokens of `alg` (RS256 unless named). */
function oidcClient(h: Harness, clientId: string, alg?: SigningAlg) {
  return h.engine.admin.createClient(
    { clientId, kind: 'public', name: clientId, redirectUris: ['http://127.0.0.1:5173/callback'], grantTypes: ['authorization_code', 'refresh_token'], ...(alg ? { idTokenSignedResponseAlg: alg } : {}) },
    ADMIN,
  );
}

/** An ES256 install with an OIDC client on RS256, its keys made (in the background, after the client's commit). */
async function withIdTokens(alg: SigningAlg = 'RS256') {
  const h = await makeHarness({ initialSigningAlg: 'ES256' });
  await oidcClient(h, 'spa', alg);
  await ensureSigningAlg(h.engine.ctx, alg);
  return h;
}

describe('a pair per algorithm in use', () => {
  it('a client whose ID tokens are RS256 gets an RS256 pair beside the access-token pair; access tokens keep ES256', async () => {
    const h = await makeHarness({ initialSigningAlg: 'ES256' });
    expect(await pairs(h)).toEqual(['ES256:active', 'ES256:next']);
    // Password-grant clients get no ID tokens: no pair for them.
    expect(h.engine.ctx.keys.canSign('RS256')).toBe(false);
    expect(() => h.engine.ctx.keys.signWith('RS256', { typ: 'JWT' }, idTokenClaims(h))).toThrow(expect.objectContaining({ code: 'no_active_key' }));

    // Made after the client's commit, in the background: the admin call does not wait for RSA key generation.
    const created = new Promise((resolve) => h.engine.onEvent((event) => event.type === 'key.created' && resolve(event.data.alg)));
    await oidcClient(h, 'spa');
    expect(h.engine.ctx.keys.canSign('RS256')).toBe(false);
    await expect(created).resolves.toBe('RS256');
    expect(await pairs(h)).toEqual(['ES256:active', 'ES256:next', 'RS256:active', 'RS256:next']);
    expect((await h.store.listAudit({ limit: 50 })).filter((e) => e.type === 'key.created').map((e) => [e.data.alg, e.reason])).toEqual([['RS256', "a client's ID tokens are signed with RS256"], ['ES256', 'first start']]);

    const jwks = snapshot(h.engine);
    const { token, kid } = h.engine.ctx.keys.signWith('RS256', { typ: 'JWT' }, idTokenClaims(h));
    expect(kid).toBe(await kidOf(h, 'RS256', 'active'));
    await expect(verifyIdToken(jwks, token, h)).resolves.toMatchObject({ protectedHeader: { alg: 'RS256', kid, typ: 'JWT' } });
    const access = await h.login(PHONE);
    expect(header(access.accessToken)).toMatchObject({ alg: 'ES256', kid: await kidOf(h, 'ES256', 'active') });
    expect(await h.engine.verifyAccessToken(access.accessToken)).toMatchObject({ active: true });
    // Not an access token, even with every access-token claim: the typ says so.
    const lookalike = h.engine.ctx.keys.signWith('RS256', { typ: 'JWT' }, { ...idTokenClaims(h), aud: 'token-warden-api', jti: 'x', client_id: 'spa', sid: 's' }).token;
    expect(await h.engine.verifyAccessToken(lookalike)).toMatchObject({ active: false, reason: 'wrong_typ' });
    // The access-token key first, then the other signing key, then the next keys.
    expect(h.engine.jwks().keys.map((k) => k.kid)).toEqual([await kidOf(h, 'ES256', 'active'), await kidOf(h, 'RS256', 'active'), await kidOf(h, 'ES256', 'next'), await kidOf(h, 'RS256', 'next')]);
    // What the console shows: which key signs which tokens.
    expect((await h.engine.admin.listKeys({}, ADMIN)).map((k) => [k.alg, k.status, k.signs])).toEqual([
      ['ES256', 'active', ['access_tokens']],
      ['ES256', 'next', []],
      ['RS256', 'active', ['id_tokens']],
      ['RS256', 'next', []],
    ]);
    expect(h.errors).toEqual([]);
  });

  it('a second client on the same algorithm shares its pair; a client on the access-token algorithm needs no other', async () => {
    const h = await withIdTokens();
    const before = (await h.store.listKeys()).map((k) => k.kid);
    await oidcClient(h, 'admin-app');
    await oidcClient(h, 'es-app', 'ES256');
    await reconcileSigningAlgs(h.engine.ctx);
    expect((await h.store.listKeys()).map((k) => k.kid)).toEqual(before);
    expect(h.engine.ctx.keys.signWith('ES256', { typ: 'JWT' }, idTokenClaims(h)).kid).toBe(await kidOf(h, 'ES256', 'active'));
  });

  it('a password-grant client with a back-channel logout URI needs its algorithm too: its logout tokens are signed like ID tokens', async () => {
    const h = await makeHarness({ initialSigningAlg: 'ES256' });
    await h.engine.admin.createClient({ clientId: 'legacy', kind: 'public', name: 'Legacy', grantTypes: ['password', 'refresh_token'], backchannelLogoutUri: 'http://127.0.0.1:4000/backchannel' }, ADMIN);
    await ensureSigningAlg(h.engine.ctx, 'RS256');
    expect(await pairs(h)).toEqual(['ES256:active', 'ES256:next', 'RS256:active', 'RS256:next']);
    // Without it (and without the code grant), nothing of its algorithm is needed any more.
    await h.engine.admin.updateClient({ clientId: 'legacy', backchannelLogoutUri: null }, ADMIN);
    await reconcileSigningAlgs(h.engine.ctx);
    expect(await pairs(h)).toEqual(['ES256:active', 'ES256:next']);
  });

  it('each pair survives a restart; one whose next private half is lost gets a new next key, the other is untouched', async () => {
    const h = await withIdTokens();
    const rsActive = (await kidOf(h, 'RS256', 'active'))!;
    const rsNext = (await kidOf(h, 'RS256', 'next'))!;
    const es = [await kidOf(h, 'ES256', 'active'), await kidOf(h, 'ES256', 'next')];
    await h.vault.delete(rsNext);
    await h.restart();
    expect([await kidOf(h, 'ES256', 'active'), await kidOf(h, 'ES256', 'next')]).toEqual(es);
    expect(await kidOf(h, 'RS256', 'active')).toBe(rsActive);
    expect(await h.store.getKey(rsNext)).toMatchObject({ status: 'retired' });
    expect(await kidOf(h, 'RS256', 'next')).not.toBe(rsNext);
    expect(h.engine.ctx.keys.activeKid()).toBe(es[0]);
    expect(h.engine.ctx.keys.signWith('RS256', {}, idTokenClaims(h)).kid).toBe(rsActive);
  });
});

describe('rotation and revocation per algorithm', () => {
  it('rotateSigningKey {alg: RS256} promotes the RS256 next key (gap-free for ID tokens) and leaves access tokens alone', async () => {
    const h = await withIdTokens();
    const cached = snapshot(h.engine);
    const esActive = await kidOf(h, 'ES256', 'active');
    const rsOld = await kidOf(h, 'RS256', 'active');
    const rsNext = await kidOf(h, 'RS256', 'next');
    const rotated = await h.engine.admin.rotateSigningKey({ alg: 'RS256', reason: 'quarterly' }, ADMIN);
    expect(rotated).toMatchObject({ kid: rsNext, alg: 'RS256', status: 'active' });
    expect(await h.store.getKey(rsOld!)).toMatchObject({ status: 'retiring' });
    const { token } = h.engine.ctx.keys.signWith('RS256', { typ: 'JWT' }, idTokenClaims(h));
    await expect(verifyIdToken(cached, token, h)).resolves.toMatchObject({ protectedHeader: { kid: rsNext } });
    expect(header((await h.login(PHONE)).accessToken).kid).toBe(esActive);
    expect(await h.engine.admin.getSettings({}, ADMIN)).toMatchObject({ signingAlg: 'ES256' });
    // Without alg: the access-token pair, the RS256 one untouched.
    const access = await h.engine.admin.rotateSigningKey({}, ADMIN);
    expect(access.alg).toBe('ES256');
    expect(await kidOf(h, 'RS256', 'active')).toBe(rsNext);
  });

  it('concurrent rotations of both pairs run one after another: one active and one next key per algorithm after each', async () => {
    const h = await withIdTokens();
    const rotated = await Promise.all([
      h.engine.admin.rotateSigningKey({ alg: 'RS256' }, ADMIN),
      h.engine.admin.rotateSigningKey({}, ADMIN),
      h.engine.admin.rotateSigningKey({ alg: 'RS256' }, ADMIN),
      h.engine.admin.revokeSigningKey({ kid: (await kidOf(h, 'ES256', 'next'))! }, ADMIN),
    ]);
    expect(await pairs(h)).toEqual(['ES256:active', 'ES256:next', 'RS256:active', 'RS256:next']);
    expect(rotated[2]).toMatchObject({ kid: await kidOf(h, 'RS256', 'active') });
    expect(h.engine.ctx.keys.activeKid()).toBe(await kidOf(h, 'ES256', 'active'));
    expect(h.engine.ctx.keys.activeKid('RS256')).toBe(await kidOf(h, 'RS256', 'active'));
  });

  it('revoking the RS256 active key promotes its next key; access tokens and their key are untouched', async () => {
    const h = await withIdTokens();
    const access = await h.login(PHONE);
    const rsActive = (await kidOf(h, 'RS256', 'active'))!;
    const rsNext = (await kidOf(h, 'RS256', 'next'))!;
    const old = h.engine.ctx.keys.signWith('RS256', { typ: 'JWT' }, idTokenClaims(h)).token;
    const receipt = await h.engine.admin.revokeSigningKey({ kid: rsActive, reason: 'leaked' }, ADMIN);
    expect(receipt).toMatchObject({ accessTokensRevoked: 0 });
    expect(await h.engine.revocationsAfter(0, 10)).toEqual([expect.objectContaining({ kind: 'key', subject: rsActive })]);
    expect(await kidOf(h, 'RS256', 'active')).toBe(rsNext);
    expect(h.engine.ctx.keys.signWith('RS256', {}, idTokenClaims(h)).kid).toBe(rsNext);
    await expect(verifyIdToken(snapshot(h.engine), old, h)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    expect(await h.engine.verifyAccessToken(access.accessToken)).toMatchObject({ active: true });
    expect(await h.vault.get(rsActive)).toBeUndefined();
  });
});

describe('the access-token algorithm', () => {
  it('switched to the algorithm ID tokens use: gap-free (its key was published), and the old pair closes', async () => {
    const h = await withIdTokens();
    const cached = snapshot(h.engine);
    const rsActive = (await kidOf(h, 'RS256', 'active'))!;
    const esActive = (await kidOf(h, 'ES256', 'active'))!;
    const esNext = (await kidOf(h, 'ES256', 'next'))!;
    const settings = await h.engine.admin.updateSettings({ signingAlg: 'RS256' }, ADMIN);
    expect(settings).toMatchObject({ signingAlg: 'RS256' });
    const token = (await h.login(PHONE)).accessToken;
    expect(header(token)).toMatchObject({ alg: 'RS256', kid: rsActive });
    await expect(jwtVerify(token, cached, { issuer: ISSUER, audience: 'token-warden-api', currentDate: new Date(h.clock.now()) })).resolves.toBeDefined();
    expect(await h.store.getKey(esActive)).toMatchObject({ status: 'retiring' });
    expect(await h.store.getKey(esNext)).toMatchObject({ status: 'retired' });
    expect(await pairs(h)).toEqual(['RS256:active', 'RS256:next']);
    expect(h.engine.ctx.keys.canSign('ES256')).toBe(false);
    const rotatedEvent = (await h.store.listAudit({ limit: 5 })).find((e) => e.type === 'key.rotated')!;
    expect(rotatedEvent.data).toMatchObject({ kid: rsActive, alg: 'RS256', previousKid: esActive, gapFree: true, accessTokens: true, previousRetires: true });
    // Feed events too, and after a restart.
    expect(header(h.engine.signSecurityEvent({ iss: ISSUER, jti: 'x' })).kid).toBe(rsActive);
    await h.restart();
    expect(h.engine.ctx.keys.activeKid()).toBe(rsActive);
    expect(await pairs(h)).toEqual(['RS256:active', 'RS256:next']);
  });

  it('switched to an algorithm without keys: its pair is created and signs at once (cached key sets refuse it); the old pair stays for the ID tokens that use it', async () => {
    const h = await withIdTokens('ES256');
    expect(await pairs(h)).toEqual(['ES256:active', 'ES256:next']);
    const cached = snapshot(h.engine);
    const esActive = await kidOf(h, 'ES256', 'active');
    await h.engine.admin.updateSettings({ signingAlg: 'EdDSA', accessTokenTtlSeconds: 300 }, ADMIN);
    expect(await pairs(h)).toEqual(['ES256:active', 'ES256:next', 'EdDSA:active', 'EdDSA:next']);
    const token = (await h.login(PHONE)).accessToken;
    expect(header(token)).toMatchObject({ alg: 'EdDSA', kid: await kidOf(h, 'EdDSA', 'active') });
    await expect(jwtVerify(token, cached, { issuer: ISSUER, audience: 'token-warden-api', currentDate: new Date(h.clock.now()) })).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    expect(h.engine.ctx.keys.signWith('ES256', {}, idTokenClaims(h)).kid).toBe(esActive);
    const audit = await h.store.listAudit({ limit: 5 });
    expect(audit.find((e) => e.type === 'key.rotated')!.data).toMatchObject({ alg: 'EdDSA', previousKid: esActive, gapFree: false, publishedSince: null, previousRetires: false });
    // The other settings changed with it, in the same transaction.
    expect(audit.find((e) => e.type === 'settings.changed')!.data).toEqual({ changes: { signingAlg: { from: 'ES256', to: 'EdDSA' }, accessTokenTtlSeconds: { from: 600, to: 300 } } });
    expect(h.engine.ctx.settings).toMatchObject({ signingAlg: 'EdDSA', accessTokenTtlSeconds: 300 });
  });

  it('a settings change that commits while the switch generates its keys is kept', async () => {
    const h = await makeHarness({ initialSigningAlg: 'ES256' });
    // RS256 has no keys: the switch generates two RSA keys (each put in the vault) before its transaction.
    const put = h.vault.put.bind(h.vault);
    const generating = new Promise<void>((resolve) => {
      h.vault.put = (kid, privateJwk) => {
        resolve();
        return put(kid, privateJwk);
      };
    });
    const switching = h.engine.admin.updateSettings({ signingAlg: 'RS256' }, ADMIN);
    await generating;
    expect(await h.engine.admin.updateSettings({ accessTokenTtlSeconds: 300 }, ADMIN)).toMatchObject({ signingAlg: 'ES256', accessTokenTtlSeconds: 300 });
    await expect(switching).resolves.toMatchObject({ signingAlg: 'RS256', accessTokenTtlSeconds: 300 });
    expect(h.engine.ctx.settings).toMatchObject({ signingAlg: 'RS256', accessTokenTtlSeconds: 300 });
    await h.restart();
    expect(h.engine.ctx.settings).toMatchObject({ signingAlg: 'RS256', accessTokenTtlSeconds: 300 });
  });

  it('a rotation to an algorithm without keys is an algorithm change, as before: the access tokens move to it', async () => {
    const h = await withIdTokens();
    const key = await h.engine.admin.rotateSigningKey({ alg: 'EdDSA' }, ADMIN);
    expect(key).toMatchObject({ alg: 'EdDSA', status: 'active' });
    expect(h.engine.ctx.keys.activeKid()).toBe(key.kid);
    expect(h.engine.ctx.settings.signingAlg).toBe('EdDSA');
    // ES256 signed access tokens only: its pair closes. RS256 still signs the client's ID tokens.
    expect(await pairs(h)).toEqual(['EdDSA:active', 'EdDSA:next', 'RS256:active', 'RS256:next']);
  });
});

describe('an algorithm going out of use', () => {
  it('a client that moves its ID tokens to the access-token algorithm closes the RS256 pair: the active key retires, the next is discarded', async () => {
    const h = await withIdTokens();
    const rsActive = (await kidOf(h, 'RS256', 'active'))!;
    const rsNext = (await kidOf(h, 'RS256', 'next'))!;
    await h.engine.admin.updateClient({ clientId: 'spa', idTokenSignedResponseAlg: 'ES256' }, ADMIN);
    await reconcileSigningAlgs(h.engine.ctx);
    expect(await h.store.getKey(rsActive)).toMatchObject({ status: 'retiring', retiresAt: h.clock.now() + 605 * SECOND });
    expect(await h.store.getKey(rsNext)).toMatchObject({ status: 'retired' });
    expect(h.engine.ctx.keys.canSign('RS256')).toBe(false);
    expect((await h.store.listAudit({ limit: 2 })).map((e) => [e.type, e.data.kid])).toEqual([['key.retired', rsNext], ['key.retiring', rsActive]]);
    // It keeps verifying what it signed until it retires.
    expect(h.engine.jwks().keys.map((k) => k.kid)).toContain(rsActive);
    h.clock.advance(605 * SECOND);
    await h.engine.maintain();
    expect(await h.store.getKey(rsActive)).toMatchObject({ status: 'retired' });
    expect(h.engine.jwks().keys.map((k) => k.kid)).not.toContain(rsActive);
    expect(await h.vault.get(rsActive)).toBeUndefined();
    expect(h.errors).toEqual([]);
  });

  it('an install whose setting named an algorithm that never signed (the setting used to wait for the next rotation) keeps signing with its key, and the setting says so', async () => {
    const h = await makeHarness({ initialSigningAlg: 'EdDSA' });
    const active = (await kidOf(h, 'EdDSA', 'active'))!;
    const next = (await kidOf(h, 'EdDSA', 'next'))!;
    // As schema 4 could leave it: the setting changed to ES256, the next key regenerated with it.
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = `es.${(await calculateJwkThumbprint(publicJwk)).slice(0, 16)}`;
    await h.vault.put(kid, JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }));
    await h.vault.delete(next);
    await h.engine.close();
    await h.sql("UPDATE signing_keys SET status = 'retired' WHERE kid = ?", next);
    await h.sql("INSERT INTO signing_keys (kid, alg, public_jwk, status, created_at) VALUES (?, 'ES256', ?, 'next', 1)", kid, JSON.stringify({ ...publicJwk, kid, alg: 'ES256', use: 'sig' }));
    await h.sql({
      sqlite: "UPDATE settings SET value = json_set(value, '$.signingAlg', 'ES256') WHERE key = 'engine_settings'",
      postgres: "UPDATE settings SET value = jsonb_set(value::jsonb, '{signingAlg}', '\"ES256\"')::text WHERE key = 'engine_settings'",
    });

    await h.restart();
    expect(h.engine.ctx.settings.signingAlg).toBe('EdDSA');
    expect(h.engine.ctx.keys.activeKid()).toBe(active);
    expect(await pairs(h)).toEqual(['EdDSA:active', 'EdDSA:next']);
    expect(await h.store.getKey(kid)).toMatchObject({ status: 'retired' });
    expect((await h.store.listAudit({ limit: 10 })).find((e) => e.type === 'settings.changed')).toMatchObject({ actor: 'system', data: { changes: { signingAlg: { from: 'ES256', to: 'EdDSA' } } } });
  });
});

describe('misuse', () => {
  it('signWith an algorithm that has no pair is refused with no_active_key, naming the algorithm', async () => {
    const h = await makeHarness({ initialSigningAlg: 'ES256' });
    let error: unknown;
    try {
      h.engine.ctx.keys.prepareWith('EdDSA', {}, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WardenError);
    expect(error).toMatchObject({ code: 'no_active_key', message: 'No active EdDSA signing key is available.' });
  });
});
