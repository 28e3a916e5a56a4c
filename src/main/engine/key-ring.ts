/**
 * Signing keys. Public JWKs and status live in the store; private JWKs only in the vault (OS keychain or
 * memory). Lifecycle: active (signs and verifies) → retiring (verifies only, until every token it signed
 * has expired: access-token lifetime + skew after rotation) → retired. An emergency revoke skips the wait:
 * every token the key signed is rejected at once.
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

export class KeyRing {
  private readonly keys = new Map<string, LoadedKey>();
  private active: { kid: string; alg: SigningAlg; privateKey: KeyObject } | undefined;

  constructor(
    private readonly store: Store,
    private readonly vault: KeyVault,
  ) {
    for (const row of store.listKeys()) this.remember(row);
  }

  /** Makes a key pair with jose and puts the private half in the vault. Touches no store row yet. */
  async generate(alg: SigningAlg, now: number): Promise<NewKey> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, crv: alg === 'EdDSA' ? 'Ed25519' : undefined });
    const publicJwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    const thumbprint = await calculateJwkThumbprint(publicJwk);
    const kid = `${new Date(now).toISOString().slice(0, 10)}.${thumbprint.slice(0, 16)}`;
    await this.vault.put(kid, JSON.stringify({ ...privateJwk, kid, alg }));
    const row: KeyRow = {
      kid,
      alg,
      publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
      status: 'active',
      createdAt: now,
      retiringSince: null,
      retiresAt: null,
      revokedAt: null,
    };
    return { row, privateKey: createPrivateKey({ key: { ...privateJwk }, format: 'jwk' }) };
  }

  /** Loads the active key's private half from the vault. False when the vault no longer has it. */
  async loadActive(): Promise<boolean> {
    const row = this.store.listKeys().find((key) => key.status === 'active');
    if (!row) return false;
    const privateJwk = await this.vault.get(row.kid);
    if (!privateJwk) return false;
    try {
      const jwk = JSON.parse(privateJwk) as Record<string, unknown>;
      this.active = { kid: row.kid, alg: row.alg, privateKey: createPrivateKey({ key: jwk, format: 'jwk' }) };
      return true;
    } catch {
      return false;
    }
  }

  /** Called inside a transaction once the store rows for a new active key are written. */
  activate(key: NewKey): void {
    this.remember(key.row);
    this.active = { kid: key.row.kid, alg: key.row.alg, privateKey: key.privateKey };
  }

  /** Reflects a store update (status change) in memory. */
  refresh(kid: string): void {
    const row = this.store.getKey(kid);
    if (row) this.remember(row);
    if (this.active?.kid === kid && row?.status !== 'active') this.active = undefined;
  }

  activeKid(): string | undefined {
    return this.active?.kid;
  }

  /** Fixes a token's header (alg, kid of the active key) and claims; the signature can follow later. */
  prepare(header: Record<string, unknown>, payload: Record<string, unknown>): { pending: PendingJws; kid: string } {
    if (!this.active) throw new WardenError('no_active_key', 'No active signing key is available.');
    const { alg, kid, privateKey } = this.active;
    return { pending: { signingInput: jwsSigningInput({ ...header, alg, kid }, payload), alg, key: privateKey }, kid };
  }

  sign(header: Record<string, unknown>, payload: Record<string, unknown>): { token: string; kid: string } {
    const { pending, kid } = this.prepare(header, payload);
    return { token: signPending(pending), kid };
  }

  get(kid: string): LoadedKey | undefined {
    return this.keys.get(kid);
  }

  status(kid: string): KeyStatus | undefined {
    return this.keys.get(kid)?.row.status;
  }

  /** RFC 7517 set: keys that may still verify (active and retiring). */
  publicJwks(): PublicJwk[] {
    return [...this.keys.values()].filter((key) => key.row.status === 'active' || key.row.status === 'retiring').map((key) => key.jwk);
  }

  private remember(row: KeyRow): void {
    const jwk = JSON.parse(row.publicJwk) as PublicJwk;
    this.keys.set(row.kid, { row, jwk, publicKey: createPublicKey({ key: { ...jwk }, format: 'jwk' }) });
  }
}
