/**
 * Signing keys in memory. Public JWKs and status live in the store; private JWKs only in the vault (OS keychain
 * or memory). The ring mirrors committed rows: it changes only through `reflect`, which the lifecycle
 * (./key-lifecycle.ts) calls after the transaction that recorded the change has committed. A rotation whose
 * commit fails therefore leaves the ring signing with the key the database still calls active.
 *
 * Keys come in pairs, one per algorithm in use (./key-lifecycle.ts decides which): an active key that signs
 * and a next key published ahead. One algorithm signs access tokens and feed events (the `signingAlg` setting;
 * `prepare`/`sign`, the hot path: one field read, no lookup); any pair's active key signs ID and logout tokens
 * (`prepareWith`/`signWith`, one Map lookup). The ring holds the private halves of every pair's active and next
 * keys, so that promoting a next key never waits on the vault.
 *
 * Several instances on one database (PostgreSQL): another instance's key change reaches this ring through
 * `refresh`, which re-reads the committed rows and fetches from the vault the private halves of active and
 * next keys it lacks (./cache-sync.ts calls it on every 'keys' signal; every lifecycle step also starts with
 * it there, so a step never plans on rows another instance has changed). That needs one vault for the whole
 * deployment: `--key-store database` (docs/postgres.md, Several instances).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { KeyStatus, SigningAlg } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { KeyVault } from '../keys/vault';
import type { KeyRow, Store } from '../store/store';
import { jwsSigningInput, signPending, type PendingJws } from './jwt';
import type { PublicJwk } from './types';

interface LoadedKey {
  row: KeyRow;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

export interface NewKey {
  row: KeyRow;
  privateKey: KeyObject;
}

interface Signer {
  kid: string;
  alg: SigningAlg;
  privateKey: KeyObject;
}

/** RFC 9068 §2.1 makes RS256 mandatory to support; 2048 bits is the size its verifiers all accept. */
const RSA_MODULUS_BITS = 2048;

/** JWKS order: the signing key first (for verifiers that try keys in order), then next, then retiring. */
const PUBLISHED: Partial<Record<KeyStatus, number>> = { active: 0, next: 1, retiring: 2 };

export class KeyRing {
  private readonly keys = new Map<string, LoadedKey>();
  /** Private halves of the active and next keys only. */
  private readonly privates = new Map<string, KeyObject>();
  /** Each algorithm's active key, when the ring holds its private half. */
  private readonly signers = new Map<SigningAlg, Signer>();
  /** The algorithm of access tokens and feed events: the committed `signingAlg` setting. */
  private accessAlg: SigningAlg | undefined;
  /** The access-token signer, resolved once per change so that `prepare` reads a field, not a map. */
  private active: Signer | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closing = false;
  private readonly refreshed = new Set<() => void>();

  private constructor(
    private readonly store: Store,
    private readonly vault: KeyVault,
    rows: KeyRow[],
  ) {
    for (const row of rows) this.remember(row);
  }

  /** A key ring on the store's key rows (read once, here; afterwards it follows committed changes). */
  static async open(store: Store, vault: KeyVault): Promise<KeyRing> {
    return new KeyRing(store, vault, await store.listKeys());
  }

  /**
   * Runs lifecycle steps one at a time. Each is asynchronous (key generation, the vault) around one
   * transaction; serialised, every step plans on the state the previous one committed.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    // Shared database: plan on the rows as committed, by this instance or another, not on this ring's memory.
    const step = this.store.changes.shared ? async () => {
      await this.reread();
      return work();
    } : work;
    return this.enqueue(step);
  }

  /**
   * Re-reads the committed key rows (and, given, the committed access-token algorithm), after the lifecycle
   * steps already queued: another instance changed them. Memory changes only once everything is read.
   */
  refresh(accessAlg?: SigningAlg, applied?: () => void): Promise<void> {
    return this.enqueue(() => this.reread(accessAlg, applied));
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** `applied` runs in the same synchronous step as the ring's change (the settings that go with it). */
  private async reread(accessAlg?: SigningAlg, applied?: () => void): Promise<void> {
    const rows = await this.store.listKeys();
    const fetched = new Map<string, KeyObject>();
    for (const row of rows) {
      if ((row.status !== 'active' && row.status !== 'next') || this.privates.has(row.kid)) continue;
      const privateKey = await this.readPrivate(row.kid);
      if (privateKey) fetched.set(row.kid, privateKey);
    }
    // From here on synchronous: no signature sees half the change.
    this.keys.clear();
    for (const row of rows) this.remember(row);
    for (const [kid, privateKey] of fetched) this.privates.set(kid, privateKey);
    if (accessAlg) this.accessAlg = accessAlg;
    this.settle();
    applied?.();
    for (const listener of this.refreshed) {
      try {
        listener();
      } catch {
        // A listener's fault must not undo the ring's change (it has its own error handling to do).
      }
    }
  }

  /**
   * Hears every re-read of the committed keys (`refresh`, and the start of each lifecycle step on a shared store):
   * for what derives from the ring (the feed's cached SETs, retirement announcements) when another instance
   * changed the keys, whose events may arrive before or after the ring has them.
   */
  onRefreshed(listener: () => void): () => void {
    this.refreshed.add(listener);
    return () => this.refreshed.delete(listener);
  }

  /** The engine is closing: background steps still queued (a client's new algorithm) have nothing to do. */
  close(): void {
    this.closing = true;
  }

  get closed(): boolean {
    return this.closing;
  }

  /** Makes a key pair with jose and puts the private half in the vault. Touches no store row and no memory. */
  async generate(alg: SigningAlg, status: 'active' | 'next', now: number): Promise<NewKey> {
    const options = alg === 'EdDSA' ? { crv: 'Ed25519' } : alg === 'RS256' ? { modulusLength: RSA_MODULUS_BITS } : {};
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...options });
    const publicJwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    const thumbprint = await calculateJwkThumbprint(publicJwk);
    const kid = `${new Date(now).toISOString().slice(0, 10)}.${thumbprint.slice(0, 16)}`;
    await this.vault.put(kid, JSON.stringify({ ...privateJwk, kid, alg }));
    const row: KeyRow = {
      kid,
      alg,
      publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
      status,
      createdAt: now,
      retiringSince: null,
      retiresAt: null,
      revokedAt: null,
    };
    return { row, privateKey: createPrivateKey({ key: { ...privateJwk }, format: 'jwk' }) };
  }

  /**
   * Reads the private halves of the committed active and next keys from the vault (at start), and signs
   * access tokens with `accessAlg`'s active key. Changes no row; `hasPrivate` then says what the vault had.
   */
  async load(accessAlg: SigningAlg): Promise<void> {
    for (const { row } of this.keys.values()) {
      if (row.status !== 'active' && row.status !== 'next') continue;
      const privateKey = await this.readPrivate(row.kid);
      if (privateKey) this.privates.set(row.kid, privateKey);
    }
    this.accessAlg = accessAlg;
    this.settle();
  }

  /**
   * Mirrors rows that have just been committed; `fresh` brings the private halves of keys it created, and
   * `accessAlg` the committed access-token algorithm when the same commit changed it.
   */
  reflect(rows: KeyRow[], fresh: NewKey[] = [], accessAlg?: SigningAlg): void {
    for (const key of fresh) this.privates.set(key.row.kid, key.privateKey);
    for (const row of rows) this.remember(row);
    if (accessAlg) this.accessAlg = accessAlg;
    this.settle();
  }

  /** True when the ring holds this key's private half (it can sign, or be promoted to sign, at once). */
  hasPrivate(kid: string): boolean {
    return this.privates.has(kid);
  }

  /** The kid of the key that signs access tokens, or with `alg` of that algorithm's active key. */
  activeKid(alg?: SigningAlg): string | undefined {
    return alg === undefined ? this.active?.kid : this.signers.get(alg)?.kid;
  }

  /** The algorithm access tokens and feed events are signed with (undefined before `load`). */
  accessTokenAlg(): SigningAlg | undefined {
    return this.accessAlg;
  }

  /** True when a token of `alg` can be signed now (`signWith` will not throw no_active_key). */
  canSign(alg: SigningAlg): boolean {
    return this.signers.has(alg);
  }

  /** Fixes an access token's header (alg, kid of the access-token key) and claims; the signature can follow later. */
  prepare(header: Record<string, unknown>, payload: Record<string, unknown>): { pending: PendingJws; kid: string } {
    if (!this.active) throw new WardenError('no_active_key', 'No active signing key is available.');
    const { alg, kid, privateKey } = this.active;
    return { pending: { signingInput: jwsSigningInput({ ...header, alg, kid }, payload), alg, key: privateKey }, kid };
  }

  /** Signs with the access-token key: feed events (SETs). */
  sign(header: Record<string, unknown>, payload: Record<string, unknown>): { token: string; kid: string } {
    const { pending, kid } = this.prepare(header, payload);
    return { token: signPending(pending), kid };
  }

  /** As `prepare`, with the active key of `alg` (ID tokens, logout tokens: the client's algorithm). */
  prepareWith(alg: SigningAlg, header: Record<string, unknown>, payload: Record<string, unknown>): { pending: PendingJws; kid: string } {
    const signer = this.signers.get(alg);
    if (!signer) throw new WardenError('no_active_key', `No active ${alg} signing key is available.`);
    const { kid, privateKey } = signer;
    return { pending: { signingInput: jwsSigningInput({ ...header, alg, kid }, payload), alg, key: privateKey }, kid };
  }

  signWith(alg: SigningAlg, header: Record<string, unknown>, payload: Record<string, unknown>): { token: string; kid: string } {
    const { pending, kid } = this.prepareWith(alg, header, payload);
    return { token: signPending(pending), kid };
  }

  get(kid: string): LoadedKey | undefined {
    return this.keys.get(kid);
  }

  status(kid: string): KeyStatus | undefined {
    return this.keys.get(kid)?.row.status;
  }

  /**
   * RFC 7517 set: the keys that sign (the access-token key first), the next ones (published ahead, so a routine
   * rotation is already known to every verifier that fetched this set since the last one), and the retiring
   * ones that still verify. Oldest first within each group.
   */
  publicJwks(): PublicJwk[] {
    const rank = (key: LoadedKey) => PUBLISHED[key.row.status]! * 2 + (key.row.alg === this.accessAlg ? 0 : 1);
    return [...this.keys.values()]
      .filter((key) => PUBLISHED[key.row.status] !== undefined)
      .sort((a, b) => rank(a) - rank(b))
      .map((key) => key.jwk);
  }

  /** Drops private halves no key needs any more and points each algorithm's signer at its committed active key. */
  private settle(): void {
    for (const kid of [...this.privates.keys()]) {
      const status = this.keys.get(kid)?.row.status;
      if (status !== 'active' && status !== 'next') this.privates.delete(kid);
    }
    this.signers.clear();
    for (const { row } of this.keys.values()) {
      const privateKey = row.status === 'active' ? this.privates.get(row.kid) : undefined;
      if (privateKey) this.signers.set(row.alg, { kid: row.kid, alg: row.alg, privateKey });
    }
    this.active = this.accessAlg === undefined ? undefined : this.signers.get(this.accessAlg);
  }

  private async readPrivate(kid: string): Promise<KeyObject | undefined> {
    const privateJwk = await this.vault.get(kid);
    if (!privateJwk) return undefined;
    try {
      const jwk = JSON.parse(privateJwk) as Record<string, unknown>;
      return createPrivateKey({ key: jwk, format: 'jwk' });
    } catch {
      return undefined;
    }
  }

  private remember(row: KeyRow): void {
    const jwk = JSON.parse(row.publicJwk) as PublicJwk;
    this.keys.set(row.kid, { row, jwk, publicKey: createPublicKey({ key: { ...jwk }, format: 'jwk' }) });
  }
}
