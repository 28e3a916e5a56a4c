/**
 * The authorization code grant, the ID token and UserInfo over HTTP, judged by openid-client v6 (which checks
 * the ID token as OIDC Core §3.1.3.7 requires: iss, aud, exp, iat, nonce) and by jose for what it leaves to the
 * caller (at_hash, auth_time, sid). Codes are issued the way the authorization endpoint issues them, in a
 * transaction under a browser session, so that these rules are tested apart from the hosted page.
 */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAuthorizationCode } from '../../src/main/engine/authorization-codes';
import { startBrowserSession } from '../../src/main/engine/browser-sessions';
import { basicAuth, startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { idTokenKeysReady } from '../interop-sign-in/keys';

const REDIRECT = 'http://127.0.0.1:9/callback';

describe('authorization code grant over HTTP', () => {
  let t: TestWarden;
  let user: TestUser;
  let web: { clientId: string; clientSecret: string };
  const spa = 'code-spa';
  const plain = 'code-plain';

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser('dora');
    const created = await t.admin('createClient', { clientId: 'code-web', kind: 'confidential', name: 'Web app', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'] });
    web = { clientId: 'code-web', clientSecret: created.clientSecret! };
    await t.admin('createClient', { clientId: spa, kind: 'public', name: 'SPA', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'] });
    await t.admin('createClient', { clientId: plain, kind: 'public', name: 'Password app', grantTypes: ['password', 'refresh_token'] });
    // The RS256 pair is made in the background after registration: not a change a refusal below could make.
    await idTokenKeysReady(t);
  });
  afterAll(() => t?.close());

  /** A code as the authorization endpoint issues it, and what the client keeps meanwhile. */
  async function authorize(clientId: string, scope = 'openid profile') {
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const challenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
    const ctx = t.warden.engine.ctx;
    const { code, authTime } = await ctx.run(async (tx) => {
      const { row } = await startBrowserSession(ctx, tx, { userId: user.id, rememberMe: false, ip: '127.0.0.1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' });
      return { code: await issueAuthorizationCode(ctx, tx, { clientId, userId: user.id, browserSessionId: row.id, redirectUri: REDIRECT, codeChallenge: challenge, scope, nonce, authTime: row.authTime }), authTime: row.authTime };
    });
    return { code, codeVerifier, nonce, authTime };
  }

  const exchange = (params: Record<string, string>, headers: Record<string, string> = {}) => t.postForm('/oauth/token', { grant_type: 'authorization_code', redirect_uri: REDIRECT, ...params }, headers);

  it('openid-client v6 (discovery, client_secret_basic): the code exchange, the ID token it validates, userinfo and a refresh with a new ID token', async () => {
    const config = await oidc.discovery(new URL(t.baseUrl), web.clientId, web.clientSecret, oidc.ClientSecretBasic(web.clientSecret), { execute: [oidc.allowInsecureRequests] });
    const { code, codeVerifier, nonce, authTime } = await authorize(web.clientId);
    const callback = new URL(`${REDIRECT}?code=${code}&iss=${encodeURIComponent(t.baseUrl)}`);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedNonce: nonce, idTokenExpected: true });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: t.baseUrl, sub: user.id, aud: web.clientId, nonce, auth_time: Math.floor(authTime / 1000), amr: ['pwd'], preferred_username: 'dora' });
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    // What OIDC leaves to the client: at_hash against the access token, sid against the session.
    expect(claims.at_hash).toBe(createHash('sha256').update(tokens.access_token).digest().subarray(0, 16).toString('base64url'));
    expect(claims.sid).toBe((await t.admin('inspectToken', { token: tokens.access_token })).sessionId);
    await expect(jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${t.baseUrl}/oauth/jwks`)), { issuer: t.baseUrl, audience: web.clientId })).resolves.toBeDefined();

    expect(await oidc.fetchUserInfo(config, tokens.access_token, user.id)).toEqual({ sub: user.id, preferred_username: 'dora' });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()).toMatchObject({ sub: user.id, sid: claims.sid, auth_time: claims.auth_time });
    expect(refreshed.claims()).not.toHaveProperty('nonce');
  });

  it('client_secret_post and a public client with none; the answer is no-store and readable from any origin', async () => {
    const posted = await authorize(web.clientId);
    const viaPost = await exchange({ code: posted.code, code_verifier: posted.codeVerifier, client_id: web.clientId, client_secret: web.clientSecret });
    expect(viaPost.status).toBe(200);
    const postedTokens = (await viaPost.json()) as { access_token: string; refresh_token: string };
    expect(postedTokens).toMatchObject({ token_type: 'Bearer', id_token: expect.any(String), scope: 'openid profile' });
    // Revocation takes client_secret_post too, as the metadata says.
    const revoked = await t.postForm('/oauth/revoke', { token: postedTokens.refresh_token, client_id: web.clientId, client_secret: web.clientSecret });
    expect(revoked.status).toBe(200);
    expect(await t.admin('inspectToken', { token: postedTokens.access_token })).toMatchObject({ active: false, reason: 'session_revoked' });

    const pub = await authorize(spa, 'openid');
    const viaNone = await exchange({ code: pub.code, code_verifier: pub.codeVerifier, client_id: spa }, { origin: 'http://127.0.0.1:9' });
    expect(viaNone.status).toBe(200);
    expect(viaNone.headers.get('cache-control')).toBe('no-store');
    expect(viaNone.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(`${t.baseUrl}/oauth/token`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:9', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
  });

  it('client authentication: a confidential client must authenticate, once, with its own secret', async () => {
    const { code, codeVerifier } = await authorize(web.clientId);
    const before = await t.snapshot();
    const refusals: [Record<string, string>, Record<string, string>, number, string][] = [
      [{ client_id: web.clientId }, {}, 401, 'invalid_client'],
      [{ client_id: web.clientId, client_secret: 'wrong' }, {}, 401, 'invalid_client'],
      [{ client_id: web.clientId, client_secret: '' }, {}, 401, 'invalid_client'],
      [{ client_secret: web.clientSecret }, {}, 400, 'invalid_request'],
      [{ client_secret: web.clientSecret }, { authorization: basicAuth(web.clientId, web.clientSecret) }, 400, 'invalid_request'],
      [{}, { authorization: basicAuth(web.clientId, 'wrong') }, 401, 'invalid_client'],
    ];
    for (const [params, headers, status, error] of refusals) {
      const response = await exchange({ code, code_verifier: codeVerifier, ...params }, headers);
      expect([response.status, ((await response.json()) as { error: string }).error]).toEqual([status, error]);
    }
    expect(await t.snapshot()).toEqual(before);
    const ok = await exchange({ code, code_verifier: codeVerifier }, { authorization: basicAuth(web.clientId, web.clientSecret) });
    expect(ok.status).toBe(200);
  });

  it('refusals of the code itself are invalid_grant and change nothing; a reuse is invalid_grant and revokes the session', async () => {
    const { code, codeVerifier } = await authorize(spa);
    const before = await t.snapshot();
    const wrong: Record<string, string>[] = [
      { code, code_verifier: codeVerifier, client_id: plain }, // another client (one that may not use the grant is refused too)
      { code, code_verifier: codeVerifier, client_id: spa, redirect_uri: 'http://127.0.0.1:9/callback/' },
      { code, code_verifier: codeVerifier, client_id: spa, redirect_uri: 'http://127.0.0.1:9/other' },
      { code, client_id: spa },
      { code, code_verifier: oidc.randomPKCECodeVerifier(), client_id: spa },
      { code: oidc.randomState(), code_verifier: codeVerifier, client_id: spa },
    ];
    const answers = [];
    for (const params of wrong) {
      const response = await exchange(params);
      answers.push([response.status, ((await response.json()) as { error: string }).error]);
    }
    expect(answers).toEqual([[400, 'unauthorized_client'], ...Array(5).fill([400, 'invalid_grant'])]);
    expect(await t.snapshot()).toEqual(before);

    const first = await exchange({ code, code_verifier: codeVerifier, client_id: spa });
    const tokens = (await first.json()) as { access_token: string };
    const again = await exchange({ code, code_verifier: codeVerifier, client_id: spa });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_grant', error_description: 'The authorization code was already used; the session it opened has been revoked.' });
    expect(await t.admin('inspectToken', { token: tokens.access_token })).toMatchObject({ active: false, reason: 'session_revoked' });
  });

  it('userinfo: Bearer header or form body; RFC 6750 refusals with their challenge', async () => {
    const { code, codeVerifier } = await authorize(spa, 'openid');
    const tokens = (await (await exchange({ code, code_verifier: codeVerifier, client_id: spa })).json()) as { access_token: string; id_token: string };
    const get = await fetch(`${t.baseUrl}/oauth/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
    expect(await get.json()).toEqual({ sub: user.id });
    const post = await t.postForm('/oauth/userinfo', { access_token: tokens.access_token });
    expect(await post.json()).toEqual({ sub: user.id });

    const none = await fetch(`${t.baseUrl}/oauth/userinfo`);
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="token-warden"']);
    const idToken = await fetch(`${t.baseUrl}/oauth/userinfo`, { headers: { authorization: `Bearer ${tokens.id_token}` } });
    expect(idToken.status).toBe(401);
    expect(idToken.headers.get('www-authenticate')).toMatch(/^Bearer realm="token-warden", error="invalid_token"/);
    const both = await t.postForm('/oauth/userinfo', { access_token: tokens.access_token }, { authorization: `Bearer ${tokens.access_token}` });
    expect(both.status).toBe(400);
    const password = await t.login(user, plain);
    const noOpenid = await fetch(`${t.baseUrl}/oauth/userinfo`, { headers: { authorization: `Bearer ${password.access_token}` } });
    expect(noOpenid.status).toBe(403);
    expect(noOpenid.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    const preflight = await fetch(`${t.baseUrl}/oauth/userinfo`, { method: 'OPTIONS' });
    expect([preflight.status, preflight.headers.get('access-control-allow-headers')]).toEqual([204, 'Authorization, Content-Type']);
  });
});
