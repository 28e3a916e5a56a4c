/**
 * The standard endpoints on the wire: RFC 8414 metadata, the token endpoint (password and refresh grants),
 * RFC 7009 revocation, RFC 7662 introspection, RFC 7517 JWKS — and bad input, which gets an RFC error, never
 * a 500, and changes nothing.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';

describe('token service endpoints', () => {
  let t: TestWarden;
  let app: string;
  let api: { clientId: string; clientSecret: string };
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestWarden();
    app = await t.createPublicClient();
    api = await t.createConfidentialClient();
    user = await t.createUser();
  });
  afterAll(() => t?.close());

  const introspect = (token: string, authorization = basicAuth(api.clientId, api.clientSecret)) =>
    t.postForm('/oauth/introspect', { token }, { authorization });

  it('publishes RFC 8414 metadata whose issuer is the base URL', async () => {
    const response = await fetch(`${t.baseUrl}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      issuer: t.baseUrl,
      token_endpoint: `${t.baseUrl}/oauth/token`,
      revocation_endpoint: `${t.baseUrl}/oauth/revoke`,
      introspection_endpoint: `${t.baseUrl}/oauth/introspect`,
      jwks_uri: `${t.baseUrl}/oauth/jwks`,
      grant_types_supported: ['authorization_code', 'refresh_token', 'password'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
      revocation_feed_endpoint: `${t.baseUrl}/events`,
    });
  });

  it('publishes only public keys', async () => {
    const body = (await (await fetch(`${t.baseUrl}/oauth/jwks`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(body.keys.length).toBeGreaterThan(0);
    for (const key of body.keys) {
      expect(key).toMatchObject({ kid: expect.any(String), alg: expect.stringMatching(/^(EdDSA|ES256)$/), use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('password grant: tokens with no-store, the device taken from the request', async () => {
    const response = await t.postForm(
      '/oauth/token',
      { grant_type: 'password', username: user.username, password: user.password, client_id: app, remember_me: 'true' },
      { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number), access_token: expect.any(String), refresh_token: expect.any(String) });
    const sessions = await t.admin('listSessions', { userId: user.id });
    expect(sessions.items[0]).toMatchObject({ deviceName: 'Firefox on Linux', ip: '127.0.0.1', rememberMe: true, clientId: app });

    const named = await t.login(user, app, { device_name: "Ana's phone" });
    const verdict = await t.admin('inspectToken', { token: named.access_token });
    const session = (await t.admin('listSessions', { userId: user.id })).items.find((s) => s.id === verdict.sessionId);
    expect(session?.deviceName).toBe("Ana's phone");
  });

  it('refresh grant rotates, and reuse of a rotated token revokes the session', async () => {
    const first = await t.login(user, app);
    const rotate = (refreshToken: string) => t.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: app });
    const second = await rotate(first.refresh_token);
    expect(second.status).toBe(200);
    const secondBody = (await second.json()) as { refresh_token: string; access_token: string };
    expect(secondBody.refresh_token).not.toBe(first.refresh_token);

    const reuse = await rotate(first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    // The whole family died with it.
    const successor = await rotate(secondBody.refresh_token);
    expect(successor.status).toBe(400);
    expect(await successor.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await (await introspect(secondBody.access_token)).json()).toEqual({ active: false });
  });

  it('revocation (RFC 7009): 200 for known and unknown tokens; a revoked refresh token stops working', async () => {
    const tokens = await t.login(user, app);
    const revoke = (token: string, clientId = app) => t.postForm('/oauth/revoke', { token, client_id: clientId, token_type_hint: 'refresh_token' });
    expect((await revoke('not-a-token-we-know')).status).toBe(200);
    const response = await revoke(tokens.refresh_token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const refresh = await t.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: app });
    expect(await refresh.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await (await introspect(tokens.access_token)).json()).toEqual({ active: false });

    const other = await t.login(user, app);
    expect((await t.postForm('/oauth/revoke', { token: other.access_token, client_id: app })).status).toBe(200);
    expect(await (await introspect(other.access_token)).json()).toEqual({ active: false });
    expect((await t.postForm('/oauth/revoke', { client_id: app })).status).toBe(400);
    expect((await t.postForm('/oauth/revoke', { token: 'x', client_id: 'nobody' })).status).toBe(401);
  });

  it('introspection (RFC 7662) for confidential clients with client_secret_basic only', async () => {
    const tokens = await t.login(user, app);
    const active = await introspect(tokens.access_token);
    expect(active.status).toBe(200);
    expect(active.headers.get('cache-control')).toBe('no-store');
    expect(await active.json()).toMatchObject({ active: true, token_type: 'Bearer', client_id: app, sub: user.id, username: user.username, iss: t.baseUrl });
    expect(await (await introspect(tokens.refresh_token)).json()).toMatchObject({ active: true, client_id: app });
    expect(await (await introspect('garbage')).json()).toEqual({ active: false });

    for (const authorization of ['', basicAuth(api.clientId, 'wrong'), basicAuth(app, 'x'), 'Basic Zm9v']) {
      const refused = await introspect(tokens.access_token, authorization);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
    }
    const post = await t.postForm('/oauth/introspect', { token: tokens.access_token, client_id: api.clientId, client_secret: api.clientSecret });
    expect(post.status).toBe(401);
    expect((await t.postForm('/oauth/introspect', {}, { authorization: basicAuth(api.clientId, api.clientSecret) })).status).toBe(400);
  });

  describe('bad input gets the right RFC error and changes nothing', () => {
    const raw = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${t.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

    const cases: Array<[string, () => Promise<Response>, number, string]> = [
      ['unsupported grant type', () => t.postForm('/oauth/token', { grant_type: 'client_credentials', client_id: 'x' }), 400, 'unsupported_grant_type'],
      ['missing grant type', () => t.postForm('/oauth/token', { client_id: 'x' }), 400, 'invalid_request'],
      ['duplicate parameter', () => t.postForm('/oauth/token', { grant_type: 'password', username: ['a', 'b'], password: 'p', client_id: 'x' }), 400, 'invalid_request'],
      ['duplicate parameter, one empty', () => raw('grant_type=password&username=&username=a&password=p&client_id=x'), 400, 'invalid_request'],
      ['bad percent escape', () => raw('grant_type=password&username=%ZZ&password=p'), 400, 'invalid_request'],
      ['invalid UTF-8', () => raw('grant_type=password&username=%C3%28&password=p'), 400, 'invalid_request'],
      ['JSON instead of a form', () => raw('{"grant_type":"password"}', { 'content-type': 'application/json' }), 400, 'invalid_request'],
      ['no content type', () => fetch(`${t.baseUrl}/oauth/token`, { method: 'POST', body: new Uint8Array([1, 2, 3]) }), 400, 'invalid_request'],
      ['missing password', () => t.postForm('/oauth/token', { grant_type: 'password', username: 'a', client_id: app }), 400, 'invalid_request'],
      ['unknown client', () => t.postForm('/oauth/token', { grant_type: 'password', username: 'a', password: 'p', client_id: 'nobody' }), 401, 'invalid_client'],
      ['missing client', () => t.postForm('/oauth/token', { grant_type: 'password', username: 'a', password: 'p' }), 400, 'invalid_request'],
      ['confidential client without its secret', () => t.postForm('/oauth/token', { grant_type: 'password', username: 'a', password: 'p', client_id: api.clientId }), 401, 'invalid_client'],
      ['client_secret_post', () => t.postForm('/oauth/token', { grant_type: 'password', username: 'a', password: 'p', client_id: app, client_secret: 'x' }), 401, 'invalid_client'],
      ['wrong client secret', () => t.postForm('/oauth/token', { grant_type: 'password', username: 'a', password: 'p' }, { authorization: basicAuth(api.clientId, 'wrong') }), 401, 'invalid_client'],
      ['malformed Basic credentials', () => t.postForm('/oauth/token', { grant_type: 'password', username: 'a', password: 'p' }, { authorization: 'Basic bm9jb2xvbg==' }), 401, 'invalid_client'],
      [
        'client_id differing from Basic',
        () => t.postForm('/oauth/token', { grant_type: 'password', username: 'a', password: 'p', client_id: app }, { authorization: basicAuth(api.clientId, api.clientSecret) }),
        400,
        'invalid_request',
      ],
      ['garbage refresh token', () => t.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: 'x'.repeat(500), client_id: app }), 400, 'invalid_grant'],
      ['bad remember_me', () => t.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: app, remember_me: 'yes' }), 400, 'invalid_request'],
      ['oversized body', () => raw(`grant_type=password&username=${'a'.repeat(70 * 1024)}`), 413, 'invalid_request'],
      ['oversized introspection body', () => t.postForm('/oauth/introspect', { token: 'a'.repeat(70 * 1024) }, { authorization: basicAuth(api.clientId, api.clientSecret) }), 413, 'invalid_request'],
    ];

    for (const [name, send, status, error] of cases) {
      it(`${name} → ${status} ${error}`, async () => {
        const before = await t.snapshot();
        const response = await send();
        expect(response.status).toBe(status);
        const body = (await response.json()) as { error: string; error_description: string };
        expect(body).toEqual({ error, error_description: expect.any(String) });
        if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
        expect(await t.snapshot()).toEqual(before);
      });
    }

    it('an oversized chunked body (no Content-Length) → 413', async () => {
      const before = await t.snapshot();
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${t.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        const chunk = 'a'.repeat(8 * 1024);
        for (let i = 0; i < 10; i += 1) req.write(chunk);
        req.end();
      });
      expect(status).toBe(413);
      expect(await t.snapshot()).toEqual(before);
    });

    it('wrong method → 405, unknown path → 404, never a 500', async () => {
      const get = await fetch(`${t.baseUrl}/oauth/token`);
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST, OPTIONS');
      expect((await fetch(`${t.baseUrl}/nope`)).status).toBe(404);
      expect((await fetch(`${t.baseUrl}//evil.example/oauth/jwks`)).status).toBe(404);
    });
  });

  describe('slow clients', () => {
    let slow: TestWarden;
    beforeAll(async () => {
      slow = await startTestWarden({ requestTimeoutMs: 600, headersTimeoutMs: 300 });
    });
    afterAll(() => slow?.close());

    /** Sends `text`, then stalls; resolves with what the server sent before it closed the connection. */
    const stall = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(slow.warden.port, '127.0.0.1', () => socket.write(text));
        let received = '';
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error('the server kept a stalled request open'));
        }, 5_000);
        socket.on('data', (chunk) => (received += chunk.toString('utf8')));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearTimeout(timer);
          resolve(received);
        });
      });

    it('times out a client that never finishes its headers or its body (408)', async () => {
      expect(await stall('POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n')).toMatch(/^HTTP\/1\.1 408/);
      const before = await slow.snapshot();
      expect(await stall('POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=pass')).toMatch(
        /^HTTP\/1\.1 408/,
      );
      expect(await slow.snapshot()).toEqual(before);
    });
  });

  describe('failed-password throttling', () => {
    let throttled: TestWarden;
    let client: string;
    let victim: TestUser;

    beforeAll(async () => {
      throttled = await startTestWarden({ addressThrottle: { maxFailures: 3, windowMs: 60_000 } });
      client = await throttled.createPublicClient();
      victim = await throttled.createUser();
    });
    afterAll(() => throttled?.close());

    it('does not throttle successful traffic', async () => {
      for (let i = 0; i < 15; i += 1) await throttled.login(victim, client);
    });

    it('throttles an address spraying wrong passwords across users (429 + Retry-After), refresh unaffected', async () => {
      const tokens = await throttled.login(victim, client);
      const attempt = (username: string, password: string) => throttled.postForm('/oauth/token', { grant_type: 'password', username, password, client_id: client });
      for (const username of ['alice', 'bob', 'carol']) {
        const failed = await attempt(username, 'wrong password');
        expect(failed.status).toBe(400);
        expect(await failed.json()).toMatchObject({ error: 'invalid_grant' });
      }
      const refused = await attempt(victim.username, victim.password);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
      const refresh = await throttled.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: client });
      expect(refresh.status).toBe(200);
    });

    it('maps the engine per-user throttle to 429 + Retry-After', async () => {
      const fresh = await startTestWarden();
      try {
        const freshClient = await fresh.createPublicClient();
        const target = await fresh.createUser();
        await fresh.admin('updateSettings', { maxFailedLogins: 2 });
        const statuses: number[] = [];
        let retryAfter: string | null = null;
        for (let i = 0; i < 4; i += 1) {
          const response = await fresh.postForm('/oauth/token', { grant_type: 'password', username: target.username, password: 'wrong password', client_id: freshClient });
          statuses.push(response.status);
          if (response.status === 429) retryAfter = response.headers.get('retry-after');
        }
        expect(statuses).toContain(429);
        expect(Number(retryAfter)).toBeGreaterThan(0);
      } finally {
        await fresh.close();
      }
    });
  });
});
