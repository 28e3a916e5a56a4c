/**
 * The engine on PostgreSQL (`--database URL`): startWarden on a fresh database serves a login, a refresh and a
 * force logout that a verifier kit on the feed applies; a restart finds everything again; and a second instance
 * on the same database is refused (one instance per database until the multi-instance step, docs/postgres.md).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createVerifier, type RevocationApplied } from '@token-warden/verifier';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startWarden } from '../../src/main/app';
import { SecretText } from '../../src/main/keys/master-key';
import { WardenError } from '../../src/shared/errors';
import { describePg, freshDatabase } from '../helpers/postgres';
import { nextEvent, startTestWarden, type TestWarden } from '../helpers/warden';

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
  const start = async (dataDir: string) => {
    const t = await startTestWarden({ dataDir, database, keyStore: 'database', masterKeyFile: keyFile, keepDir: true, warn: () => {} });
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

  it('refuses a second instance on the same database with database_in_use, and starts once the first stops', async () => {
    const first = await start(path.join(root, 'one'));
    const refusal = await startWarden({
      dataDir: path.join(root, 'two'), database, port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'database',
      masterKeyFile: keyFile, consoleDir: null, demo: false, warn: () => {},
    }).then(async (warden) => {
      await warden.close();
      return undefined;
    }, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(WardenError);
    expect((refusal as WardenError).code).toBe('database_in_use');
    expect((refusal as WardenError).message).toMatch(/one instance per database/);
    // The first one still serves.
    expect((await first.admin('listUsers', {})).items).toEqual([]);
    await stop(first);
    const next = await start(path.join(root, 'two'));
    expect((await next.admin('listUsers', {})).items).toEqual([]);
  });
});
