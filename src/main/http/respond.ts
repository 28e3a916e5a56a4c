/**
 * Writing responses. Every response carries `nosniff`; token responses add `no-store` (RFC 6749 §5.1).
 * OAuth errors use the RFC 6749 §5.2 shape `{error, error_description}`.
 */
import type { ServerResponse } from 'node:http';

/** RFC 6749 §5.2 / RFC 7009 / RFC 6750 error codes the token service answers with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'temporarily_unavailable'
  | 'server_error';

export type Headers = Record<string, string | number>;

const BASE_HEADERS: Headers = { 'X-Content-Type-Options': 'nosniff' };
export const NO_STORE: Headers = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** Sends `body` as JSON. Does nothing when the response was already sent (e.g. the client went away). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** An empty response (e.g. 200 from /oauth/revoke, 204 for acknowledgements). */
export function sendEmpty(res: ServerResponse, status: number, headers: Headers = {}): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Length': 0, ...headers });
  res.end();
}

/** An OAuth error response. Never cached: it may be about a credential. */
export function sendOAuthError(
  res: ServerResponse,
  status: number,
  error: OAuthErrorCode,
  description: string,
  headers: Headers = {},
): void {
  sendJson(res, status, { error, error_description: description }, { ...NO_STORE, ...headers });
}

/** A thrown value carrying the HTTP status and OAuth error to answer with; see `oauth-errors.ts`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly headers: Headers = {},
  ) {
    super(description);
    this.name = 'HttpError';
  }
}
