/**
 * Restart with the same data directory and the REAL OS keychain: tokens issued before still verify, revoked
 * ones stay revoked, a refresh token still rotates, and a fresh resource server learns every revocation
 * from the feed's log. Run through a Secret Service:
 *   bash scripts/with-keyring.sh npx vitest run test/integration/http-restart.test.ts
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { openVault } from '../../src/main/keys/index';
import { openStore } from '../../src/main/store/index';
import { createVerifier } from '@token-warden/verifier';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { basicAuth, formBody, startTestWarden, type TestWarden } from '../helpers/warden';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string; sid: string };

describe('restart with the same data directory and keychain', () => {
  let dataDir: string | undefined;
  let running: TestWarden | undefined;
  const kids: string[] = [];
  let instanceId = '';

  afterAll(async () => {
    await running?.close();
    // Leave nothing behind in the keychain.
    if (instanceId) {
      const vault = await openVault('keychain', instanceId);
      for (const kid of kids) await vault.delete(kid);
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps issued tokens valid and revoked ones revoked', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'warden-restart-'));
    const start = async (port: number) => {
      try {
        return await startTestWarden({ dataDir, port, keyStore: 'keychain' });
      } catch (error) {
        const hint = process.env.WARDEN_KEYRING === 'ready' ? 'the Secret Service failed' : 'run it through `bash scripts/with-keyring.sh npx vitest run test/integration/http-restart.test.ts`';
        throw new Error(`This test needs the OS keychain: ${hint}. (${error instanceof Error ? error.message : String(error)})`);
      }
    };

    running = await start(0);
    const first = running;
    instanceId = first.warden.engine.store.instanceId();
    const port = first.warden.port;
    const app = await first.createPublicClient();
    const api = await first.createConfidentialClient();
    const keeper = await first.createUser();
    const leaver = await first.createUser();
    const kept = await first.login(keeper, app);
    const sessionGone = await first.login(keeper, app);
    const jtiGone = await first.login(keeper, app);
    const forcedOut = await first.login(leaver, app);
    await first.admin('revokeSession', { sessionId: claimsOf(sessionGone.access_token).sid });
    await first.admin('revokeAccessToken', { jti: claimsOf(jtiGone.access_token).jti });
    await first.admin('forceLogout', { userId: leaver.id });
    await first.admin('rotateSigningKey', {});
    kids.push(...(await first.admin('listKeys', {})).map((key) => key.kid));
    await first.close();
    running = undefined;

    // No port given: the install's stored port (and so its issuer) is reused.
    running = await start(0);
    const second = running;
    expect(second.warden.port).toBe(port);
    expect(second.baseUrl).toBe(first.baseUrl);
    expect(second.adminToken).toBe(first.adminToken);
    const keys = await second.admin('listKeys', {});
    expect(keys.map((key) => key.status).sort()).toEqual(['active', 'next', 'retiring']);

    const introspect = async (token: string) =>
      (await (
        await second.postForm('/oauth/introspect', { token }, { authorization: `Basic ${Buffer.from(`${api.clientId}:${api.clientSecret}`).toString('base64')}` })
      ).json()) as { active: boolean };
    expect(await introspect(kept.access_token)).toMatchObject({ active: true });
    expect(await second.warden.engine.verifyAccessToken(kept.access_token)).toMatchObject({ active: true });
    // A stock verifier configured with the issuer as printed at the first start.
    const jwks = createRemoteJWKSet(new URL(`${second.baseUrl}/oauth/jwks`));
    expect((await jwtVerify(kept.access_token, jwks, { issuer: first.baseUrl, audience: 'token-warden-api', typ: 'at+jwt' })).payload.iss).toBe(first.baseUrl);
    expect(await second.warden.engine.verifyAccessToken(sessionGone.access_token)).toMatchObject({ active: false, reason: 'session_revoked' });
    expect(await second.warden.engine.verifyAccessToken(jtiGone.access_token)).toMatchObject({ active: false, reason: 'jti_revoked' });
    expect(await second.warden.engine.verifyAccessToken(forcedOut.access_token)).toMatchObject({ active: false });
    expect(await introspect(sessionGone.access_token)).toEqual({ active: false });

    // The refresh token issued before the restart still rotates (signed by the new active key).
    const refreshed = await second.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: kept.refresh_token, client_id: app });
    expect(refreshed.status).toBe(200);

    // A resource server that starts now learns every revocation from the log.
    const verifier = createVerifier({ issuer: second.baseUrl, audience: 'token-warden-api', clientId: api.clientId, clientSecret: api.clientSecret });
    try {
      await verifier.start();
      expect(await verifier.verify(kept.access_token)).toMatchObject({ active: true });
      expect(await verifier.verify(sessionGone.access_token)).toMatchObject({ active: false, reason: 'session_revoked' });
      expect(await verifier.verify(jtiGone.access_token)).toMatchObject({ active: false, reason: 'jti_revoked' });
      expect((await verifier.verify(forcedOut.access_token)).active).toBe(false);
    } finally {
      verifier.stop();
    }
  });
});

describe('npm run serve, stopped and started again on the same data directory (real keychain)', () => {
  let dataDir: string | undefined;
  let service: ServeProcess | undefined;
  const kids: string[] = [];

  afterAll(async () => {
    await service?.stop();
    if (dataDir) {
      const store = openStore(path.join(dataDir, 'warden.db'));
      const instanceId = store.instanceId();
      await store.close();
      const vault = await openVault('keychain', instanceId);
      for (const kid of kids) await vault.delete(kid);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('prints the same issuer, and tokens issued before the restart still verify against it', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'warden-serve-restart-'));
    const dir = dataDir;
    // No --port: the first start picks a free one and stores it with the data.
    service = await startServeProcess(['--data-dir', dir]);
    const issuer = service.url;
    const adminToken = (await readFile(path.join(dir, 'admin-token'), 'utf8')).trim();
    const admin = async (method: string, input: unknown) => {
      const response = await fetch(`${issuer}/admin/rpc/${method}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
      const body = (await response.json()) as { ok: boolean; value?: unknown; error?: unknown };
      if (!body.ok) throw new Error(`${method}: ${JSON.stringify(body.error)}. stderr: ${service?.stderr()}`);
      return body.value as Record<string, unknown>;
    };
    const post = (pathname: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${issuer}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: formBody(params) });

    await admin('createUser', { username: 'restart-user', password: 'correct horse battery' });
    await admin('createClient', { clientId: 'restart-app', kind: 'public', name: 'Restart app', grantTypes: ['password', 'refresh_token'] });
    const api = (await admin('createClient', { clientId: 'restart-api', kind: 'confidential', name: 'Restart API', grantTypes: [] })) as { clientSecret: string };
    const login = await post('/oauth/token', { grant_type: 'password', username: 'restart-user', password: 'correct horse battery', client_id: 'restart-app' });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    expect(await service.stop('SIGTERM')).toBe(0);
    service = undefined;

    service = await startServeProcess(['--data-dir', dir]);
    expect(service.url).toBe(issuer);
    expect(service.stderr()).toBe('');
    kids.push(...((await admin('listKeys', {})) as unknown as Array<{ kid: string }>).map((key) => key.kid));

    const introspection = await post('/oauth/introspect', { token }, { authorization: basicAuth('restart-api', api.clientSecret) });
    expect(await introspection.json()).toMatchObject({ active: true, iss: issuer });
    const jwks = createRemoteJWKSet(new URL(`${issuer}/oauth/jwks`));
    expect((await jwtVerify(token, jwks, { issuer, audience: 'token-warden-api', typ: 'at+jwt' })).payload.iss).toBe(issuer);
    expect(await service.stop('SIGTERM')).toBe(0);
    service = undefined;
  });
});
