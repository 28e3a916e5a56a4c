/**
 * The key-secret store on PostgreSQL: the row lock that keeps a rotation and a concurrent write of a sealed key
 * apart (two stores: two pools on one database). The shared suite runs on PostgreSQL from key-secret-store.test.ts.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import type { KekRow, KeySecretRow } from '../../src/main/store/key-secret-store';
import { describePg, freshDatabase } from '../helpers/postgres';
import { openPgStore } from '../../src/main/store/pg/pg-store';

describePg('KeySecretStore on PostgreSQL', () => {
  const T0 = Date.UTC(2026, 0, 1);
  const kek = (version: number): KekRow => ({ version, checkNonce: Buffer.alloc(12, version), checkCiphertext: Buffer.alloc(48, version), createdAt: T0, retiredAt: null });
  const row = (kid: string, kekVersion: number): KeySecretRow => ({ kid, kekVersion, nonce: Buffer.alloc(12, 7), ciphertext: Buffer.from(`sealed ${kid}`), createdAt: T0 });

  /** Resolves once some backend of `url`'s database waits for a lock (a bounded poll of pg_stat_activity). */
  async function someoneWaitsForALock(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (let i = 0; i < 500; i += 1) {
        const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
        if (rows[0]!.n > 0) return;
        await client.query('SELECT pg_sleep(0.01)');
      }
      throw new Error('no backend ever waited for a lock');
    } finally {
      await client.end();
    }
  }

  it('a write under the version a rotation is retiring waits for the rotation, then writes nothing (false)', async () => {
    const url = await freshDatabase();
    const rotation = await openPgStore({ url });
    const instance = await openPgStore({ url });
    try {
      await rotation.keySecrets.insertKek(kek(1));
      let put: Promise<boolean> | undefined;
      await rotation.transaction(async () => {
        expect(await rotation.keySecrets.retireKek(1, T0 + 1)).toBe(true);
        // Another instance, still on version 1, seals a new key meanwhile: it must wait for this transaction.
        put = instance.transaction(() => instance.keySecrets.put(row('kid-late', 1)));
        await someoneWaitsForALock(url);
        await rotation.keySecrets.insertKek(kek(2));
      });
      expect(await put).toBe(false);
      expect(await instance.keySecrets.get('kid-late')).toBeUndefined();
    } finally {
      await rotation.close();
      await instance.close();
    }
  });

  it('a rotation that starts while a write under the current version is open waits for it, then sees its row', async () => {
    const url = await freshDatabase();
    const rotation = await openPgStore({ url });
    const instance = await openPgStore({ url });
    try {
      await rotation.keySecrets.insertKek(kek(1));
      let retired: Promise<KeySecretRow[]> | undefined;
      await instance.transaction(async () => {
        expect(await instance.keySecrets.put(row('kid-early', 1))).toBe(true);
        retired = rotation.transaction(async () => {
          await rotation.keySecrets.retireKek(1, T0 + 1);
          return rotation.keySecrets.list();
        });
        await someoneWaitsForALock(url);
      });
      // The rotation's list (taken after its lock, so after the write committed) holds the row to re-encrypt.
      expect((await retired!).map((secret) => secret.kid)).toEqual(['kid-early']);
    } finally {
      await rotation.close();
      await instance.close();
    }
  });
});
