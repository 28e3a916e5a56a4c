/**
 * The words the Keys view uses for each key state and algorithm, in one place: the table's chips, their
 * help text, the legend, and the cost lines of the rotate and revoke confirmations. Also how the keys are
 * grouped: one pair (active + next) per algorithm in use, the access-token algorithm first.
 */
import type { KeyInfo, KeyStatus, KeyUse, SigningAlg } from '../../../shared/dto';

export const ALG_LABELS: Record<SigningAlg, string> = {
  EdDSA: 'EdDSA (Ed25519)',
  ES256: 'ES256 (P-256)',
  RS256: 'RS256 (RSA 2048)',
};

/** Lifecycle order: next → active → retiring → retired; revoked can happen at any point. */
export const KEY_STATES: readonly { status: KeyStatus; label: string; help: string }[] = [
  {
    status: 'next',
    label: 'next',
    help: 'Published in the JWKS ahead of time, signs nothing yet. The next routine rotation makes it sign: verifiers that fetched the JWKS since it was published already know it.',
  },
  { status: 'active', label: 'active', help: 'Signs every new token of its algorithm: access tokens and feed events, or ID and logout tokens (its group says which).' },
  {
    status: 'retiring',
    label: 'retiring',
    help: 'Signs no more. Still verifies the tokens it signed until they have all expired (access-token lifetime + clock skew after the rotation), then retires.',
  },
  { status: 'retired', label: 'retired', help: 'Verifies nothing any more: every token it signed has expired, or it was a next key that never signed.' },
  { status: 'revoked', label: 'revoked', help: 'Emergency stop: every token it signed is refused at once, and feed-subscribed resource servers were told.' },
];

export function keyState(status: KeyStatus): { label: string; help: string } {
  return KEY_STATES.find((state) => state.status === status) ?? { label: status, help: '' };
}

/** What verifiers that cache the JWKS (jose and express-oauth2-jwt-bearer: 30 s cooldown) go through. */
export const CACHED_JWKS_COST =
  'Verifiers that cached the JWKS reject new tokens until they refetch it (up to their cooldown, 30 s for jose and express-oauth2-jwt-bearer).';

/** A rotation to `alg` is routine (gap-free) only when the published next key has that algorithm. */
export function isRoutineRotation(alg: SigningAlg, next: KeyInfo | undefined): boolean {
  return next !== undefined && next.alg === alg;
}

export const KEY_USE_LABELS: Record<KeyUse, string> = {
  access_tokens: 'access tokens and feed events',
  id_tokens: 'ID tokens and logout tokens',
};

/** "signs access tokens and feed events", "signs ID tokens and logout tokens", both, or that it signs nothing now. */
export function describeUses(uses: readonly KeyUse[]): string {
  return uses.length === 0 ? 'signs nothing now' : `signs ${uses.map((use) => KEY_USE_LABELS[use]).join(', and ')}`;
}

export interface KeyGroup {
  alg: SigningAlg;
  /** What the group's active key signs (empty: the algorithm is out of use; only old keys are left). */
  uses: KeyUse[];
  /** True for the `signingAlg` setting's algorithm, which signs access tokens. */
  access: boolean;
  keys: KeyInfo[];
  next: KeyInfo | undefined;
}

/** Keys by algorithm: the access-token algorithm first, then the others in use, then those out of use. */
export function groupKeys(keys: readonly KeyInfo[], accessAlg: SigningAlg): KeyGroup[] {
  const groups = new Map<SigningAlg, KeyGroup>();
  for (const key of keys) {
    const group = groups.get(key.alg) ?? { alg: key.alg, uses: [], access: key.alg === accessAlg, keys: [], next: undefined };
    group.keys.push(key);
    if (key.status === 'active') group.uses = [...key.signs];
    if (key.status === 'next') group.next = key;
    groups.set(key.alg, group);
  }
  const rank = (group: KeyGroup) => (group.access ? 0 : group.uses.length > 0 || group.next ? 1 : 2);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b) || a.alg.localeCompare(b.alg));
}

/** The published next key of `alg`, if it has one. */
export function nextKeyOf(keys: readonly KeyInfo[] | undefined, alg: SigningAlg): KeyInfo | undefined {
  return keys?.find((key) => key.alg === alg && key.status === 'next');
}

/**
 * What rotating `alg` does: a routine rotation of its pair when its next key is published; an algorithm change
 * of the access tokens when it has no keys (a new pair signs them at once); otherwise a pair whose next key is
 * gone rotates to a key nobody has fetched yet.
 */
export function rotationKind(alg: SigningAlg, keys: readonly KeyInfo[]): 'routine' | 'algorithm_change' | 'unpublished' {
  if (isRoutineRotation(alg, nextKeyOf(keys, alg))) return 'routine';
  return keys.some((key) => key.alg === alg && key.status === 'active') ? 'unpublished' : 'algorithm_change';
}
