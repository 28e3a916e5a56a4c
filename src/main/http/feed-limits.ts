/**
 * The revocation feed's limits (docs/feed.md): what they are by default, and the connection slots that
 * enforce the caps per client and in total.
 */

export interface FeedLimits {
  /** Open feed connections one client may hold; more are refused with 429 (default 32). */
  maxConnectionsPerClient: number;
  /** Open feed connections in total; more are refused with 503 (default 1024). */
  maxConnections: number;
  /** Signed SETs kept for reuse, one per (client, event) (default 20 000). */
  setCacheEntries: number;
  /** Feed messages all connections together write per event-loop turn (default 256). */
  messagesPerTurn: number;
  /** SETs all connections together sign per event-loop turn (default 16). */
  signaturesPerTurn: number;
}

/**
 * 32 per client: a resource-server fleet holds one connection per API instance and client id, and a
 * connection the network dropped without a FIN keeps its slot until TCP gives up on it; 32 leaves room
 * for a fleet of 16 instances to reconnect once each. More instances: more client ids, or a higher cap.
 */
export const DEFAULT_FEED_LIMITS: FeedLimits = {
  maxConnectionsPerClient: 32,
  maxConnections: 1024,
  setCacheEntries: 20_000,
  messagesPerTurn: 256,
  signaturesPerTurn: 16,
};

export function checkLimits(limits: FeedLimits): FeedLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`feed limit ${name} must be a positive integer`);
  }
  return limits;
}

/**
 * Connection slots per client and in total. `take` checks and counts in one synchronous step; its
 * release gives the slot back exactly once, however often it is called.
 */
export class ConnectionSlots {
  private readonly perClient = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: FeedLimits) {}

  take(clientId: string): { release: () => void } | { refused: 'client' | 'total' } {
    const held = this.perClient.get(clientId) ?? 0;
    if (held >= this.limits.maxConnectionsPerClient) return { refused: 'client' };
    if (this.total >= this.limits.maxConnections) return { refused: 'total' };
    this.perClient.set(clientId, held + 1);
    this.total += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        const left = (this.perClient.get(clientId) ?? 1) - 1;
        if (left > 0) this.perClient.set(clientId, left);
        else this.perClient.delete(clientId);
      },
    };
  }
}
