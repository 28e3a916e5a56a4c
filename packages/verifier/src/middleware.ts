/**
 * A `(req, res, next)` middleware for node:http and Express. A request without a bearer token gets a bare
 * `WWW-Authenticate: Bearer` challenge; an inactive token gets `error="invalid_token"` with the reason
 * (RFC 6750 §3). On success the claims are put on `req.auth`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessTokenClaims } from './verdict-reasons.js';
import type { KitVerdict } from './types.js';

export type AuthenticatedRequest = IncomingMessage & { auth?: AccessTokenClaims };
export type VerifierMiddleware = (req: AuthenticatedRequest, res: ServerResponse, next: (error?: unknown) => void) => void;

const BEARER = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)[ ]*$/i;

function refuse(res: ServerResponse, challenge: string, body: Record<string, string>): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(401, {
    'WWW-Authenticate': challenge,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function createMiddleware(verify: (token: unknown) => KitVerdict | Promise<KitVerdict>): VerifierMiddleware {
  return (req, res, next) => {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match) {
      refuse(res, 'Bearer realm="api"', { error: 'invalid_request', error_description: 'A bearer access token is required.' });
      return;
    }
    const conclude = (verdict: KitVerdict) => {
      if (verdict.active) {
        req.auth = verdict.claims;
        next();
        return;
      }
      refuse(res, `Bearer realm="api", error="invalid_token", error_description="${verdict.reason}"`, {
        error: 'invalid_token',
        error_description: verdict.reason,
      });
    };
    const verdict = verify(match[1]);
    if (verdict instanceof Promise) verdict.then(conclude, next);
    else conclude(verdict);
  };
}
