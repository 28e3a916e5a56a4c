/**
 * Which sessions a token revocation reaches (area H, engine-defects). Revoking a signing key or one access
 * token ends no session, but the sessions carrying its live tokens lose them: the blast radius names them.
 * A key may have signed for the whole install, so every read here is bounded.
 */
export interface TokenReachStore {
  /** Distinct sessions holding access tokens signed by `kid` that have not expired at `now`, at most `limit`. */
  sessionIdsWithLiveTokensOfKid(kid: string, now: number, limit: number): Promise<string[]>;
  /** The latest `expires_at` among those tokens (ms), undefined when none is live. */
  latestLiveExpiryOfKid(kid: string, now: number): Promise<number | undefined>;
}
