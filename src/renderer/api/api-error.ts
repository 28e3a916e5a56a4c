import { ERROR_CODES, type ErrorCode, type ErrorInfo } from '../../shared/errors';

/**
 * The error the typed client throws: the `{code, message}` that crossed the bridge, as an Error so it can be
 * caught. Views `switch (error.code)` and show `message` to people.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'ApiError';
    this.code = info.code;
  }
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Narrows an untrusted `{code, message}` to ErrorInfo; anything else becomes a generic internal error. */
export function toErrorInfo(value: unknown): ErrorInfo {
  if (typeof value === 'object' && value !== null) {
    const { code, message } = value as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && KNOWN_CODES.has(code) && typeof message === 'string') {
      return { code: code as ErrorCode, message };
    }
  }
  return { code: 'internal_error', message: 'The token service sent an unexpected error.' };
}

/** Whatever was thrown, as an ApiError (views only ever deal with this one type). */
export function toApiError(value: unknown): ApiError {
  if (value instanceof ApiError) return value;
  return new ApiError({ code: 'internal_error', message: value instanceof Error ? value.message : 'Something went wrong.' });
}
