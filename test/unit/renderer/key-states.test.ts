import { describe, expect, it } from 'vitest';
import { keyStatusSchema, signingAlgSchema, type KeyInfo, type KeyStatus, type SigningAlg } from '../../../src/shared/dto';
import { loadRenderer } from './load-renderer';

interface KeyStatesModule {
  ALG_LABELS: Record<SigningAlg, string>;
  KEY_STATES: readonly { status: KeyStatus; label: string; help: string }[];
  isRoutineRotation(alg: SigningAlg, next: KeyInfo | undefined): boolean;
}
const { ALG_LABELS, KEY_STATES, isRoutineRotation } = await loadRenderer<KeyStatesModule>('features/keys/key-states.ts');

const next = (alg: SigningAlg): KeyInfo => ({ kid: 'k', alg, status: 'next', createdAt: 0, retiringSince: null, retiresAt: null, revokedAt: null, liveTokens: 0 });

describe('the Keys view words', () => {
  it('explains every key state, in lifecycle order, and labels every algorithm', () => {
    expect(KEY_STATES.map((state) => state.status)).toEqual(['next', 'active', 'retiring', 'retired', 'revoked']);
    expect([...KEY_STATES.map((state) => state.status)].sort()).toEqual([...keyStatusSchema.options].sort());
    for (const state of KEY_STATES) expect(state.help.length).toBeGreaterThan(20);
    expect(signingAlgSchema.options.map((alg) => ALG_LABELS[alg])).toEqual(['EdDSA (Ed25519)', 'ES256 (P-256)', 'RS256 (RSA 2048)']);
  });

  it('calls a rotation routine only when the published next key has the algorithm asked for', () => {
    expect(isRoutineRotation('EdDSA', next('EdDSA'))).toBe(true);
    expect(isRoutineRotation('ES256', next('EdDSA'))).toBe(false);
    expect(isRoutineRotation('RS256', undefined)).toBe(false);
  });
});
