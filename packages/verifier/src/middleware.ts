/**
 * A `(req, res, next)` middleware for node:http and Express. A request without a bearer token gets a bare
 * `WWW-Authenticate: Bearer` challenge; an inactive token gets `error="invalid_token"` with the reason
 * (RFC 6750 §3). On success the claims are put on `req.auth`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessTokenClaims } from './verdict-reasons.js';
import { bearerToken, invalidToken, MISSING_TOKEN, type Refusal } from './bearer.js';
import type { KitVerdict } from './types.js';

export type AuthenticatedRequest = IncomingMessage & { auth?: AccessTokenClaims };
export type VerifierMiddleware = (req: AuthenticatedRequest, res: ServerResponse, next: (error?: unknown) => void) => void;

function refuse(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) return;
  const text = JSON.stringify(refusal.body);
  res.writeHead(401, {
    'WWW-Authenticate': refusal.challenge,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function createMiddleware(verify: (token: unknown) => KitVerdict | Promise<KitVerdict>): VerifierMiddleware {
  return (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === null) {
      refuse(res, MISSING_TOKEN);
      return;
    }
    const conclude = (verdict: KitVerdict) => {
      if (verdict.active) {
        req.auth = verdict.claims;
        next();
        return;
      }
      refuse(res, invalidToken(verdict.reason));
    };
    const verdict = verify(token);
    if (verdict instanceof Promise) verdict.then(conclude, next);
    else conclude(verdict);
  };
}
