/**
 * The authorization code grant's rules in the engine (RFC 6749 §4.1, RFC 7636, OIDC Core): one-time, 60 s,
 * stored hashed, bound to client + redirect URI + S256 challenge; a mismatch changes nothing; a reuse revokes
 * the session the code opened. Codes are issued the way the authorization endpoint does, inside a
 * transaction under a live browser session.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { CODE_TTL_MS, issueAuthorizationCode } from '../../../src/main/engine/authorization-codes';
import { endBrowserSession, startBrowserSession } from '../../../src/main/engine/browser-sessions';
import { sha256Hex } from '../../../src/main/engine/crypto';
import type { CodeExchangeRequest } from '../../../src/main/engine/types';
import { ADMIN, DAY, ISSUER, LAPTOP, expectCode, makeHarness, type Harness } from './harness';

const REDIRECT = 'http://127.0.0.1:9000/callback';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

async function setup(): Promise<Harness> {
  const h = await makeHarness({ initialSigningAlg: 'RS256' });
  await h.engine.admin.createClient({ clientId: 'rp', kind: 'public', name: 'Relying party', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'] }, ADMIN);
  await h.engine.admin.createClient({ clientId: 'other', kind: 'public', name: 'Other app', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'] }, ADMIN);
  return h;
}

function browserSession(h: Harness, rememberMe = false) {
  return h.engine.ctx.run(async (tx) => (await startBrowserSession(h.engine.ctx, tx, { userId: h.userId, rememberMe, ip: '127.0.0.9', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140' })).row);
}

async function issue(h: Harness, options: { scope?: string; nonce?: string | null; browserSessionId?: string; clientId?: string } = {}) {
  const row = options.browserSessionId ? (await h.store.browserSessions.get(options.browserSessionId))! : await browserSession(h);
  return h.engine.ctx.run((tx) =>
    issueAuthorizationCode(h.engine.ctx, tx, {
      clientId: options.clientId ?? 'rp',
      userId: h.userId,
      browserSessionId: row.id,
      redirectUri: REDIRECT,
      codeChallenge: CHALLENGE,
      scope: options.scope ?? 'openid profile',
      nonce: options.nonce === undefined ? 'n-0S6_WzA2Mj' : options.nonce,
      authTime: row.authTime,
    }),
  );
}

const exchange = (h: Harness, code: string, patch: Partial<CodeExchangeRequest> = {}) =>
  h.engine.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: VERIFIER, clientId: 'rp', device: LAPTOP, deviceName: () => 'Chrome on Linux', ...patch });

/** What a refused exchange must leave as it was. */
async function snapshot(h: Harness) {
  return { audit: (await h.store.lastAudit())?.seq, sessions: (await h.store.listSessions({ now: h.clock.now(), offset: 0, limit: 1 })).total, revocations: await h.store.lastRevocationId(), counters: await h.store.getCounters() };
}

const atHash = (token: string) => createHash('sha256').update(token).digest().subarray(0, 16).toString('base64url');

describe('authorization codes', () => {
  it('a code opens a session under its browser session (its remember-me lifetimes, the browser as its device) and is stored only as its SHA-256', async () => {
    const h = await setup();
    const bs = await browserSession(h, true);
    const code = await issue(h, { browserSessionId: bs.id });
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await h.store.authorizationCodes.get(sha256Hex(code))).toMatchObject({ clientId: 'rp', redirectUri: REDIRECT, codeChallenge: CHALLENGE, usedAt: null });
    expect(await h.store.authorizationCodes.get(code)).toBeUndefined();
    const tokens = await exchange(h, code);
    const session = (await h.store.getSession(tokens.sessionId))!;
    expect(session).toMatchObject({ browserSessionId: bs.id, rememberMe: true, clientId: 'rp', ip: '127.0.0.9', deviceName: 'Chrome on Linux', scope: 'openid profile' });
    expect(session.absoluteExpiresAt - session.createdAt).toBe(h.engine.ctx.settings.rememberMeAbsoluteSeconds * 1000);
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: true });
    expect(await h.store.authorizationCodes.get(sha256Hex(code))).toMatchObject({ usedAt: h.clock.now(), sessionId: tokens.sessionId });
  });

  it('a second presentation is refused and revokes the session the code opened (RFC 6749 §4.1.2)', async () => {
    const h = await setup();
    const code = await issue(h);
    const first = await exchange(h, code);
    await expectCode(() => exchange(h, code), 'authorization_code_reused');
    expect(await h.engine.verifyAccessToken(first.accessToken)).toMatchObject({ active: false, reason: 'session_revoked' });
    await expectCode(() => h.engine.refresh({ refreshToken: first.refreshToken, clientId: 'rp', device: LAPTOP }), 'session_revoked');
    const reused = await h.store.listAudit({ type: 'authorization_code.reused', limit: 10 });
    expect(reused).toHaveLength(1);
    expect(reused[0]).toMatchObject({ sessionId: first.sessionId, actor: 'client:rp' });
    // Still refused afterwards, and nothing more to revoke.
    await expectCode(() => exchange(h, code), 'authorization_code_reused');
  });

  it('two exchanges of one code at once: exactly one succeeds, the other is reuse', async () => {
    const h = await setup();
    const code = await issue(h);
    const results = await Promise.allSettled([exchange(h, code), exchange(h, code), exchange(h, code)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['authorization_code_reused', 'authorization_code_reused']);
    expect(await h.engine.verifyAccessToken((won[0] as PromiseFulfilledResult<{ accessToken: string }>).value.accessToken)).toMatchObject({ active: false, reason: 'session_revoked' });
  });

  it('another client, another redirect URI, a missing, plain or wrong verifier, a malformed or unknown code: refused, nothing changes, and the code still works', async () => {
    const h = await setup();
    const code = await issue(h);
    const before = await snapshot(h);
    const attempts: Partial<CodeExchangeRequest>[] = [
      { clientId: 'other' },
      { redirectUri: `${REDIRECT}/` },
      { redirectUri: 'http://127.0.0.1:9000/Callback' },
      { redirectUri: undefined },
      { codeVerifier: undefined },
      { codeVerifier: CHALLENGE }, // "plain": the challenge itself as the verifier
      { codeVerifier: `${VERIFIER.slice(0, -1)}A` },
      { codeVerifier: 'short' },
      { code: `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}` },
      { code: 'not a code' },
      { code: 42 },
    ];
    for (const patch of attempts) await expectCode(() => exchange(h, code, patch), 'invalid_authorization_code');
    expect(await snapshot(h)).toEqual(before);
    expect((await h.store.authorizationCodes.get(sha256Hex(code)))?.usedAt).toBeNull();
    await expect(exchange(h, code)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('a used code presented by another client or without the verifier revokes nothing', async () => {
    const h = await setup();
    const code = await issue(h);
    const first = await exchange(h, code);
    await expectCode(() => exchange(h, code, { clientId: 'other' }), 'invalid_authorization_code');
    await expectCode(() => exchange(h, code, { codeVerifier: undefined }), 'invalid_authorization_code');
    expect(await h.engine.verifyAccessToken(first.accessToken)).toMatchObject({ active: true });
  });

  it('lives 60 seconds', async () => {
    const h = await setup();
    const late = await issue(h);
    const inTime = await issue(h);
    h.clock.advance(CODE_TTL_MS - 1);
    await expect(exchange(h, inTime)).resolves.toMatchObject({ tokenType: 'Bearer' });
    h.clock.advance(1);
    const before = await snapshot(h);
    await expectCode(() => exchange(h, late), 'invalid_authorization_code');
    expect(await snapshot(h)).toEqual(before);
  });

  it('a browser session ended (or a user forced out) between the redirect and the exchange opens no session', async () => {
    const h = await setup();
    const bs = await browserSession(h);
    const code = await issue(h, { browserSessionId: bs.id });
    await h.engine.ctx.run((tx) => endBrowserSession(h.engine.ctx, tx, bs.id, 'admin:test', 'test', 'logout'));
    await expectCode(() => exchange(h, code), 'invalid_authorization_code');
    const forced = await issue(h);
    await h.engine.admin.forceLogout({ userId: h.userId }, ADMIN);
    await expectCode(() => exchange(h, forced), 'invalid_authorization_code');
    expect(await h.store.listActiveSessionsOfUser(h.userId, h.clock.now())).toEqual([]);
  });

  it('a client that may not use the grant is refused, at issue and at exchange', async () => {
    const h = await setup();
    const code = await issue(h);
    await h.engine.admin.updateClient({ clientId: 'rp', grantTypes: ['password', 'refresh_token'] }, ADMIN);
    await expectCode(() => exchange(h, code), 'unauthorized_client');
    await expectCode(() => issue(h), 'unauthorized_client');
  });

  it('binds only what the client registered and an S256-shaped challenge', async () => {
    const h = await setup();
    const bs = await browserSession(h);
    const base = { clientId: 'rp', userId: h.userId, browserSessionId: bs.id, redirectUri: REDIRECT, codeChallenge: CHALLENGE, scope: 'openid', nonce: null, authTime: bs.authTime };
    const run = (patch: object) => () => h.engine.ctx.run((tx) => issueAuthorizationCode(h.engine.ctx, tx, { ...base, ...patch }));
    await expectCode(run({ redirectUri: 'http://127.0.0.1:9000/other' }), 'invalid_input');
    await expectCode(run({ codeChallenge: VERIFIER.slice(0, 42) }), 'invalid_input');
    await expectCode(run({ codeChallenge: 'plain-verifier-used-as-challenge-which-is-too-long-for-s256' }), 'invalid_input');
    await expectCode(run({ nonce: 'x'.repeat(256) }), 'invalid_input');
    await expectCode(run({ scope: 'a  b' }), 'invalid_scope');
  });

  it('the ID token: iss, sub, aud, exp, iat, auth_time, nonce, sid, at_hash, amr, preferred_username; RS256, verified with jose', async () => {
    const h = await setup();
    const bs = await browserSession(h);
    h.clock.advance(30_000);
    const tokens = await exchange(h, await issue(h, { browserSessionId: bs.id }));
    expect(tokens.idToken).toBeDefined();
    expect(decodeProtectedHeader(tokens.idToken!)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const { payload } = await jwtVerify(tokens.idToken!, createLocalJWKSet(h.engine.jwks() as never), { issuer: ISSUER, audience: 'rp', currentDate: new Date(h.clock.now()) });
    const now = Math.floor(h.clock.now() / 1000);
    expect(payload).toEqual({
      iss: ISSUER, sub: h.userId, aud: 'rp', iat: now, exp: now + h.engine.ctx.settings.accessTokenTtlSeconds, auth_time: Math.floor(bs.authTime / 1000),
      nonce: 'n-0S6_WzA2Mj', sid: tokens.sessionId, at_hash: atHash(tokens.accessToken), amr: ['pwd'], preferred_username: 'ana',
    });
    // An ID token is not an access token: the engine's verifier refuses it as one.
    expect(await h.engine.verifyAccessToken(tokens.idToken)).toMatchObject({ active: false });
  });

  it('RS256 by default whatever signs access tokens, and the alg a client registered otherwise (both keys in the JWKS)', async () => {
    const h = await makeHarness({ initialSigningAlg: 'ES256' });
    await h.engine.admin.createClient({ clientId: 'rp', kind: 'public', name: 'Relying party', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'] }, ADMIN);
    await h.engine.admin.createClient({ clientId: 'ed', kind: 'public', name: 'EdDSA app', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'], idTokenSignedResponseAlg: 'EdDSA' }, ADMIN);
    const tokens = await exchange(h, await issue(h));
    expect(decodeProtectedHeader(tokens.accessToken).alg).toBe('ES256');
    expect(decodeProtectedHeader(tokens.idToken!).alg).toBe('RS256');
    const jwks = createLocalJWKSet(h.engine.jwks() as never);
    await expect(jwtVerify(tokens.idToken!, jwks, { issuer: ISSUER, audience: 'rp', currentDate: new Date(h.clock.now()) })).resolves.toBeDefined();
    const ed = await exchange(h, await issue(h, { clientId: 'ed' }), { clientId: 'ed' });
    expect(decodeProtectedHeader(ed.idToken!).alg).toBe('EdDSA');
    const { payload } = await jwtVerify(ed.idToken!, jwks, { issuer: ISSUER, audience: 'ed', currentDate: new Date(h.clock.now()) });
    // EdDSA's at_hash is the left half of a SHA-512 (as oidc-provider and oauth4webapi compute it).
    expect(payload.at_hash).toBe(createHash('sha512').update(ed.accessToken).digest().subarray(0, 32).toString('base64url'));
  });

  it('no openid, no ID token; no nonce asked, no nonce claim; no profile, no preferred_username', async () => {
    const h = await setup();
    expect((await exchange(h, await issue(h, { scope: 'orders:read' }))).idToken).toBeUndefined();
    const bare = await exchange(h, await issue(h, { scope: 'openid', nonce: null }));
    const claims = JSON.parse(Buffer.from(bare.idToken!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).not.toHaveProperty('nonce');
    expect(claims).not.toHaveProperty('preferred_username');
  });

  it('a refresh of an openid session brings a new ID token: same sub, aud, sid and auth_time, new iat, no nonce (OIDC Core §12.2)', async () => {
    const h = await setup();
    const bs = await browserSession(h);
    const first = await exchange(h, await issue(h, { browserSessionId: bs.id }));
    h.clock.advance(120_000);
    const refreshed = await h.engine.refresh({ refreshToken: first.refreshToken, clientId: 'rp', device: LAPTOP });
    const { payload } = await jwtVerify(refreshed.idToken!, createLocalJWKSet(h.engine.jwks() as never), { issuer: ISSUER, audience: 'rp', currentDate: new Date(h.clock.now()) });
    expect(payload).toMatchObject({ sub: h.userId, sid: first.sessionId, auth_time: Math.floor(bs.authTime / 1000), iat: Math.floor(h.clock.now() / 1000), at_hash: atHash(refreshed.accessToken) });
    expect(payload).not.toHaveProperty('nonce');
    // A password-grant session has no ID token to refresh, whatever its scope says.
    const password = await h.engine.login({ username: 'ana', password: 'correct horse battery', clientId: 'web', device: LAPTOP, rememberMe: false, scope: 'openid' });
    expect((await h.engine.refresh({ refreshToken: password.refreshToken, clientId: 'web', device: LAPTOP })).idToken).toBeUndefined();
  });

  it('userinfo: sub, preferred_username for profile; refused without openid, and once the user is forced out', async () => {
    const h = await setup();
    const tokens = await exchange(h, await issue(h));
    expect(await h.engine.userinfo(tokens.accessToken)).toEqual({ ok: true, claims: { sub: h.userId, preferred_username: 'ana' } });
    const bare = await exchange(h, await issue(h, { scope: 'openid' }));
    expect(await h.engine.userinfo(bare.accessToken)).toEqual({ ok: true, claims: { sub: h.userId } });
    const plain = await exchange(h, await issue(h, { scope: 'orders:read' }));
    expect(await h.engine.userinfo(plain.accessToken)).toMatchObject({ ok: false, error: 'insufficient_scope' });
    expect(await h.engine.userinfo(tokens.idToken)).toMatchObject({ ok: false, error: 'invalid_token' });
    expect(await h.engine.userinfo('garbage')).toMatchObject({ ok: false, error: 'invalid_token' });
    h.clock.advance(1000);
    await h.engine.admin.forceLogout({ userId: h.userId }, ADMIN);
    expect(await h.engine.userinfo(tokens.accessToken)).toMatchObject({ ok: false, error: 'invalid_token' });
  });

  it('records are purged once nobody needs them: an unused code an hour after it expired, a used one with its session', async () => {
    const h = await setup();
    const unused = await issue(h, { scope: 'openid' });
    const used = await issue(h, { scope: 'openid' });
    const tokens = await exchange(h, used);
    h.clock.advance(CODE_TTL_MS + 3600_000 + 1);
    await h.engine.maintain();
    expect(await h.store.authorizationCodes.get(sha256Hex(unused))).toBeUndefined();
    expect(await h.store.authorizationCodes.getBySession(tokens.sessionId)).toBeDefined();
    h.clock.advance(DAY);
    await h.engine.maintain();
    expect(await h.store.authorizationCodes.getBySession(tokens.sessionId)).toBeUndefined();
  });
});
