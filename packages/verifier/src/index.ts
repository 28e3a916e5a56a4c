/**
 * `@token-warden/verifier`: the resource-server kit. Verify Token Warden access tokens locally and learn
 * about revocations within milliseconds through the revocation feed.
 *
 * ```ts
 * const verifier = createVerifier({ issuer, audience: 'token-warden-api', clientId, clientSecret });
 * await verifier.start();
 * http.createServer((req, res) => verifier.middleware()(req, res, () => res.end(`hello ${req.auth.sub}`)));
 * ```
 */
export { createVerifier, type Verifier, type VerifierStatus } from './verifier.js';
export type { AuthenticatedRequest, VerifierMiddleware } from './middleware.js';
export { bearerToken } from './bearer.js';
export { fastifyPlugin, type FastifyInstanceLike, type FastifyPluginOptions, type FastifyReplyLike, type FastifyRequestLike, type FastifyVerifierPlugin } from './fastify-plugin.js';
export { KIT_REASON_TEXT } from './types.js';
export type { FeedReceiptRecord, FeedState, KeyRetiring, KitClock, KitReason, KitVerdict, RevocationApplied, RevokedSubject, VerifierEvents, VerifierOptions } from './types.js';
export { FeedVersionError, feedVersionProblem } from './feed-version.js';
export { VERDICT_REASONS, type AccessTokenClaims, type VerdictReason } from './verdict-reasons.js';
/** The revocation feed's wire format: the contract between the token service and every consumer of the feed. */
export {
  CAEP_SESSION_REVOKED,
  FEED_HEARTBEAT_MS,
  FEED_READY_COMMENT,
  FEED_TOO_MANY_CONNECTIONS,
  FEED_FORMAT_MAJOR,
  FEED_FORMAT_VERSION,
  FEED_KEY_RETIRING,
  FEED_VERSION_HEADER,
  KEY_RETIRING_EVENT,
  SET_TYP,
  type FeedSetClaims,
  type FeedSubject,
  type KeyRetiringSetClaims,
} from './feed-format.js';
