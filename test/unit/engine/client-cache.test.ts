/**
 * The store serves client rows from memory (every token request authenticates its client). A registration
 * change must reach the next request once it has committed — and only then: an update whose commit fails
 * (the disk is full) leaves the old registration in force, in the store and in what the token endpoint judges.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../../../src/main/engine/clock';
import { Engine } from '../../../src/main/engine/engine';
import { MemoryVault } from '../../../src/main/keys/memory-vault';
import { openStore } from '../../../src/main/store';
import { commitFailing } from './commit-failing-store';
import { ADMIN, ISSUER, PASSWORD, PHONE, describeSqliteOnly, expectCode } from './harness';


const dirs: string[] = [];
const engines: Engine[] = [];
afterEach(async () => {
  while (engines.length) await engines.pop()!.close();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'warden-client-cache-'));
  dirs.push(dir);
  const faulty = commitFailing(openStore(join(dir, 'warden.db')));
  const engine = await Engine.open({ store: faulty.store, vault: new MemoryVault(), clock: new ManualClock(), issuer: ISSUER });
  engines.push(engine);
  await engine.admin.createUser({ username: 'ana', password: PASSWORD }, ADMIN);
  await engine.admin.createClient({ clientId: 'mobile', kind: 'public', name: 'Mobile app', grantTypes: ['password', 'refresh_token'] }, ADMIN);
  const login = () => engine.login({ username: 'ana', password: PASSWORD, clientId: 'mobile', device: PHONE, rememberMe: false });
  // A first login reads the client outside a transaction: from now on it is served from memory.
  await login();
  return { engine, faulty, login };
}

/** The cache is SqliteStore's (PgStore reads every client row: several instances share it); the fault is SQLite's. */
const describeSqliteCache = describeSqliteOnly("SqliteStore's client cache, and SQLite's disk-full failure at commit");

describeSqliteCache('the client cache follows commits', () => {
  it('a committed update is what the next request sees', async () => {
    const { engine, login } = await setup();
    expect((await engine.getClient('mobile'))?.grantTypes).toEqual(['password', 'refresh_token']);
    await engine.admin.updateClient({ clientId: 'mobile', name: 'Notes for iOS', grantTypes: ['authorization_code', 'refresh_token'] }, ADMIN);
    expect(await engine.getClient('mobile')).toMatchObject({ name: 'Notes for iOS', grantTypes: ['authorization_code', 'refresh_token'] });
    await expectCode(login, 'unauthorized_client');
  });

  it('inside the updating transaction the new row is read; after a rollback the committed one is back', async () => {
    const { engine } = await setup();
    const store = engine.store;
    await expect(() =>
      store.transaction(async () => {
        await store.updateClient('mobile', { name: 'Renamed', redirectUris: ['https://notes.example.com/cb'] });
        expect(await store.getClient('mobile')).toMatchObject({ name: 'Renamed', redirectUris: ['https://notes.example.com/cb'] });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await store.getClient('mobile')).toMatchObject({ name: 'Mobile app', redirectUris: [] });
    expect((await store.listClients()).find((client) => client.clientId === 'mobile')).toMatchObject({ name: 'Mobile app' });
  });

  it('an update that fails to commit leaves the old registration in force and unaudited', async () => {
    const { engine, faulty, login } = await setup();
    const before = await engine.getClient('mobile');
    const seq = (await engine.store.lastAudit())?.seq;
    faulty.fail(true);
    await expect(() => engine.admin.updateClient({ clientId: 'mobile', grantTypes: ['authorization_code', 'refresh_token'] }, ADMIN)).rejects.toThrow(
      expect.objectContaining({ code: 'storage_error', detail: expect.stringContaining('SQLITE_FULL') }),
    );
    faulty.fail(false);
    expect(await engine.getClient('mobile')).toEqual(before);
    expect((await engine.store.lastAudit())?.seq).toBe(seq);
    // The password grant it still has on record still works.
    await expect(login()).resolves.toHaveProperty('sessionId');
  });
});
