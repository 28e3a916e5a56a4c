/**
 * GET /oauth/authorize on the wire: what is shown as a page (never redirected: the client or the redirect URI
 * cannot be trusted), what goes back to the app as an error with `state` and `iss` (RFC 9207), PKCE S256 only,
 * prompt=none without a browser session. Every refusal changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, getPage, pkce, redirectParams, registerApp } from '../helpers/front-channel';
import { startTestWarden, type TestWarden } from '../helpers/warden';

describe('authorization endpoint: request validation', () => {
  let t: TestWarden;
  let app: { clientId: string; redirectUri: string };
  const { challenge } = pkce();
  const valid = () => ({ client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', state: 'st-123' });

  beforeAll(async () => {
    t = await startTestWarden();
    app = await registerApp(t);
  });
  afterAll(() => t?.close());

  async function expectErrorPage(params: Record<string, string | string[]>) {
    const before = await t.snapshot();
    const response = await getPage(authorizeUrl(t, params));
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toContain('role="alert"');
    // The page offers no way onward to the address it refused.
    expect(html).not.toMatch(/<a |<form|http-equiv/i);
    expect(await t.snapshot()).toEqual(before);
    return html;
  }

  it('an unknown or missing client_id is an error page, not a redirect', async () => {
    await expectErrorPage({ ...valid(), client_id: 'no-such-app' });
    const { client_id: _, ...noClient } = valid();
    await expectErrorPage(noClient);
    await expectErrorPage({ ...valid(), client_id: [app.clientId, app.clientId] });
  });

  it('an unregistered or look-alike redirect_uri is never redirected to', async () => {
    const registered = new URL(app.redirectUri);
    const lookAlikes = [
      'https://evil.example/callback',
      `${app.redirectUri}/`,
      `${app.redirectUri}?next=https://evil.example`,
      `${app.redirectUri}#x`,
      app.redirectUri.toUpperCase(),
      app.redirectUri.replace('/callback', '/CALLBACK'),
      app.redirectUri.replace('/callback', '/callback/../../evil'),
      app.redirectUri.replace('/callback', '/callback%2F..%2Fevil'),
      app.redirectUri.replace('127.0.0.1:9', '127.0.0.1:9.evil.example'),
      app.redirectUri.replace('127.0.0.1:9', 'localhost:9'),
      app.redirectUri.replace('127.0.0.1:9', '127.0.0.1:10'),
      app.redirectUri.replace('127.0.0.1:9', '127.0.0.1:9@evil.example'),
      app.redirectUri.replace('http:', 'https:'),
      `${registered.origin}${registered.pathname}extra`,
      ` ${app.redirectUri}`,
    ];
    for (const redirectUri of lookAlikes) {
      const html = await expectErrorPage({ ...valid(), redirect_uri: redirectUri });
      expect(html).toContain('not one registered');
    }
    // Missing, or the registered one repeated beside another.
    const { redirect_uri: _, ...noRedirect } = valid();
    await expectErrorPage(noRedirect);
    await expectErrorPage({ ...valid(), redirect_uri: [app.redirectUri, 'https://evil.example/callback'] });
  });

  async function expectErrorRedirect(params: Record<string, string | string[]>, error: string) {
    const before = await t.snapshot();
    const response = await getPage(authorizeUrl(t, params));
    expect(response.status).toBe(302);
    const query = redirectParams(response, app.redirectUri);
    expect(query.get('error')).toBe(error);
    expect(query.get('iss')).toBe(t.baseUrl);
    expect(query.get('code')).toBeNull();
    expect(await t.snapshot()).toEqual(before);
    return query;
  }

  it('PKCE is required, and only S256: plain or missing is refused back to the app', async () => {
    for (const method of ['plain', 's256', undefined]) {
      const params: Record<string, string> = { ...valid() };
      if (method === undefined) delete params.code_challenge_method;
      else params.code_challenge_method = method;
      const query = await expectErrorRedirect(params, 'invalid_request');
      expect(query.get('state')).toBe('st-123');
      expect(query.get('error_description')).toMatch(/PKCE/);
    }
    const { code_challenge: _, ...noChallenge } = valid();
    await expectErrorRedirect(noChallenge, 'invalid_request');
    // A plain challenge is a verifier, not a SHA-256: refused even when called S256.
    await expectErrorRedirect({ ...valid(), code_challenge: 'too-short-to-be-a-sha256' }, 'invalid_request');
  });

  it('every error redirect carries iss and the state; response_type=code only; repeats refused', async () => {
    expect((await expectErrorRedirect({ ...valid(), response_type: 'token' }, 'unsupported_response_type')).get('state')).toBe('st-123');
    const { response_type: _, ...noType } = valid();
    await expectErrorRedirect(noType, 'invalid_request');
    await expectErrorRedirect({ ...valid(), scope: 'bad"scope' }, 'invalid_scope');
    await expectErrorRedirect({ ...valid(), prompt: 'select_everything' }, 'invalid_request');
    await expectErrorRedirect({ ...valid(), prompt: 'none login' }, 'invalid_request');
    await expectErrorRedirect({ ...valid(), max_age: '-1' }, 'invalid_request');
    await expectErrorRedirect({ ...valid(), nonce: 'n'.repeat(300) }, 'invalid_request');
    await expectErrorRedirect({ ...valid(), code_challenge_method: ['S256', 'plain'] }, 'invalid_request');
    // No state sent: none returned.
    const { state: _s, ...noState } = valid();
    expect((await expectErrorRedirect({ ...noState, response_type: 'token' }, 'unsupported_response_type')).has('state')).toBe(false);
  });

  it('a client without the authorization_code grant is refused back to the app (unauthorized_client)', async () => {
    const clientId = `pw-${Date.now().toString(36)}`;
    const redirectUri = 'http://127.0.0.1:9/password-only/callback';
    await t.admin('createClient', { clientId, kind: 'public', name: 'Password app', redirectUris: [redirectUri], grantTypes: ['password', 'refresh_token'] });
    const response = await getPage(authorizeUrl(t, { ...valid(), client_id: clientId, redirect_uri: redirectUri }));
    const query = redirectParams(response, redirectUri);
    expect(query.get('error')).toBe('unauthorized_client');
    expect(query.get('iss')).toBe(t.baseUrl);
  });

  it('prompt=none without a browser session: login_required back to the app, with state and iss', async () => {
    const query = await expectErrorRedirect({ ...valid(), prompt: 'none' }, 'login_required');
    expect(query.get('state')).toBe('st-123');
  });

  it('a valid request without a browser session shows the sign-in page', async () => {
    const response = await getPage(authorizeUrl(t, valid()));
    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('name="password"');
  });
});
