/**
 * The verified-token cache: two-way set-associative, indexed by the first characters of the token's signature.
 *
 * Why not a Map-based LRU: every cold verify is a miss followed by an insert and an eviction, and on a Map of
 * 10 000 string keys those cost ~4 µs (hashing a sliced key, delete holes, rehashing), against ~110 µs for the
 * Ed25519 check itself; that alone was the kit's distance from a bare node:crypto verify. Here a lookup reads
 * two array slots and compares strings; an insert overwrites the less recently used slot of its set. Nothing
 * is allocated per call.
 *
 * The index needs no hashing: only verified tokens are inserted, and a verified token's signature is the
 * service's (random-looking) output, so its first characters are uniformly spread and an attacker cannot choose
 * them. A token can leave before the cache is full when both ways of its set are taken (a miss then costs one
 * signature check, never a wrong answer): a hit requires the whole token to be equal.
 */

/** The 6-bit value of a base64url character; anything else (never seen: the caller checked) maps into range. */
function sextet(code: number): number {
  if (code >= 97) return code - 71;
  if (code >= 65) return code - 65;
  if (code >= 48) return code + 4;
  return code === 45 ? 62 : 63;
}

export class TokenCache<V> {
  private readonly tokens: Array<string | undefined>;
  private readonly values: Array<V | undefined>;
  /** Per set: the way (0 or 1) used least recently, the one the next insert replaces. */
  private readonly victim: Uint8Array;
  private readonly setMask: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new TypeError('cacheSize must be an integer of at least 2');
    let sets = 1;
    while (sets * 2 < capacity) sets *= 2;
    this.setMask = sets - 1;
    this.tokens = new Array<string | undefined>(sets * 2).fill(undefined);
    this.values = new Array<V | undefined>(sets * 2).fill(undefined);
    this.victim = new Uint8Array(sets);
  }

  /** Slots this cache has (capacity rounded up to a power of two). */
  get slots(): number {
    return this.tokens.length;
  }

  /** The set of a token whose last dot is at `lastDot`: 24 bits from the four characters after it. */
  private setOf(token: string, lastDot: number): number {
    const at = lastDot + 1;
    const bits = (sextet(token.charCodeAt(at)) << 18) | (sextet(token.charCodeAt(at + 1)) << 12) | (sextet(token.charCodeAt(at + 2)) << 6) | sextet(token.charCodeAt(at + 3));
    return bits & this.setMask;
  }

  get(token: string, lastDot: number): V | undefined {
    const set = this.setOf(token, lastDot);
    const slot = set * 2;
    if (this.tokens[slot] === token) {
      this.victim[set] = 1;
      return this.values[slot];
    }
    if (this.tokens[slot + 1] === token) {
      this.victim[set] = 0;
      return this.values[slot + 1];
    }
    return undefined;
  }

  /** Inserts (or refreshes) a token; the set's least recently used way makes room. */
  set(token: string, lastDot: number, value: V): void {
    const set = this.setOf(token, lastDot);
    let way = this.tokens[set * 2] === token ? 0 : this.tokens[set * 2 + 1] === token ? 1 : this.victim[set]!;
    if (this.tokens[set * 2 + way] !== token && this.tokens[set * 2 + (way ^ 1)] === undefined) way ^= 1;
    this.tokens[set * 2 + way] = token;
    this.values[set * 2 + way] = value;
    this.victim[set] = way ^ 1;
  }

  delete(token: string, lastDot: number): void {
    const slot = this.setOf(token, lastDot) * 2;
    for (const s of [slot, slot + 1]) {
      if (this.tokens[s] === token) {
        this.tokens[s] = undefined;
        this.values[s] = undefined;
      }
    }
  }
}
