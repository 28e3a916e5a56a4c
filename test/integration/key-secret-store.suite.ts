/**
 * The behavioural suite every `KeySecretStore` must pass (store.keySecrets: sealed private keys and master-key
 * check records), on SQLite (synchronous today) and PostgreSQL (asynchronous): every call is awaited, which is
 * a no-op on a plain value. `open()` gives a fresh, empty store; `reopen` (persistent stores) the same data.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KekRow, KeySecretRow, KeySecretStore } from '../../src/main/store/key-secret-store';
import { WardenError } from '../../src/shared/errors';

/** A KeySecretStore whose methods may answer directly (SQLite today) or with a promise (PostgreSQL). */
export type AnyKeySecretStore = {
  [K in keyof KeySecretStore]: (...args: Parameters<KeySecretStore[K]>) => ReturnType<KeySecretStore[K]> | Promise<ReturnType<KeySecretStore[K]>>;
};

export interface KeySecretHarness {
  secrets(): AnyKeySecretStore;
  /** Closes and opens the same data again; absent for stores that do not persist. */
  reopen?: () => Promise<void> | void;
  cleanup(): Promise<void> | void;
}

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const kek = (version: number, over: Partial<KekRow> = {}): KekRow => ({
  version, checkNonce: Buffer.alloc(12, version), checkCiphertext: Buffer.from(`check-${version}-0123456789abcdef`), createdAt: T0 + version, retiredAt: null, ...over,
});
const secret = (kid: string, kekVersion: number, over: Partial<KeySecretRow> = {}): KeySecretRow => ({
  kid, kekVersion, nonce: Buffer.alloc(12, kid.length), ciphertext: Buffer.from(`sealed ${kid} under ${kekVersion} with its tag`), createdAt: T0, ...over,
});
const asPlain = (row: KeySecretRow | KekRow | undefined) =>
  row && Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Buffer.isBuffer(value) ? value.toString('hex') : value]));

export function keySecretStoreSuite(label: string, open: () => Promise<KeySecretHarness> | KeySecretHarness): void {
  describe(`KeySecretStore contract: ${label}`, () => {
    let h: KeySecretHarness;
    let s: () => AnyKeySecretStore;
    beforeEach(async () => {
      h = await open();
      s = () => h.secrets();
    });
    afterEach(() => h.cleanup());

    it('writes nothing before a master-key version exists, and keeps each version once', async () => {
      expect(await s().put(secret('k1', 1))).toBe(false);
      expect(await s().count()).toBe(0);
      expect(await s().insertKek(kek(1))).toBe(true);
      expect(await s().insertKek(kek(1, { createdAt: T0 + 99 }))).toBe(false);
      expect((await s().listKeks()).map(asPlain)).toEqual([asPlain(kek(1))]);
    });

    it('allows one current version: a second unretired one is a conflict', async () => {
      await s().insertKek(kek(1));
      const refused = await s().insertKek(kek(2)).then(() => undefined, (error: unknown) => error);
      expect(refused).toBeInstanceOf(WardenError);
      expect((refused as WardenError).code).toBe('conflict');
      expect(await s().listKeks()).toHaveLength(1);
    });

    it('keeps, replaces, lists in kid order, counts and deletes sealed rows, byte for byte, across a reopen', async () => {
      await s().insertKek(kek(1));
      expect(await s().put(secret('kid-b', 1))).toBe(true);
      expect(await s().put(secret('kid-a', 1))).toBe(true);
      expect(await s().put(secret('kid-b', 1, { ciphertext: Buffer.from('replaced'), nonce: Buffer.alloc(12, 9) }))).toBe(true);
      expect(asPlain(await s().get('kid-b'))).toEqual(asPlain(secret('kid-b', 1, { ciphertext: Buffer.from('replaced'), nonce: Buffer.alloc(12, 9) })));
      expect((await s().list()).map((row) => row.kid)).toEqual(['kid-a', 'kid-b']);
      expect(await s().count()).toBe(2);
      if (h.reopen) {
        await h.reopen();
        expect(asPlain(await s().get('kid-a'))).toEqual(asPlain(secret('kid-a', 1)));
        expect((await s().listKeks()).map(asPlain)).toEqual([asPlain(kek(1))]);
      }
      expect(await s().delete('kid-a')).toBe(true);
      expect(await s().delete('kid-a')).toBe(false);
      expect(await s().get('kid-a')).toBeUndefined();
      expect(await s().count()).toBe(1);
    });

    it('writes only under the current version: a retired or unknown one is refused, the next one accepted', async () => {
      await s().insertKek(kek(1));
      await s().put(secret('kid-a', 1));
      expect(await s().put(secret('kid-x', 7))).toBe(false);
      expect(await s().retireKek(1, T0 + 1000)).toBe(true);
      expect(await s().retireKek(1, T0 + 2000)).toBe(false);
      expect(await s().put(secret('kid-b', 1))).toBe(false);
      expect(await s().insertKek(kek(2))).toBe(true);
      expect(await s().put(secret('kid-a', 2))).toBe(true);
      expect((await s().get('kid-a'))?.kekVersion).toBe(2);
      expect(await s().get('kid-b')).toBeUndefined();
      expect((await s().listKeks()).map((row) => [row.version, row.retiredAt])).toEqual([[1, T0 + 1000], [2, null]]);
    });
  });
}
