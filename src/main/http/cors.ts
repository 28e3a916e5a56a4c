/**
 * CORS for the endpoints a single-page app calls from its own origin (oidc-client-ts and the like): discovery,
 * the key set, the token endpoint and UserInfo. Any origin may read them, without credentials: none of them
 * looks at a cookie, so a page on another origin gains nothing it could not do with its own code, verifier or
 * token (`*` also forbids the browser to send cookies). The hosted sign-in page and the admin API get no CORS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendEmpty } from './respond';

/** Marks a response readable by any origin; call before the response is written. */
export function allowAnyOrigin(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
}

/** The preflight answer (an OPTIONS request) for an endpoint that takes `methods`. */
export function preflight(methods: string) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    sendEmpty(res, 204, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': methods,
      'Access-Control-Allow-Headers': 'Authorization, Content-Type',
      'Access-Control-Max-Age': 600,
    });
  };
}
