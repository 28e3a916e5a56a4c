/**
 * Several instances need one vault (src/main/keys/shared-vault.ts): on a database whose keys another instance made
 * with `--key-store database`, an instance started with its own memory key store would find none of their private
 * halves and, left alone, replace the keys under the others' feet. It is refused at start with what to do; on a
 * database without keys it starts, warning that no other instance could join it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SecretText } from '../../src/main/keys/master-key';
import { freePort } from '../helpers/cluster';
import { freshDatabase, describePg } from '../helpers/postgres';
import { startPgInstances, type PgInstances } from '../helpers/pg-instances';
import { startTestWarden } from '../helpers/warden';

describePg('key stores of instances sharing a database', () => {
  let pair: PgInstances;
  let root: string;
  beforeAll(async () => {
    pair = await startPgInstances(1);
    root = await mkdtemp(path.join(os.tmpdir(), 'warden-key-store-'));
  }, 120_000);
  afterAll(async () => {
    await pair?.close();
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  it("refuses an instance whose own key store lacks the database's private keys, and changes no key", async () => {
    const store = pair.instances[0]!.t.warden.engine.store;
    const keysBefore = (await store.listKeys()).map((key) => `${key.kid}:${key.status}`);
    const started = startTestWarden({
      dataDir: path.join(root, 'memory'), port: await freePort(), issuer: pair.instances[0]!.t.warden.issuer,
      database: new SecretText(pair.database), keyStore: 'memory', warn: () => {},
    });
    const error = await started.then(async (t) => {
      await t.close();
      return undefined;
    }, (failure: unknown) => failure as { code?: string; message?: string });
    expect(error?.code).toBe('invalid_input');
    expect(error?.message).toMatch(/not in the memory key store .*--key-store database and the same master key/);
    expect((await store.listKeys()).map((key) => `${key.kid}:${key.status}`)).toEqual(keysBefore);
  });

  it('starts alone on a database without keys, warning that no other instance could join', async () => {
    const warnings: string[] = [];
    const t = await startTestWarden({ dataDir: path.join(root, 'alone'), database: new SecretText(await freshDatabase()), keyStore: 'memory', warn: (line) => warnings.push(line) });
    await t.close();
    expect(warnings.join('\n')).toContain('--key-store memory with --database');
  });
});
