/**
 * The code rules end to end: openid-client v6 signs in through the real authorization endpoint and hosted
 * page (driven with fetch and a cookie jar), checks the ID token as OIDC requires (nonce, iss, aud, and
 * auth_time against max_age), and reads userinfo; at_hash and sid are checked here. Then what the service
 * must refuse with a real code: a second redemption (which revokes the session), several at once (one wins),
 * and another client presenting it (refused, changing nothing, the code still good for its own client).
 */
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { CookieJar, signInThroughHostedPage } from '../interop-sign-in/hosted-page-driver';
import { idTokenKeysReady } from '../interop-sign-in/keys';

// Nobody listens here: the driver stops when the provider redirects to it, as a browser would arrive.
const REDIRECT_URI = 'http://127.0.0.1:9/code-callback';
const isCallback = (url: string) => url.startsWith(REDIRECT_URI);

describe('authorization codes through the hosted page (openid-client v6)', () => {
  let t: TestWarden;
  let user: TestUser;
  let config: oidc.Configuration;
  let secret: string;
  const clientId = 'code-app';
  const otherId = 'code-other';
  const jar = new CookieJar();

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser('eve');
    secret = (await t.admin('createClient', { clientId, kind: 'confidential', name: 'Code app', redirectUris: [REDIRECT_URI] })).clientSecret!;
    await t.admin('createClient', { clientId: otherId, kind: 'public', name: 'Other app', redirectUris: [REDIRECT_URI] });
    config = await oidc.discovery(new URL(t.baseUrl), clientId, secret, undefined, { execute: [oidc.allowInsecureRequests] });
    await idTokenKeysReady(t);
  });
  afterAll(() => t?.close());

  /** A real authorization response for `clientId` through the hosted page (the password the first time). */
  async function signIn(maxAge?: number) {
    const pending = { codeVerifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...(maxAge === undefined ? {} : { max_age: String(maxAge) }),
    });
    const { callbackUrl } = await signInThroughHostedPage(jar, url.href, user, isCallback);
    return { callback: new URL(callbackUrl), pending };
  }

  const redeem = (code: string, codeVerifier: string, client: Record<string, string> = { client_id: clientId, client_secret: secret }) =>
    t.postForm('/oauth/token', { grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: REDIRECT_URI, ...client });

  it('signs in: the ID token passes openid-client (nonce, iss, aud, auth_time within max_age), at_hash and sid match, userinfo answers', async () => {
    const { callback, pending } = await signIn(600);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, maxAge: 600, idTokenExpected: true });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: t.baseUrl, aud: clientId, sub: user.id, nonce: pending.nonce, amr: ['pwd'], preferred_username: 'eve' });
    expect(claims.at_hash).toBe(createHash('sha256').update(tokens.access_token).digest().subarray(0, 16).toString('base64url'));
    const session = (await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 10 })).items.find((s) => s.id === claims.sid);
    expect(session).toMatchObject({ clientId, browserSessionId: expect.any(String) });
    expect(Math.abs(Date.now() / 1000 - (claims.auth_time as number))).toBeLessThan(600);
    expect(await oidc.fetchUserInfo(config, tokens.access_token, user.id)).toEqual({ sub: user.id, preferred_username: 'eve' });
  });

  it('a real code redeemed twice: the second is invalid_grant and the session the first opened is revoked', async () => {
    const { callback, pending } = await signIn();
    const code = callback.searchParams.get('code')!;
    const first = await redeem(code, pending.codeVerifier);
    expect(first.status).toBe(200);
    const { access_token: accessToken, refresh_token: refreshToken } = (await first.json()) as { access_token: string; refresh_token: string };
    const second = await redeem(code, pending.codeVerifier);
    expect([second.status, ((await second.json()) as { error: string }).error]).toEqual([400, 'invalid_grant']);
    expect(await t.admin('inspectToken', { token: accessToken })).toMatchObject({ active: false, reason: 'session_revoked' });
    await expect(oidc.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('five redemptions of one code at once: exactly one gets tokens, and the reuse revokes its session', async () => {
    const { callback, pending } = await signIn();
    const code = callback.searchParams.get('code')!;
    const answers = await Promise.all(Array.from({ length: 5 }, () => redeem(code, pending.codeVerifier)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400]);
    const winner = (await answers.find((answer) => answer.status === 200)!.json()) as { access_token: string };
    expect(await t.admin('inspectToken', { token: winner.access_token })).toMatchObject({ active: false, reason: 'session_revoked' });
  });

  it("another client presenting the code, or this one without the verifier: refused, nothing changes, and the code still works for its own client", async () => {
    const { callback, pending } = await signIn();
    const code = callback.searchParams.get('code')!;
    const before = await t.snapshot();
    const stolen = await redeem(code, pending.codeVerifier, { client_id: otherId });
    expect([stolen.status, ((await stolen.json()) as { error: string }).error]).toEqual([400, 'invalid_grant']);
    const noVerifier = await t.postForm('/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: clientId, client_secret: secret });
    expect([noVerifier.status, ((await noVerifier.json()) as { error: string }).error]).toEqual([400, 'invalid_grant']);
    expect(await t.snapshot()).toEqual(before);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    expect(await t.admin('inspectToken', { token: tokens.access_token })).toMatchObject({ active: true });
  });
});
