/**
 * Restart with the same data directory and the REAL OS keychain: tokens issued before still verify, revoked
 * ones stay revoked, a refresh token still rotates, and a fresh resource server learns every revocation
 * from the feed's log. Run through a Secret Service:
 *   bash scripts/with-keyring.sh npx vitest run test/integration/http-restart.test.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openVault } from '../../src/main/keys/index';
import { createVerifier } from '../../src/verifier/index';
import { startTestWarden, type TestWarden } from '../helpers/warden';

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

    running = await start(port);
    const second = running;
    expect(second.baseUrl).toBe(first.baseUrl);
    expect(second.adminToken).toBe(first.adminToken);
    const keys = await second.admin('listKeys', {});
    expect(keys.map((key) => key.status).sort()).toEqual(['active', 'next', 'retiring']);

    const introspect = async (token: string) =>
      (await (
        await second.postForm('/oauth/introspect', { token }, { authorization: `Basic ${Buffer.from(`${api.clientId}:${api.clientSecret}`).toString('base64')}` })
      ).json()) as { active: boolean };
    expect(await introspect(kept.access_token)).toMatchObject({ active: true });
    expect(second.warden.engine.verifyAccessToken(kept.access_token)).toMatchObject({ active: true });
    expect(second.warden.engine.verifyAccessToken(sessionGone.access_token)).toMatchObject({ active: false, reason: 'session_revoked' });
    expect(second.warden.engine.verifyAccessToken(jtiGone.access_token)).toMatchObject({ active: false, reason: 'jti_revoked' });
    expect(second.warden.engine.verifyAccessToken(forcedOut.access_token)).toMatchObject({ active: false });
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
