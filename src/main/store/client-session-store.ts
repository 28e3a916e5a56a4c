/**
 * A client's live sessions (area E, clients): what disabling or deleting a client revokes and what its page
 * counts. "Live" is the store's one rule: not revoked and not past either expiry (`live_until > now`), answered
 * from the partial index `sessions_client_live` alone.
 */
export interface ClientSessionStore {
  /** Ids of the client's live sessions at `now`, the latest to expire first, at most `limit` (all when omitted). */
  liveSessionIdsOf(clientId: string, now: number, limit?: number): Promise<string[]>;
  countLiveSessionsOf(clientId: string, now: number): Promise<number>;
}
