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
 *
 * Each slot also keeps a tag, 30 more bits of the signature, in a typed array: a miss (every cold verify) is
 * told by the tags alone and never reads the cached tokens, which are cold in memory and share their first
 * ~250 characters with the token looked up (same header, same user): comparing them cost ~1 µs per lookup.
 */

/** The 6-bit value of a base64url character; anything else (never seen: the caller checked) maps into range. */
function sextet(code: number): number {
  if (code >= 97) return code - 71;
  if (code >= 65) return code - 65;
  if (code >= 48) return code + 4;
  return code === 45 ? 62 : 63;
}

/**
 * Each slot holds a token, its value and a label (the verifier: the claims and the kid), in parallel arrays rather
 * than one entry object per token: a cached token costs the garbage collector its value only.
 */
export class TokenCache<V> {
  private readonly tokens: Array<string | undefined>;
  private readonly values: Array<V | undefined>;
  private readonly labels: Array<string | undefined>;
  /** Per slot: characters 4 to 8 of its token's signature (30 bits); a slot's token is compared only on a tag match. */
  private readonly tags: Int32Array;
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
    this.labels = new Array<string | undefined>(sets * 2).fill(undefined);
    this.tags = new Int32Array(sets * 2);
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

  /** The tag of a token: the five signature characters after those of its set. */
  private tagOf(token: string, lastDot: number): number {
    const at = lastDot + 5;
    return (
      (sextet(token.charCodeAt(at)) << 24) |
      (sextet(token.charCodeAt(at + 1)) << 18) |
      (sextet(token.charCodeAt(at + 2)) << 12) |
      (sextet(token.charCodeAt(at + 3)) << 6) |
      sextet(token.charCodeAt(at + 4))
    );
  }

  /** The slot holding `token` in its set (`slot` is the set's first), or -1. */
  private find(token: string, slot: number, tag: number): number {
    if (this.tags[slot] === tag && this.tokens[slot] === token) return slot;
    if (this.tags[slot + 1] === tag && this.tokens[slot + 1] === token) return slot + 1;
    return -1;
  }

  /** The slot holding `token`, or -1; a found slot becomes the most recently used of its set. */
  slotOf(token: string, lastDot: number): number {
    const set = this.setOf(token, lastDot);
    const found = this.find(token, set * 2, this.tagOf(token, lastDot));
    if (found >= 0) this.victim[set] = (found & 1) ^ 1;
    return found;
  }

  /** The value of a slot `slotOf` found (only until the next `set` or `delete`). */
  valueAt(slot: number): V {
    return this.values[slot]!;
  }

  /** The label of a slot `slotOf` found (only until the next `set` or `delete`). */
  labelAt(slot: number): string {
    return this.labels[slot]!;
  }

  get(token: string, lastDot: number): V | undefined {
    const slot = this.slotOf(token, lastDot);
    return slot < 0 ? undefined : this.values[slot];
  }

  /** Inserts (or refreshes) a token; the set's least recently used way makes room. */
  set(token: string, lastDot: number, value: V, label = ''): void {
    const set = this.setOf(token, lastDot);
    const tag = this.tagOf(token, lastDot);
    const found = this.find(token, set * 2, tag);
    let way = found >= 0 ? found & 1 : this.victim[set]!;
    if (found < 0 && this.tokens[set * 2 + (way ^ 1)] === undefined) way ^= 1;
    const slot = set * 2 + way;
    this.tokens[slot] = token;
    this.values[slot] = value;
    this.labels[slot] = label;
    this.tags[slot] = tag;
    this.victim[set] = way ^ 1;
  }

  delete(token: string, lastDot: number): void {
    const found = this.find(token, this.setOf(token, lastDot) * 2, this.tagOf(token, lastDot));
    if (found < 0) return;
    this.tokens[found] = undefined;
    this.values[found] = undefined;
    this.labels[found] = undefined;
    this.tags[found] = 0;
  }
}
