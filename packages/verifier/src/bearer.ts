/**
 * The RFC 6750 pieces every adapter shares: reading a bearer token from an `Authorization` header, and the
 * 401 a refused request gets. One place, so the node:http/Express middleware and the Fastify plugin answer
 * the same way.
 */
import type { KitReason } from './types.js';

/** RFC 6750 §2.1: `Bearer` (any case), then one b64token. */
const BEARER = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)[ ]*$/i;

/**
 * The bearer token of an `Authorization` header value, or null when there is none (a missing header, another
 * scheme, or more than one token). For `verifier.verify()` in any framework: `verify(bearerToken(header))`.
 */
export function bearerToken(authorization: unknown): string | null {
  if (typeof authorization !== 'string') return null;
  return BEARER.exec(authorization)?.[1] ?? null;
}

/** What a refused request is answered with: the `WWW-Authenticate` challenge and a JSON body. */
export interface Refusal {
  challenge: string;
  body: { error: 'invalid_request' | 'invalid_token'; error_description: string };
}

/** RFC 6750 §3.1: a request with no token gets a challenge without an error code. */
export const MISSING_TOKEN: Refusal = {
  challenge: 'Bearer realm="api"',
  body: { error: 'invalid_request', error_description: 'A bearer access token is required.' },
};

/** The reason is a snake_case code, so it needs no escaping inside the quoted-string. */
export function invalidToken(reason: KitReason): Refusal {
  return {
    challenge: `Bearer realm="api", error="invalid_token", error_description="${reason}"`,
    body: { error: 'invalid_token', error_description: reason },
  };
}
