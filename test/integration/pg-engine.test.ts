/**
 * The engine on PostgreSQL (`--database URL`): startWarden on a fresh database serves a login, a refresh and a
 * force logout that a verifier kit on the feed applies; a restart finds everything again; and a second instance
 * on the same database is refused (one instance per database until the multi-instance step, docs/postgres.md).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createVerifier, type RevocationApplied } from '@token-warden/verifier';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SecretText } from '../../src/main/keys/master-key';
import { describePg, freshDatabase } from '../helpers/postgres';
import { nextEvent, startTestWarden, type TestWarden } from '../helpers/warden';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string; sub: string };

describePg('the engine on PostgreSQL', () => {
  let root: string;
  let database: SecretText;
  let keyFile: string;
  const running: TestWarden[] = [];
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'warden-pg-engine-'));
    database = new SecretText(await freshDatabase());
    keyFile = path.join(root, 'master.key');
    await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  });
  afterEach(async () => {
    for (const t of running.splice(0)) await t.close();
    await rm(root, { recursive: true, force: true });
  });

  // Keys in the database too (encrypted under the master key): a restart on another machine finds them.
  const start = async (dataDir: string, port = 0) => {
    const t = await startTestWarden({ dataDir, database, port, keyStore: 'database', masterKeyFile: keyFile, keepDir: true, warn: () => {} });
    running.push(t);
    return t;
  };
  const stop = async (t: TestWarden) => {
    running.splice(running.indexOf(t), 1);
    await t.close();
  };

  it('logs in, refreshes, force-logs-out through the feed, and finds it all again after a restart', async () => {
    const first = await start(path.join(root, 'data'));
    expect(first.warden.engine.store.constructor.name).toBe('PgStore');
    const app = await first.createPublicClient();
    const api = await first.createConfidentialClient();
    const alice = await first.createUser();
    const bob = await first.createUser();
    const kept = await first.login(alice, app);
    const leaving = await first.login(bob, app);

    const refreshed = await first.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: kept.refresh_token, client_id: app });
    expect(refreshed.status).toBe(200);
    const rotated = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(rotated.refresh_token).not.toBe(kept.refresh_token);

    const verifier = createVerifier({ issuer: first.baseUrl, audience: 'token-warden-api', clientId: api.clientId, clientSecret: api.clientSecret });
    try {
      await verifier.start();
      expect(await verifier.verify(leaving.access_token)).toMatchObject({ active: true });
      const heard = nextEvent<RevocationApplied>((listener) => verifier.on('revocation', listener), (e) => e.subject.kind === 'user' && e.subject.id === bob.id);
      await first.admin('forceLogout', { userId: bob.id });
      await heard;
      expect((await verifier.verify(leaving.access_token)).active).toBe(false);
      expect(await verifier.verify(rotated.access_token)).toMatchObject({ active: true });
    } finally {
      verifier.stop();
    }
    const instanceId = first.warden.engine.store.instanceId();
    await stop(first);

    // A restart on the same data directory (its lock and admin token, no warden.db): every row is in PostgreSQL.
    const second = await start(path.join(root, 'data'));
    expect(second.adminToken).toBe(first.adminToken);
    expect(second.warden.engine.store.instanceId()).toBe(instanceId);
    expect((await second.admin('listUsers', {})).items.map((u) => u.username).sort()).toEqual([alice.username, bob.username].sort());
    expect(await second.warden.engine.verifyAccessToken(rotated.access_token)).toMatchObject({ active: true });
    expect((await second.warden.engine.verifyAccessToken(leaving.access_token)).active).toBe(false);
    // The used refresh token stays used (reuse detection), the rotated one rotates again.
    const reused = await second.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: kept.refresh_token, client_id: app });
    expect(reused.status).toBe(400);
    const again = await second.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: rotated.refresh_token, client_id: app });
    expect(again.status).toBe(400); // the reuse above revoked alice's session: its whole chain is gone
    expect(claimsOf(rotated.access_token).sub).toBe(alice.id);
    const bobAgain = await second.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: leaving.refresh_token, client_id: app });
    expect(bobAgain.status).toBe(400);
  });

  it('starts a second instance on the same database beside the first: both serve the same data', async () => {
    const first = await start(path.join(root, 'one'));
    // Its own port (the stored one is the first's): test/helpers/cluster.ts runs real ones behind one issuer.
    const second = await start(path.join(root, 'two'), await freePort());
    expect(second.warden.engine.store.instanceId()).toBe(first.warden.engine.store.instanceId());
    const carol = await first.createUser();
    expect((await second.admin('listUsers', {})).items.map((u) => u.id)).toEqual([carol.id]);
    await stop(second);
    // The first one still serves after the second stopped.
    expect((await first.admin('listUsers', {})).items.map((u) => u.id)).toEqual([carol.id]);
  });
});
