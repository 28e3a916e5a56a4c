/**
 * --key-store database on a SQLite file: the vault's round trip, its refusals of altered rows, the start-up
 * check of the master key, and the rotation of the master key (one transaction: a failure midway loses nothing).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseVault } from '../../src/main/keys/database-vault';
import { MasterKey } from '../../src/main/keys/master-key';
import { rotateMasterKey } from '../../src/main/keys/rotate-master-key';
import { openStore } from '../../src/main/store/index';
import type { KeySecretRow } from '../../src/main/store/key-secret-store';
import type { Store } from '../../src/main/store/store';
import { WardenError } from '../../src/shared/errors';

const T0 = Date.UTC(2026, 3, 1, 9, 0, 0);
const now = () => T0;
const jwk = (kid: string) => JSON.stringify({ kty: 'OKP', crv: 'Ed25519', d: `private-${kid}`, x: `public-${kid}`, kid });

/** `store` with some of its keySecrets methods replaced (fault and race injection). */
function withSecrets(store: Store, replaced: Partial<Record<keyof Store['keySecrets'], (...args: never[]) => unknown>>): Store {
  const secrets = new Proxy(store.keySecrets, {
    get: (target, property) => {
      const value: unknown = replaced[property as keyof typeof replaced] ?? Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Proxy(store, {
    get: (target, property) => {
      if (property === 'keySecrets') return secrets;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function refusal(work: Promise<unknown> | (() => unknown)): Promise<WardenError> {
  const error = await Promise.resolve()
    .then(() => (typeof work === 'function' ? work() : work))
    .then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(WardenError);
  return error as WardenError;
}

describe('DatabaseVault', () => {
  let dir: string;
  let file: string;
  let store: Store;
  const reopen = async () => {
    await store.close();
    store = openStore(file);
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-db-vault-'));
    file = path.join(dir, 'warden.db');
    store = openStore(file);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps private keys sealed in the store: a round trip across a reopen, no plaintext in the row', async () => {
    const key = MasterKey.generate();
    const vault = await DatabaseVault.open(store, key, now);
    expect(vault.kind).toBe('database');
    expect(vault.kekVersion).toBe(1);
    await vault.put('kid-1', jwk('kid-1'));
    await vault.put('kid-2', jwk('kid-2'));
    await vault.put('kid-2', jwk('kid-2-replaced'));
    const row = (await store.keySecrets.get('kid-1'))!;
    expect(row.kekVersion).toBe(1);
    expect(row.ciphertext.includes(Buffer.from('private-kid-1'))).toBe(false);
    await reopen();
    const again = await DatabaseVault.open(store, key, now);
    expect(await again.get('kid-1')).toBe(jwk('kid-1'));
    expect(await again.get('kid-2')).toBe(jwk('kid-2-replaced'));
    expect(await again.get('kid-3')).toBeUndefined();
    await again.delete('kid-1');
    await again.delete('kid-1');
    expect(await again.get('kid-1')).toBeUndefined();
  });

  it('refuses a wrong master key at open, naming where it came from, and writes nothing', async () => {
    await (await DatabaseVault.open(store, MasterKey.generate(), now)).put('kid-1', jwk('kid-1'));
    const before = await store.keySecrets.listKeks();
    const error = await refusal(DatabaseVault.open(store, MasterKey.generate(), now, 'the master key file /run/secrets/mk'));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/^The master key file \/run\/secrets\/mk is not the one this database's private keys are encrypted with \(its key-check record, master-key version 1 set at 2026-04-01T09:00:00.000Z, does not open with it\)/);
    expect(await store.keySecrets.listKeks()).toEqual(before);
  });

  it('refuses rows that were altered: ciphertext, nonce, moved to another kid, relabelled with another version', async () => {
    const key = MasterKey.generate();
    const vault = await DatabaseVault.open(store, key, now);
    await vault.put('kid-1', jwk('kid-1'));
    const original = (await store.keySecrets.get('kid-1'))!;
    const flip = (buffer: Buffer) => Buffer.from(buffer.map((byte, i) => (i === 0 ? byte ^ 1 : byte)));
    const write = (row: KeySecretRow) => store.transaction(() => store.keySecrets.put(row));
    await write({ ...original, ciphertext: flip(original.ciphertext) });
    expect((await refusal(vault.get('kid-1'))).message).toMatch(/^The stored private key kid-1 failed authentication \(AES-256-GCM\)/);
    await write({ ...original, nonce: flip(original.nonce) });
    expect((await refusal(vault.get('kid-1'))).code).toBe('storage_error');
    // The row of kid-1, copied under kid-2: the kid is in the associated data.
    await write(original);
    await write({ ...original, kid: 'kid-2' });
    expect((await refusal(vault.get('kid-2'))).message).toMatch(/kid-2 failed authentication/);
    expect(await vault.get('kid-1')).toBe(jwk('kid-1'));
  });

  it('refuses a row relabelled with another master-key version (the version is in the associated data)', async () => {
    const oldKey = MasterKey.generate();
    const newKey = MasterKey.generate();
    await (await DatabaseVault.open(store, oldKey, now)).put('kid-1', jwk('kid-1'));
    const sealedUnder1 = (await store.keySecrets.get('kid-1'))!;
    await rotateMasterKey(store, oldKey, newKey, T0 + 1);
    const vault = await DatabaseVault.open(store, newKey, now);
    // Relabelled as version 2 (the current one) without being re-sealed: GCM refuses it.
    await store.transaction(() => store.keySecrets.put({ ...sealedUnder1, kekVersion: 2 }));
    expect((await refusal(vault.get('kid-1'))).message).toMatch(/kid-1 failed authentication/);
  });

  it('rotation: every key re-encrypted in one transaction, the old key refused as retired, the new one opens them', async () => {
    const oldKey = MasterKey.generate();
    const newKey = MasterKey.generate();
    const vault = await DatabaseVault.open(store, oldKey, now);
    for (const kid of ['kid-1', 'kid-2', 'kid-3']) await vault.put(kid, jwk(kid));
    expect(await rotateMasterKey(store, oldKey, newKey, T0 + 60_000)).toEqual({ from: 1, to: 2, keys: 3 });
    expect((await store.keySecrets.list()).map((row) => row.kekVersion)).toEqual([2, 2, 2]);
    // The instance that still runs with the old key can neither read nor write any more.
    expect((await refusal(vault.get('kid-1'))).message).toMatch(/rotated while this instance ran with master-key version 1; restart it with the new master key/);
    expect((await refusal(vault.put('kid-4', jwk('kid-4')))).message).toMatch(/rotated/);
    await reopen();
    const retired = await refusal(DatabaseVault.open(store, oldKey, now, 'the master key file /old'));
    expect(retired.message).toBe('The master key file /old is master-key version 1, which a rotation retired at 2026-04-01T09:01:00.000Z. Start with the current master key (version 2, set at 2026-04-01T09:01:00.000Z).');
    const rotated = await DatabaseVault.open(store, newKey, now);
    expect(rotated.kekVersion).toBe(2);
    for (const kid of ['kid-1', 'kid-2', 'kid-3']) expect(await rotated.get(kid)).toBe(jwk(kid));
    await rotated.put('kid-4', jwk('kid-4'));
    expect((await store.keySecrets.get('kid-4'))?.kekVersion).toBe(2);
    // And once more: versions keep counting, the first two keys are both refused.
    const third = MasterKey.generate();
    expect(await rotateMasterKey(store, newKey, third, T0 + 120_000)).toEqual({ from: 2, to: 3, keys: 4 });
    for (const key of [oldKey, newKey]) expect((await refusal(DatabaseVault.open(store, key, now))).message).toMatch(/which a rotation retired/);
    expect(await (await DatabaseVault.open(store, third, now)).get('kid-4')).toBe(jwk('kid-4'));
  });

  it('rotation refuses a wrong old key, the same key twice and a database without a master key, changing nothing', async () => {
    const oldKey = MasterKey.generate();
    expect((await refusal(() => rotateMasterKey(store, oldKey, MasterKey.generate(), T0))).message).toMatch(/no master key yet/);
    await (await DatabaseVault.open(store, oldKey, now)).put('kid-1', jwk('kid-1'));
    const before = { keks: await store.keySecrets.listKeks(), rows: await store.keySecrets.list() };
    expect((await refusal(() => rotateMasterKey(store, MasterKey.generate(), MasterKey.generate(), T0))).message).toMatch(/^The current master key given is not the one/);
    expect((await refusal(() => rotateMasterKey(store, oldKey, oldKey, T0))).message).toMatch(/^The new master key is the current one/);
    expect({ keks: await store.keySecrets.listKeks(), rows: await store.keySecrets.list() }).toEqual(before);
  });

  it('rotation that fails midway (the disk fills up after the first key) loses nothing: the old key still opens every key', async () => {
    const oldKey = MasterKey.generate();
    const newKey = MasterKey.generate();
    const vault = await DatabaseVault.open(store, oldKey, now);
    for (const kid of ['kid-1', 'kid-2', 'kid-3']) await vault.put(kid, jwk(kid));
    const before = { keks: await store.keySecrets.listKeks(), rows: await store.keySecrets.list() };
    // A store whose second re-encrypted write fails, as SQLite's does on a full disk: the rotation's
    // transaction has then retired version 1, written version 2 and re-sealed one key.
    let puts = 0;
    const bound = withSecrets(store, {
      put: (row: KeySecretRow) => {
        puts += 1;
        if (puts === 2) throw new WardenError('storage_error', 'The database could not complete the operation: the disk is full.');
        return store.keySecrets.put(row);
      },
    });
    expect((await refusal(() => rotateMasterKey(bound, oldKey, newKey, T0 + 1))).message).toMatch(/disk is full/);
    expect(puts).toBe(2);
    expect({ keks: await store.keySecrets.listKeks(), rows: await store.keySecrets.list() }).toEqual(before);
    await reopen();
    const still = await DatabaseVault.open(store, oldKey, now);
    for (const kid of ['kid-1', 'kid-2', 'kid-3']) expect(await still.get(kid)).toBe(jwk(kid));
    expect((await refusal(DatabaseVault.open(store, newKey, now))).code).toBe('invalid_input');
    // Run again, it completes.
    expect(await rotateMasterKey(store, oldKey, newKey, T0 + 2)).toEqual({ from: 1, to: 2, keys: 3 });
  });

  it('a racing first start: the record another instance committed first wins, the same key is accepted, another refused', async () => {
    const key = MasterKey.generate();
    const other = openStore(file);
    try {
      await (await DatabaseVault.open(other, key, now)).put('kid-1', jwk('kid-1'));
    } finally {
      await other.close();
    }
    // This instance read the master-key records before the other one committed: it saw none.
    const stale = () => {
      let first = true;
      return withSecrets(store, { listKeks: () => (first ? ((first = false), []) : store.keySecrets.listKeks()), count: () => 0 });
    };
    const vault = await DatabaseVault.open(stale(), key, now);
    expect(vault.kekVersion).toBe(1);
    expect(await store.keySecrets.listKeks()).toHaveLength(1);
    expect(await vault.get('kid-1')).toBe(jwk('kid-1'));
    expect((await refusal(DatabaseVault.open(stale(), MasterKey.generate(), now))).message).toMatch(/is not the one this database's private keys are encrypted with/);
  });
});
