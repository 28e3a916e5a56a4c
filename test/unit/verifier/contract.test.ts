/**
 * The kit ships alone, so it carries its own copy of the verdict reasons and access-token claims; the service
 * and the console keep theirs in src/shared/verdict.ts (the console may import nothing else). This is what keeps
 * the two one contract: the same reasons in the same order, and claim types assignable both ways.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { VERDICT_REASONS as KIT_REASONS, type AccessTokenClaims as KitClaims, type KitReason, type VerdictReason as KitVerdictReason } from '@token-warden/verifier';
import { VERDICT_REASONS, type AccessTokenClaims, type VerdictReason } from '../../../src/shared/verdict';

describe('the kit and the service share one verdict contract', () => {
  it('lists the same reasons, in the same order', () => {
    expect([...KIT_REASONS]).toEqual([...VERDICT_REASONS]);
  });

  it('has the same reason and claim types', () => {
    expectTypeOf<KitVerdictReason>().toEqualTypeOf<VerdictReason>();
    expectTypeOf<KitClaims>().toEqualTypeOf<AccessTokenClaims>();
    // Every service reason can be a kit verdict's reason.
    expectTypeOf<VerdictReason>().toExtend<KitReason>();
  });
});
