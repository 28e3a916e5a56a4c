/**
 * Standards details on the wire, judged where possible by code nobody here wrote: Authlib's RFC 8414
 * validator (Debian's python3-authlib, via /usr/bin/python3) and simple-oauth2 (its password grant with
 * the Basic-with-empty-secret it sends for public clients, and its revocation, which refuses any answer
 * without a JSON content type).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { decodeJwt } from 'jose';
import { ResourceOwnerPassword } from 'simple-oauth2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';

const PYTHON = '/usr/bin/python3';
const authlibMissing = (() => {
  const probe = spawnSync(PYTHON, ['-c', 'import authlib.oauth2.rfc8414'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${PYTHON} cannot import authlib (install Debian's python3-authlib): ${(probe.error?.message ?? probe.stderr).trim()}`;
})();
if (authlibMissing) console.log(`[rfc-details] skipping the Authlib metadata check: ${authlibMissing}`);

/** Runs every Authlib validator on the published document; prints each one's complaint. */
const AUTHLIB_CHECK = `
import json, sys
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
metadata = AuthorizationServerMetadata(json.load(sys.stdin))
errors = {}
for key in metadata.REGISTRY_KEYS:
    try:
        getattr(metadata, 'validate_' + key)()
    except ValueError as error:
        errors[key] = str(error)
print(json.dumps(errors))
`;

describe('standards details', () => {
  let t: TestWarden;
  let app: string;
  let other: string;
  let api: { clientId: string; clientSecret: string };
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestWarden();
    app = await t.createPublicClient();
    other = await t.createPublicClient();
    api = await t.createConfidentialClient();
    user = await t.createUser();
  });
  afterAll(() => t?.close());

  const introspect = async (token: string) =>
    (await t.postForm('/oauth/introspect', { token }, { authorization: basicAuth(api.clientId, api.clientSecret) })).json() as Promise<Record<string, unknown>>;

  const simpleOauth2 = (id: string, secret = '') =>
    new ResourceOwnerPassword({ client: { id, secret }, auth: { tokenHost: t.baseUrl, tokenPath: '/oauth/token', revokePath: '/oauth/revoke' } });

  describe('RFC 8414 metadata', () => {
    it.skipIf(authlibMissing !== null)('passes every Authlib validator', async () => {
      const metadata = (await (await fetch(`${t.baseUrl}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      const output = execFileSync(PYTHON, ['-c', AUTHLIB_CHECK], {
        input: JSON.stringify(metadata),
        encoding: 'utf8',
        // Authlib's documented switch for http:// during tests (it accepts only https and http://localhost otherwise).
        env: { ...process.env, AUTHLIB_INSECURE_TRANSPORT: '1' },
      });
      expect(JSON.parse(output)).toEqual({});
    });

    it('publishes no empty array; the code flow with S256 only; the same document as OpenID Connect Discovery', async () => {
      const metadata = (await (await fetch(`${t.baseUrl}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      const empty = Object.entries(metadata).filter(([, value]) => Array.isArray(value) && value.length === 0).map(([key]) => key);
      expect(empty).toEqual([]);
      expect(metadata).toMatchObject({
        issuer: t.baseUrl,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'password'],
        token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      });
      expect(await (await fetch(`${t.baseUrl}/.well-known/openid-configuration`)).json()).toEqual(metadata);
      // Every endpoint it names is served (whatever a bare GET gets there: a page, a refusal, 405), none is a 404.
      const urls = Object.entries(metadata).filter(([name]) => name.endsWith('_endpoint') || name === 'jwks_uri').map(([, url]) => url as string);
      expect(urls.length).toBe(9);
      for (const url of urls) {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
        await response.body?.cancel();
        expect([url, response.status === 404]).toEqual([url, false]);
      }
    });
  });

  describe('scope', () => {
    it('no default scope: no scope member, claim or introspected scope unless asked; asked, it is granted everywhere', async () => {
      const plain = await t.login(user, app);
      expect(plain).not.toHaveProperty('scope');
      expect(decodeJwt(plain.access_token)).not.toHaveProperty('scope');
      const active = await introspect(plain.access_token);
      expect(active).toMatchObject({ active: true });
      expect(active).not.toHaveProperty('scope');
      expect(await t.admin('inspectToken', { token: plain.access_token })).toMatchObject({ active: true });

      const scoped = await t.login(user, app, { scope: 'orders:read orders:write' });
      expect(scoped.scope).toBe('orders:read orders:write');
      expect(decodeJwt(scoped.access_token).scope).toBe('orders:read orders:write');
      expect(await introspect(scoped.access_token)).toMatchObject({ scope: 'orders:read orders:write' });
      expect(await introspect(scoped.refresh_token)).toMatchObject({ scope: 'orders:read orders:write' });
    });

    it('a malformed scope is invalid_scope (RFC 6749 §5.2) and changes nothing', async () => {
      const before = await t.snapshot();
      for (const scope of ['a  b', 'quote"d', 'back\\slash']) {
        const response = await t.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: app, scope });
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ error: 'invalid_scope', error_description: 'The scope is malformed.' });
      }
      expect(await t.snapshot()).toEqual(before);
    });
  });

  describe('RFC 7662 introspection', () => {
    it('token_type is Bearer for an access token (RFC 6749 §7.1) and absent for a refresh token, which has no type', async () => {
      const tokens = await t.login(user, app);
      expect(await introspect(tokens.access_token)).toMatchObject({ active: true, token_type: 'Bearer' });
      const refresh = await introspect(tokens.refresh_token);
      expect(refresh).toMatchObject({ active: true, client_id: app, sub: user.id });
      expect(refresh).not.toHaveProperty('token_type');
    });
  });

  describe('simple-oauth2 as a public client (Basic with an empty secret)', () => {
    it('signs in, refreshes and revokes both tokens: the public client is identified by the id it names', async () => {
      const client = simpleOauth2(app);
      const token = await client.getToken({ username: user.username, password: user.password });
      const session = (await t.admin('inspectToken', { token: token.token['access_token'] as string })).sessionId;
      expect((await t.admin('listSessions', { userId: user.id })).items.find((s) => s.id === session)?.clientId).toBe(app);
      const refreshed = await token.refresh();
      expect(refreshed.token['refresh_token']).not.toBe(token.token['refresh_token']);
      // RFC 7009 answers 200 with an empty JSON object and a JSON content type: simple-oauth2 parses it.
      await expect(refreshed.revoke('access_token')).resolves.toEqual({});
      await expect(refreshed.revoke('refresh_token')).resolves.toEqual({});
      expect(await introspect(refreshed.token['access_token'] as string)).toEqual({ active: false });
      expect(await introspect(refreshed.token['refresh_token'] as string)).toEqual({ active: false });
    });

    it('an empty secret never authenticates a confidential client', async () => {
      const before = await t.snapshot();
      await expect(simpleOauth2(api.clientId).getToken({ username: user.username, password: user.password })).rejects.toMatchObject({ output: { statusCode: 401 } });
      const empty = basicAuth(api.clientId, '');
      const introspection = await t.postForm('/oauth/introspect', { token: 'x' }, { authorization: empty });
      expect(introspection.status).toBe(401);
      expect(await introspection.json()).toMatchObject({ error: 'invalid_client' });
      const revocation = await t.postForm('/oauth/revoke', { token: 'x' }, { authorization: empty });
      expect(revocation.status).toBe(401);
      // An unknown id with an empty secret is no client either.
      expect((await t.postForm('/oauth/revoke', { token: 'x' }, { authorization: basicAuth('nobody', '') })).status).toBe(401);
      expect(await t.snapshot()).toEqual(before);
    });
  });

  describe('RFC 7009 revocation', () => {
    it('answers 200 with {} and a JSON content type for a token that is not known', async () => {
      const response = await t.postForm('/oauth/revoke', { token: 'not-a-token-we-know', client_id: app });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.text()).toBe('{}');
    });

    it("refuses another client's token with unauthorized_client (§2.1) and leaves it alive", async () => {
      const tokens = await t.login(user, app);
      const before = await t.snapshot();
      for (const token of [tokens.access_token, tokens.refresh_token]) {
        // Another public client naming itself, and a confidential client authenticated with its secret.
        const requests: Array<[Record<string, string>, Record<string, string>]> = [
          [{ token, client_id: other }, {}],
          [{ token }, { authorization: basicAuth(api.clientId, api.clientSecret) }],
        ];
        for (const [params, headers] of requests) {
          const response = await t.postForm('/oauth/revoke', params, headers);
          expect(response.status).toBe(400);
          expect(await response.json()).toEqual({ error: 'unauthorized_client', error_description: 'The token was not issued to this client.' });
        }
      }
      expect(await t.snapshot()).toEqual(before);
      expect(await introspect(tokens.access_token)).toMatchObject({ active: true });
      expect(await introspect(tokens.refresh_token)).toMatchObject({ active: true });
      // The owner may.
      expect((await t.postForm('/oauth/revoke', { token: tokens.refresh_token, client_id: app })).status).toBe(200);
      expect(await introspect(tokens.access_token)).toEqual({ active: false });
    });
  });
});
