/**
 * The verdict reasons and access-token claims the kit reports. The token service's engine and console keep
 * the same list in src/shared/verdict.ts (the console may import nothing outside src/shared); a contract test
 * (test/unit/verifier/contract.test.ts) fails the build the moment the two drift apart.
 */
export const VERDICT_REASONS = [
  'malformed',
  'unsupported_alg',
  'bad_signature',
  'unknown_kid',
  'retired_kid',
  'revoked_kid',
  'next_kid',
  'wrong_typ',
  'wrong_issuer',
  'wrong_audience',
  'expired',
  'not_yet_valid',
  'jti_revoked',
  'session_revoked',
  'issued_before_not_before',
  'user_blocked',
  'unknown_user',
  'unknown_session',
] as const;

export type VerdictReason = (typeof VERDICT_REASONS)[number];

/** RFC 9068 claims Token Warden puts in every access token. Times are seconds since the epoch. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nbf?: number;
  jti: string;
  client_id: string;
  sid: string;
  scope: string;
}
