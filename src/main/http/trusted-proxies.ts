/**
 * `--trust-proxy CIDR…`: which peers may tell us, in X-Forwarded-For and X-Forwarded-Proto, who the client is
 * and whether it spoke https.
 *
 * With a list, only a peer inside one of the ranges is believed, and the client is the rightmost
 * X-Forwarded-For entry that is NOT inside them: each trusted proxy appended the address it received the
 * request from, so walking right to left over trusted hops reaches the first address no proxy of ours vouches
 * for; anything further left was written by that client and is not believed. An entry that is no IP address
 * ends the walk at the last trusted hop (a broken header can merge clients, never split one into many).
 *
 * The bare switch keeps its old meaning: the immediate peer is trusted whoever it is, for one hop.
 */
import { BlockList, isIP } from 'node:net';

/** Why `text` is not a CIDR (or a single address), or undefined when it is one. */
export function checkCidr(text: string): string | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return `"${text.slice(0, 50)}" is not an IP address or CIDR`;
  if (slash === -1) return undefined;
  const prefix = text.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `the prefix length of "${text.slice(0, 50)}" must be 0 to ${max}`;
  return undefined;
}

const unmapped = (address: string) => (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address.toLowerCase());

/** A set of trusted ranges (IPv4 and IPv6). IPv4-mapped IPv6 addresses count as their IPv4 address. */
export class TrustedRanges {
  private readonly list = new BlockList();

  constructor(readonly cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const refusal = checkCidr(cidr);
      if (refusal) throw new TypeError(refusal);
      const [address, prefix] = cidr.split('/') as [string, string | undefined];
      const plain = unmapped(address);
      const type = isIP(plain) === 4 ? 'ipv4' : 'ipv6';
      // A mapped IPv4 range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
      const bits = prefix === undefined ? (type === 'ipv4' ? 32 : 128) : Number(prefix) - (plain !== address.toLowerCase() ? 96 : 0);
      this.list.addSubnet(plain, Math.max(0, bits), type);
    }
  }

  contains(address: string): boolean {
    const plain = unmapped(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

export type ProxyTrust = { kind: 'peer' } | { kind: 'ranges'; ranges: TrustedRanges };

/** The trust a `--trust-proxy` value gives: `true` (bare switch) or a CIDR list. */
export function proxyTrust(value: true | readonly string[]): ProxyTrust {
  return value === true ? { kind: 'peer' } : { kind: 'ranges', ranges: new TrustedRanges(value) };
}

export interface Forwarded {
  /** The client, as the trusted proxies name it. */
  client: string;
  /** X-Forwarded-Proto from a trusted peer said https. */
  https: boolean;
}

/**
 * What a request's forwarding headers are worth: undefined when the peer is not trusted (the caller then uses
 * the peer and the socket). `xff` is X-Forwarded-For as received (repeated headers joined with ", ").
 */
export function resolveForwarded(trust: ProxyTrust, peer: string, xff: string | undefined, proto: string | undefined): Forwarded | undefined {
  if (trust.kind === 'ranges' && !trust.ranges.contains(peer)) return undefined;
  // The proxy next to us sets (or appends) the scheme it was reached by: its value is the rightmost.
  const https = typeof proto === 'string' && proto.slice(proto.lastIndexOf(',') + 1).trim().toLowerCase() === 'https';
  const entries = typeof xff === 'string' ? xff.split(',').map((entry) => entry.trim()) : [];
  let client = unmapped(peer);
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i]!;
    if (isIP(entry) === 0) break;
    client = unmapped(entry);
    // The bare switch trusts one hop only; a list, every hop inside it.
    if (trust.kind === 'peer' || !trust.ranges.contains(client)) break;
  }
  return { client, https };
}
