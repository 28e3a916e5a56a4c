/**
 * Every error Token Warden reports has one of these stable codes. Callers `switch (error.code)`;
 * the message is for people and may change. Internal detail (SQL, stack) never goes in `message`.
 */
export const ERROR_CODES = [
  // Input and contract
  'invalid_input',
  'not_found',
  'conflict',
  'unknown_method',
  // Authentication of people and clients
  'invalid_credentials',
  // An admin's password was right but the account has TOTP: sign in again with the code (no session yet).
  'totp_required',
  'user_blocked',
  'login_throttled',
  'session_limit_reached',
  'invalid_client',
  'unauthorized_client',
  'invalid_scope',
  // Refresh grant
  'invalid_refresh_token',
  'refresh_token_reused',
  'refresh_token_expired',
  'refresh_version_mismatch',
  'session_revoked',
  'session_expired',
  // Authorization code grant
  'invalid_authorization_code',
  'authorization_code_reused',
  // Keys and storage
  'keychain_unavailable',
  'key_not_found',
  'no_active_key',
  'storage_error',
  // The database was written by a newer version of Token Warden (its schema is above this build's): upgrade.
  'schema_too_new',
  // Admin transport
  'unauthorized',
  'forbidden',
  'payload_too_large',
  'rate_limited',
  'internal_error',
  // Remote deployments (docs/deployments.md): no answer from it, or its certificate is not the pinned one.
  'deployment_unreachable',
  'certificate_mismatch',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The shape in which errors cross IPC and HTTP: never a bare exception. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

/**
 * A coded error. `message` is safe to show to a caller; `detail` is for logs only and never crosses a
 * process or network boundary.
 */
export class WardenError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  /** Seconds a throttled caller should wait, when the code is `login_throttled` or `rate_limited`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: { detail?: string; retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = 'WardenError';
    this.code = code;
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

export function isWardenError(value: unknown): value is WardenError {
  return value instanceof WardenError;
}

/** Turns anything thrown into the public `{code, message}` shape without leaking internals. */
export function toErrorInfo(value: unknown): ErrorInfo {
  if (value instanceof WardenError) return value.toInfo();
  return { code: 'internal_error', message: 'An internal error occurred.' };
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
