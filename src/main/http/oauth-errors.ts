/**
 * Maps the engine's coded errors to RFC 6749 §5.2 responses. Everything a caller can cause is a 4xx; only
 * faults on our side (storage, keychain, a bug) become 5xx, and those are logged, never described.
 */
import { isWardenError, type ErrorCode } from '../../shared/errors';
import { BASIC_CHALLENGE } from './client-auth';
import { HttpError, type OAuthErrorCode } from './respond';

const GRANT_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid_credentials',
  'user_blocked',
  'session_limit_reached',
  'invalid_refresh_token',
  'refresh_token_reused',
  'refresh_token_expired',
  'refresh_version_mismatch',
  'session_revoked',
  'session_expired',
  'invalid_authorization_code',
  'authorization_code_reused',
]);

/** Public descriptions: the refresh failures are told apart only as far as a legitimate client needs. */
const DESCRIPTIONS: Partial<Record<ErrorCode, string>> = {
  invalid_credentials: 'The username or password is wrong.',
  invalid_refresh_token: 'The refresh token is invalid.',
  refresh_token_reused: 'The refresh token was already used; the session has been revoked.',
  refresh_token_expired: 'The refresh token has expired.',
  refresh_version_mismatch: 'The refresh token is no longer valid.',
  session_revoked: 'The session has been revoked.',
  session_expired: 'The session has expired.',
  invalid_authorization_code: 'The authorization code is invalid, expired, or was issued to another client or redirect URI, or the code verifier does not match.',
  authorization_code_reused: 'The authorization code was already used; the session it opened has been revoked.',
  // Constant, like the engine's message: a refusal reads the same whatever the password was.
  login_throttled: 'Too many failed logins; try again later.',
};

/** Thrown for faults that are ours: the server logs `cause` and answers 500 without detail. */
export class InternalFault extends Error {
  constructor(readonly fault: unknown) {
    super('internal fault');
    this.name = 'InternalFault';
  }
}

/** Converts anything thrown by an OAuth endpoint into the HttpError to answer with. */
export function toOAuthHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (!isWardenError(error)) throw new InternalFault(error);
  const description = DESCRIPTIONS[error.code] ?? error.message;
  const status = (code: OAuthErrorCode, httpStatus = 400, headers = {}) => new HttpError(httpStatus, code, description, headers);
  if (GRANT_ERRORS.has(error.code)) return status('invalid_grant');
  switch (error.code) {
    case 'invalid_input':
      return status('invalid_request');
    case 'invalid_scope':
      return status('invalid_scope');
    case 'payload_too_large':
      return status('invalid_request', 413, { Connection: 'close' });
    case 'invalid_client':
      return status('invalid_client', 401, BASIC_CHALLENGE);
    case 'unauthorized_client':
      return status('unauthorized_client');
    case 'login_throttled':
    case 'rate_limited':
      return status('temporarily_unavailable', 429, { 'Retry-After': Math.max(1, Math.ceil(error.retryAfterSeconds ?? 1)) });
    case 'not_found':
      return status('invalid_request');
    default:
      // storage_error, keychain_unavailable, no_active_key, internal_error: our fault, not the caller's.
      throw new InternalFault(error);
  }
}
