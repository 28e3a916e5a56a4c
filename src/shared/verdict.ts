/**
 * Why an access token is not active. Stable codes: the console, the verifier kit and introspection all
 * report these. `active` is the only good verdict.
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

export type Verdict =
  | { active: true; claims: AccessTokenClaims }
  | { active: false; reason: VerdictReason; claims?: AccessTokenClaims };

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

export const VERDICT_REASON_TEXT: Record<VerdictReason, string> = {
  malformed: 'Not a well-formed JWT.',
  unsupported_alg: 'The algorithm is not allowed for this key (alg "none", HMAC and mismatches are refused).',
  bad_signature: 'The signature does not match the signing key.',
  unknown_kid: 'No signing key with this kid exists.',
  retired_kid: 'The signing key has been retired.',
  revoked_kid: 'The signing key was revoked; every token it signed is invalid.',
  next_kid: 'Signed by the next key, which has signed nothing yet: the token is forged with a leaked key (revoke that key).',
  wrong_typ: 'The header typ is not "at+jwt".',
  wrong_issuer: 'The issuer is not this Token Warden.',
  wrong_audience: 'The audience is not accepted.',
  expired: 'The token has expired.',
  not_yet_valid: 'The token is not valid yet (issued in the future).',
  jti_revoked: 'This access token was revoked by its jti.',
  session_revoked: 'The session that issued this token was revoked.',
  issued_before_not_before: "Issued before the user's not-before time (force logout).",
  user_blocked: 'The user is blocked.',
  unknown_user: 'The subject is not a known user.',
  unknown_session: 'The session is not known.',
};
