/**
 * The store's client methods on SQLite, in a file and in ':memory:': updateClient writes what it is given and
 * nothing else, survives a reopen, refuses fields that never change; and the schema-5 upgrade gives existing
 * clients the grants they could use (public: password and refresh; confidential: none).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, openStore } from '../../src/main/store/index';
import { MIGRATIONS, migrate } from '../../src/main/store/migrations';
import type { ClientRow, NewClientRow, Store } from '../../src/main/store/store';

const T0 = Date.UTC(2026, 0, 1);
const CLIENT: NewClientRow = {
  clientId: 'notes', kind: 'public', name: 'Notes', secretHash: null, createdAt: T0, redirectUris: ['https://notes.example.com/cb'],
  postLogoutRedirectUris: [], backchannelLogoutUri: null, grantTypes: ['authorization_code', 'refresh_token'],
  idTokenSignedResponseAlg: 'RS256', updatedAt: null,
};
/** CLIENT as read back: schema 6's administration fields all none. */
const STORED: ClientRow = {
  ...CLIENT, disabledAt: null, disabledReason: null, deletedAt: null, previousSecretHash: null, previousSecretExpiresAt: null,
  accessTokenTtlSeconds: null, refreshIdleSeconds: null, refreshAbsoluteSeconds: null,
};

const dirs: string[] = [];
const opened: Store[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-clients-'));
  dirs.push(dir);
  return dir;
}
function open(at: string): Store {
  const store = openStore(at);
  opened.push(store);
  return store;
}

describe.each([
  ['a file', () => join(tempDir(), 'warden.db')],
  [':memory:', () => ':memory:'],
])('client rows in %s', (_where, location) => {
  it('updateClient changes the given fields only, list and get agree', async () => {
    const store = open(location());
    await store.insertClient(CLIENT);
    await store.insertClient({ ...CLIENT, clientId: 'other', name: 'Other' });
    expect(await store.getClient('notes')).toEqual(STORED); // now cached
    await store.transaction(() =>
      store.updateClient('notes', {
        name: 'Notes for the web', redirectUris: ['https://notes.example.com/cb', 'http://127.0.0.1:3000/cb'],
        postLogoutRedirectUris: ['https://notes.example.com/'], backchannelLogoutUri: 'https://notes.example.com/bc',
        grantTypes: ['password', 'refresh_token'], idTokenSignedResponseAlg: 'ES256', updatedAt: T0 + 1,
      }),
    );
    const expected: ClientRow = {
      ...STORED, name: 'Notes for the web', redirectUris: ['https://notes.example.com/cb', 'http://127.0.0.1:3000/cb'],
      postLogoutRedirectUris: ['https://notes.example.com/'], backchannelLogoutUri: 'https://notes.example.com/bc',
      grantTypes: ['password', 'refresh_token'], idTokenSignedResponseAlg: 'ES256', updatedAt: T0 + 1,
    };
    expect(await store.getClient('notes')).toEqual(expected);
    expect(await store.listClients()).toEqual([expected, { ...STORED, clientId: 'other', name: 'Other' }]);
    // A partial patch leaves the rest alone; undefined fields are no change.
    await store.updateClient('notes', { backchannelLogoutUri: null, name: undefined });
    expect(await store.getClient('notes')).toEqual({ ...expected, backchannelLogoutUri: null });
  });

  it('refuses an unknown client (not_found) and fields a registration change never touches (TypeError), writing nothing', async () => {
    const store = open(location());
    await store.insertClient(CLIENT);
    await expect(() => store.updateClient('nobody', { name: 'x' })).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    for (const field of ['kind', 'createdAt', 'clientId']) {
      await expect(() => store.updateClient('notes', { [field]: 'x' } as never)).rejects.toThrow(TypeError);
    }
    expect(await store.getClient('notes')).toEqual(STORED);
  });
});

describe('client registration on disk', () => {
  it('an update survives a reopen', async () => {
    const path = join(tempDir(), 'warden.db');
    const first = openStore(path);
    await first.insertClient(CLIENT);
    await first.updateClient('notes', { redirectUris: [], grantTypes: [], updatedAt: T0 + 5 });
    await first.close();
    expect(await open(path).getClient('notes')).toEqual({ ...STORED, redirectUris: [], grantTypes: [], updatedAt: T0 + 5 });
  });

  it('the administration state (disabled, tombstone, previous secret, lifetimes) survives a reopen; the schema keeps a previous secret and its expiry together', async () => {
    const path = join(tempDir(), 'warden.db');
    const first = openStore(path);
    await first.insertClient({ ...CLIENT, accessTokenTtlSeconds: 60 });
    const state = {
      disabledAt: T0 + 1, disabledReason: 'incident 42', deletedAt: T0 + 2, secretHash: 'b'.repeat(64), previousSecretHash: 'a'.repeat(64),
      previousSecretExpiresAt: T0 + 3, refreshIdleSeconds: 600, refreshAbsoluteSeconds: 3600,
    };
    await first.updateClient('notes', state);
    await expect(() => first.updateClient('notes', { previousSecretHash: null })).rejects.toThrow(expect.objectContaining({ code: 'invalid_input' }));
    await first.close();
    expect(await open(path).getClient('notes')).toEqual({ ...STORED, accessTokenTtlSeconds: 60, ...state });
  });

  it('the schema-5 upgrade keeps the password grant for public clients and gives confidential ones none', async () => {
    const path = join(tempDir(), 'v4.db');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 4));
    old.exec(`INSERT INTO clients (client_id, kind, name, secret_hash, created_at) VALUES
      ('app', 'public', 'App', NULL, 1), ('api', 'confidential', 'API', '${'a'.repeat(64)}', 2)`);
    old.close();
    const store = openSqliteStore(path);
    opened.push(store);
    expect((await store.listClients()).map(({ clientId, grantTypes, redirectUris, idTokenSignedResponseAlg, updatedAt }) => ({ clientId, grantTypes, redirectUris, idTokenSignedResponseAlg, updatedAt }))).toEqual([
      { clientId: 'app', grantTypes: ['password', 'refresh_token'], redirectUris: [], idTokenSignedResponseAlg: 'RS256', updatedAt: null },
      { clientId: 'api', grantTypes: [], redirectUris: [], idTokenSignedResponseAlg: 'RS256', updatedAt: null },
    ]);
  });
});
