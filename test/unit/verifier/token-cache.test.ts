import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenCache } from '../../../packages/verifier/src/token-cache';

/** A token-shaped string whose signature segment is random, as a genuine signature is. */
function token(prefix = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0'): string {
  return `${prefix}.${randomBytes(64).toString('base64url')}`;
}
const dot = (t: string) => t.lastIndexOf('.');

describe('TokenCache (two-way set-associative verified-token cache)', () => {
  it('returns what was stored only for the very same token', () => {
    const cache = new TokenCache<number>(8);
    const t = token();
    cache.set(t, dot(t), 1);
    expect(cache.get(t, dot(t))).toBe(1);
    // Same signature, other header/payload: not a hit (the forged-payload case).
    const forged = `eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.${t.slice(dot(t) + 1)}`;
    expect(cache.get(forged, dot(forged))).toBeUndefined();
    cache.delete(t, dot(t));
    expect(cache.get(t, dot(t))).toBeUndefined();
  });

  it('a token whose signature starts like a cached one (same set, same tag) is not a hit', () => {
    const cache = new TokenCache<number>(8);
    const t = token();
    const signature = t.slice(dot(t) + 1);
    const twin = `${t.slice(0, dot(t) + 1)}${signature.slice(0, 12)}${signature.slice(12).split('').reverse().join('')}`;
    expect(twin).not.toBe(t);
    cache.set(t, dot(t), 1);
    expect(cache.get(twin, dot(twin))).toBeUndefined();
    cache.set(twin, dot(twin), 2);
    expect([cache.get(t, dot(t)), cache.get(twin, dot(twin))]).toEqual([1, 2]);
    cache.delete(twin, dot(twin));
    expect([cache.get(t, dot(t)), cache.get(twin, dot(twin))]).toEqual([1, undefined]);
  });

  it('keeps two tokens of one set and evicts the least recently used of them for a third', () => {
    const cache = new TokenCache<string>(2); // one set, two ways
    expect(cache.slots).toBe(2);
    const [a, b, c] = [token(), token(), token()];
    cache.set(a, dot(a), 'a');
    cache.set(b, dot(b), 'b');
    expect(cache.get(a, dot(a))).toBe('a'); // a is now the most recent
    cache.set(c, dot(c), 'c');
    expect(cache.get(b, dot(b))).toBeUndefined();
    expect(cache.get(a, dot(a))).toBe('a');
    expect(cache.get(c, dot(c))).toBe('c');
  });

  it('fills a freed way before evicting, and re-setting a token updates it in place', () => {
    const cache = new TokenCache<string>(2);
    const [a, b, c] = [token(), token(), token()];
    cache.set(a, dot(a), 'a');
    cache.set(b, dot(b), 'b');
    cache.delete(a, dot(a));
    cache.set(c, dot(c), 'c');
    expect([cache.get(b, dot(b)), cache.get(c, dot(c))]).toEqual(['b', 'c']);
    cache.set(c, dot(c), 'c2');
    expect([cache.get(b, dot(b)), cache.get(c, dot(c))]).toEqual(['b', 'c2']);
  });

  it('holds most of a working set of its capacity (random signatures spread over the sets)', () => {
    const cache = new TokenCache<number>(10_000);
    expect(cache.slots).toBe(16_384);
    const tokens = Array.from({ length: 10_000 }, () => token());
    tokens.forEach((t, i) => cache.set(t, dot(t), i));
    const hits = tokens.filter((t, i) => cache.get(t, dot(t)) === i).length;
    // Poisson(10 000 / 8 192 per set) over two ways keeps ~87 %; an index that ignored the signature would keep 2.
    expect(hits).toBeGreaterThan(8_000);
  });

  it('refuses a size it cannot honour', () => {
    expect(() => new TokenCache(1)).toThrow(/cacheSize/);
    expect(() => new TokenCache(2.5)).toThrow(/cacheSize/);
  });
});
