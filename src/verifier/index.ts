/**
 * `token-warden/verifier`: the resource-server kit. Verify Token Warden access tokens locally and learn
 * about revocations within milliseconds through the revocation feed.
 *
 * ```ts
 * const verifier = createVerifier({ issuer, audience: 'token-warden-api', clientId, clientSecret });
 * await verifier.start();
 * http.createServer((req, res) => verifier.middleware()(req, res, () => res.end(`hello ${req.auth.sub}`)));
 * ```
 */
export { createVerifier, type Verifier, type VerifierStatus } from './verifier';
export type { AuthenticatedRequest, VerifierMiddleware } from './middleware';
export { KIT_REASON_TEXT } from './types';
export type { FeedReceiptRecord, FeedState, KitClock, KitReason, KitVerdict, RevocationApplied, RevokedSubject, VerifierEvents, VerifierOptions } from './types';
