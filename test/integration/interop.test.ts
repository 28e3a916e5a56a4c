/**
 * Interop with code nobody here wrote: oauth4webapi (discovery, password grant, refresh with rotation,
 * revocation, introspection, RFC 9068 access-token validation) and jose's remote JWKS, against a real
 * `npm run serve` process.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe('interop: oauth4webapi and jose against npm run serve', () => {
  let dataDir: string;
  let service: ServeProcess;
  let as: oauth.AuthorizationServer;
  let publicClient: oauth.Client;
  let resourceServer: oauth.Client;
  let resourceServerAuth: oauth.ClientAuth;
  const username = 'interop-user';
  const password = 'interop password 1';

  const admin = async (method: string, input: unknown) => {
    const token = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    const response = await fetch(`${service.url}/admin/rpc/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as { ok: boolean; value: Record<string, string> };
    expect(body.ok).toBe(true);
    return body.value;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'warden-interop-'));
    service = await startServeProcess(['--data-dir', dataDir, '--key-store', 'memory', '--port', '0'], { via: 'npm' });
    await admin('createUser', { username, password });
    await admin('createClient', { clientId: 'interop-app', kind: 'public', name: 'Interop app', grantTypes: ['password', 'refresh_token'] });
    const rs = await admin('createClient', { clientId: 'interop-api', kind: 'confidential', name: 'Interop API', grantTypes: [] });
    publicClient = { client_id: 'interop-app' };
    resourceServer = { client_id: 'interop-api' };
    resourceServerAuth = oauth.ClientSecretBasic(rs.clientSecret!);
  });

  afterAll(async () => {
    // npm itself dies of the signal (the service's own clean exit is covered in http-headless.test.ts).
    await service?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('discovers the server (RFC 8414)', async () => {
    const issuer = new URL(service.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    expect(as.issuer).toBe(service.url);
    expect(as.token_endpoint).toBe(`${service.url}/oauth/token`);
  });

  it('runs the password grant, refreshes with rotation, introspects and revokes', async () => {
    const login = await oauth.processGenericTokenEndpointResponse(
      as,
      publicClient,
      await oauth.genericTokenEndpointRequest(as, publicClient, oauth.None(), 'password', { username, password }, insecure),
    );
    expect(login.token_type).toBe('bearer');
    expect(login.refresh_token).toBeTruthy();

    // jose verifies the access token against /oauth/jwks.
    const jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
    const verified = await jwtVerify(login.access_token, jwks, { issuer: service.url, audience: 'token-warden-api', typ: 'at+jwt' });
    expect(verified.payload).toMatchObject({ client_id: 'interop-app', sid: expect.any(String), jti: expect.any(String) });

    // oauth4webapi validates it as an RFC 9068 access token at a resource server.
    const claims = await oauth.validateJwtAccessToken(
      as,
      new Request('http://127.0.0.1/api', { headers: { authorization: `Bearer ${login.access_token}` } }),
      'token-warden-api',
      insecure,
    );
    expect(claims.sub).toBe(verified.payload.sub);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      publicClient,
      await oauth.refreshTokenGrantRequest(as, publicClient, oauth.None(), login.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(login.refresh_token);

    // The rotated-out token is refused with invalid_grant.
    const reuse = oauth.processRefreshTokenResponse(
      as,
      publicClient,
      await oauth.refreshTokenGrantRequest(as, publicClient, oauth.None(), login.refresh_token!, insecure),
    );
    await expect(reuse).rejects.toMatchObject({ error: 'invalid_grant' });

    // Reuse revoked the family: start over.
    const again = await oauth.processGenericTokenEndpointResponse(
      as,
      publicClient,
      await oauth.genericTokenEndpointRequest(as, publicClient, oauth.None(), 'password', { username, password }, insecure),
    );
    const introspection = await oauth.processIntrospectionResponse(
      as,
      resourceServer,
      await oauth.introspectionRequest(as, resourceServer, resourceServerAuth, again.access_token, insecure),
    );
    expect(introspection).toMatchObject({ active: true, client_id: 'interop-app', username, token_type: 'Bearer' });

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, publicClient, oauth.None(), again.refresh_token!, insecure));
    const afterRevoke = await oauth.processIntrospectionResponse(
      as,
      resourceServer,
      await oauth.introspectionRequest(as, resourceServer, resourceServerAuth, again.access_token, insecure),
    );
    expect(afterRevoke.active).toBe(false);
    await expect(
      oauth.processRefreshTokenResponse(as, publicClient, await oauth.refreshTokenGrantRequest(as, publicClient, oauth.None(), again.refresh_token!, insecure)),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('reports a wrong password as invalid_grant through the library', async () => {
    const attempt = oauth.processGenericTokenEndpointResponse(
      as,
      publicClient,
      await oauth.genericTokenEndpointRequest(as, publicClient, oauth.None(), 'password', { username, password: 'not the password' }, insecure),
    );
    await expect(attempt).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });
});
