import { describe, expect, it } from 'vitest';
import { keyStatusSchema, signingAlgSchema, type KeyInfo, type KeyStatus, type KeyUse, type SigningAlg } from '../../../src/shared/dto';
import { loadRenderer } from './load-renderer';

interface KeyStatesModule {
  ALG_LABELS: Record<SigningAlg, string>;
  KEY_STATES: readonly { status: KeyStatus; label: string; help: string }[];
  isRoutineRotation(alg: SigningAlg, next: KeyInfo | undefined): boolean;
  describeUses(uses: readonly KeyUse[]): string;
  groupKeys(keys: readonly KeyInfo[], accessAlg: SigningAlg): { alg: SigningAlg; uses: KeyUse[]; access: boolean; keys: KeyInfo[]; next: KeyInfo | undefined }[];
  rotationKind(alg: SigningAlg, keys: readonly KeyInfo[]): string;
}
const { ALG_LABELS, KEY_STATES, isRoutineRotation, describeUses, groupKeys, rotationKind } = await loadRenderer<KeyStatesModule>('features/keys/key-states.ts');

const key = (kid: string, alg: SigningAlg, status: KeyStatus, signs: KeyUse[] = []): KeyInfo => ({ kid, alg, status, createdAt: 0, retiringSince: null, retiresAt: null, revokedAt: null, liveTokens: 0, signs });
const next = (alg: SigningAlg): KeyInfo => key('k', alg, 'next');

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

  it('groups keys by algorithm, the access-token algorithm first, each saying what its pair signs', () => {
    const keys = [
      key('old', 'EdDSA', 'retired'),
      key('rs-a', 'RS256', 'active', ['id_tokens']),
      key('es-a', 'ES256', 'active', ['access_tokens']),
      key('rs-n', 'RS256', 'next'),
      key('es-n', 'ES256', 'next'),
    ];
    const groups = groupKeys(keys, 'ES256');
    expect(groups.map((g) => [g.alg, g.access, g.uses, g.keys.map((k) => k.kid), g.next?.kid])).toEqual([
      ['ES256', true, ['access_tokens'], ['es-a', 'es-n'], 'es-n'],
      ['RS256', false, ['id_tokens'], ['rs-a', 'rs-n'], 'rs-n'],
      ['EdDSA', false, [], ['old'], undefined],
    ]);
    expect(describeUses(['access_tokens'])).toBe('signs access tokens and feed events');
    expect(describeUses(['access_tokens', 'id_tokens'])).toBe('signs access tokens and feed events, and ID tokens and logout tokens');
    expect(describeUses([])).toBe('signs nothing now');
  });

  it('calls rotating an algorithm with a published next key routine, and one without keys an algorithm change', () => {
    const keys = [key('es-a', 'ES256', 'active', ['access_tokens']), key('es-n', 'ES256', 'next'), key('rs-a', 'RS256', 'active', ['id_tokens']), key('rs-n', 'RS256', 'next'), key('ed', 'EdDSA', 'retired')];
    expect(rotationKind('ES256', keys)).toBe('routine');
    expect(rotationKind('RS256', keys)).toBe('routine');
    expect(rotationKind('EdDSA', keys)).toBe('algorithm_change');
    expect(rotationKind('RS256', keys.filter((k) => k.kid !== 'rs-n'))).toBe('unpublished');
  });
});
