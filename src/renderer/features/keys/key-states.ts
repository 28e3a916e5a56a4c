/**
 * The words the Keys view uses for each key state and algorithm, in one place: the table's chips, their
 * help text, the legend, and the cost lines of the rotate and revoke confirmations.
 */
import type { KeyInfo, KeyStatus, SigningAlg } from '../../../shared/dto';

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
  { status: 'active', label: 'active', help: 'Signs every new access token and feed event.' },
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
