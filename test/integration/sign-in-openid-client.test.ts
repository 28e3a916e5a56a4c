/**
 * openid-client v6 (Node) against the service, as its README configures it: discovery, authorization code +
 * PKCE through the real hosted page (driven with fetch and a cookie jar), ID token validation, userinfo, a
 * refresh, and the end-session URL ending the provider's browser session. Then what the client itself must
 * refuse, each refusal changing nothing at the service: a mixed-up or missing `iss` in the authorization
 * response (RFC 9207), a missing or replayed `state`.
 */
import type * as client from 'openid-client';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { CookieJar, follow, signInThroughHostedPage } from '../interop-sign-in/hosted-page-driver';
import { idTokenKeysReady } from '../interop-sign-in/keys';
import { discover, finishSignIn, refresh, signOutUrl, startSignIn } from '../interop-sign-in/openid-client-app';

// Nobody listens here: the driver stops when the provider redirects to it, as a browser would arrive.
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const SIGNED_OUT_URI = 'http://127.0.0.1:9/signed-out';
const isCallback = (url: string) => url.startsWith(REDIRECT_URI);

describe('openid-client v6: code + PKCE, ID token, userinfo, refresh, end session', () => {
  let t: TestWarden;
  let user: TestUser;
  let config: client.Configuration;
  const clientId = 'node-app';

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser('bo');
    const created = await t.admin('createClient', { clientId, kind: 'confidential', name: 'Node app', redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [SIGNED_OUT_URI] });
    config = await discover(t.baseUrl, clientId, created.clientSecret!);
    await idTokenKeysReady(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('discovers the provider: code flow with S256, the iss response parameter, end session', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(t.baseUrl);
    expect(metadata.supportsPKCE('S256')).toBe(true);
    expect(metadata.supportsPKCE('plain')).toBe(false);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.end_session_endpoint).toBe(`${t.baseUrl}/oauth/logout`);
  });

  it('signs in through the hosted page, validates the ID token, reads userinfo, refreshes and signs out', async () => {
    const jar = new CookieJar();
    const { url, pending } = await startSignIn(config, REDIRECT_URI);
    const { callbackUrl, askedForPassword } = await signInThroughHostedPage(jar, url.href, user, isCallback);
    expect(askedForPassword).toBe(true);
    const back = new URL(callbackUrl);
    expect(back.searchParams.get('iss')).toBe(t.baseUrl);
    expect(back.searchParams.get('state')).toBe(pending.state);

    const { tokens, claims, userinfo } = await finishSignIn(config, back, pending);
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    expect(claims).toMatchObject({ iss: t.baseUrl, aud: clientId, sub: user.id, nonce: pending.nonce });
    expect(typeof claims.sid).toBe('string');
    expect(typeof claims.auth_time).toBe('number');
    expect(userinfo).toMatchObject({ sub: user.id, preferred_username: 'bo' });
    const [session] = (await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 10 })).items;
    expect(session?.id).toBe(claims.sid);

    const refreshed = await refresh(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    if (refreshed.id_token) expect(refreshed.claims()).toMatchObject({ sub: user.id, sid: claims.sid });

    // A second sign-in in the same browser needs no password: the provider's browser session.
    const again = await startSignIn(config, REDIRECT_URI);
    expect((await signInThroughHostedPage(jar, again.url.href, user, isCallback)).askedForPassword).toBe(false);

    const logout = signOutUrl(config, tokens.id_token!, SIGNED_OUT_URI, 'bye-state');
    const out = await follow(jar, logout.href, (to) => to.startsWith(SIGNED_OUT_URI));
    expect(out.status).toBe(0);
    expect(new URL(out.url).searchParams.get('state')).toBe('bye-state');
    expect((await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 10 })).total).toBe(0);
    const third = await startSignIn(config, REDIRECT_URI);
    expect((await signInThroughHostedPage(jar, third.url.href, user, isCallback)).askedForPassword).toBe(true);
  });

  it('refuses a mixed-up or missing iss and a missing or replayed state, changing nothing; the code still works', async () => {
    const jar = new CookieJar();
    const earlier = await startSignIn(config, REDIRECT_URI);
    const { url, pending } = await startSignIn(config, REDIRECT_URI);
    const callback = new URL((await signInThroughHostedPage(jar, url.href, user, isCallback)).callbackUrl);
    const before = await t.snapshot();
    const tampered = (edit: (params: URLSearchParams) => void) => {
      const copy = new URL(callback);
      edit(copy.searchParams);
      return copy;
    };
    // openid-client wraps oauth4webapi's verdict: OAUTH_INVALID_RESPONSE, the parameter named in the cause.
    const refusals: Array<[string, URL, typeof pending, RegExp]> = [
      // Mix-up (RFC 9207): the response claims to come from another issuer the client also talks to.
      ['iss from another issuer', tampered((p) => p.set('iss', 'http://127.0.0.1:1')), pending, /unexpected "iss"/],
      // The metadata promises iss, so a response without it is refused too.
      ['iss missing', tampered((p) => p.delete('iss')), pending, /"iss"/],
      ['state missing', tampered((p) => p.delete('state')), pending, /"state"/],
      // A response meant for another sign-in of this client (the state the client expects differs).
      ['state of another sign-in', callback, earlier.pending, /unexpected "state"/],
    ];
    for (const [what, tamperedUrl, expected, reason] of refusals) {
      const refused: unknown = await finishSignIn(config, tamperedUrl, expected).then(() => null, (error: unknown) => error);
      expect(refused, what).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE', cause: { message: expect.stringMatching(reason) } });
    }
    expect(await t.snapshot()).toEqual(before);
    const { claims } = await finishSignIn(config, callback, pending);
    expect(claims.sub).toBe(user.id);
  });
});
