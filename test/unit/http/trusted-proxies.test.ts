/**
 * `--trust-proxy CIDR…` (src/main/http/trusted-proxies.ts): CIDR matching for IPv4 and IPv6 (mapped addresses
 * count as IPv4), and which X-Forwarded-For entry is the client: the rightmost one outside the trusted ranges.
 */
import { describe, expect, it } from 'vitest';
import { checkCidr, proxyTrust, resolveForwarded, TrustedRanges } from '../../../src/main/http/trusted-proxies';

describe('CIDR matching', () => {
  const ranges = new TrustedRanges(['10.0.0.0/8', '192.168.1.7', '172.16.0.0/12', 'fd00::/8', '::1', '2001:db8:abcd::/48', '::ffff:100.64.0.0/106']);
  const cases: Array<[string, boolean]> = [
    ['10.0.0.1', true],
    ['10.255.255.255', true],
    ['11.0.0.1', false],
    ['9.255.255.255', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['172.16.0.1', true],
    ['172.31.255.254', true],
    ['172.32.0.1', false],
    ['fd12:3456::1', true],
    ['FD00::1', true],
    ['fe80::1', false],
    ['::1', true],
    ['::2', false],
    ['2001:db8:abcd:12::1', true],
    ['2001:db8:abce::1', false],
    // IPv4-mapped IPv6 (how a dual-stack socket reports IPv4 peers) is the IPv4 address.
    ['::ffff:10.1.2.3', true],
    ['::FFFF:11.1.2.3', false],
    // A mapped range is its IPv4 range: 100.64.0.0/10.
    ['100.64.0.1', true],
    ['100.127.255.255', true],
    ['100.128.0.0', false],
    ['not an address', false],
    ['', false],
  ];
  for (const [address, inside] of cases) {
    it(`${JSON.stringify(address)} is ${inside ? 'inside' : 'outside'}`, () => expect(ranges.contains(address)).toBe(inside));
  }

  it('/0 trusts every address of its family only', () => {
    const v4 = new TrustedRanges(['0.0.0.0/0']);
    expect(v4.contains('203.0.113.9')).toBe(true);
    expect(v4.contains('2001:db8::1')).toBe(false);
    expect(new TrustedRanges(['::/0']).contains('2001:db8::1')).toBe(true);
  });

  it('says why a CIDR is refused', () => {
    expect(checkCidr('10.0.0.0/8')).toBeUndefined();
    expect(checkCidr('2001:db8::/32')).toBeUndefined();
    expect(checkCidr('10.0.0.0/33')).toMatch(/prefix length .* 0 to 32/);
    expect(checkCidr('fd00::/129')).toMatch(/prefix length .* 0 to 128/);
    expect(checkCidr('10.0.0.0/')).toMatch(/prefix length/);
    expect(checkCidr('10.0.0/8')).toMatch(/not an IP address/);
    expect(checkCidr('proxy.internal')).toMatch(/not an IP address/);
    expect(() => new TrustedRanges(['10.0.0.0/40'])).toThrow(TypeError);
  });
});

describe('the client behind trusted proxies', () => {
  const trust = proxyTrust(['10.0.0.0/8', 'fd00::/8']);
  const client = (peer: string, xff?: string) => resolveForwarded(trust, peer, xff, undefined)?.client;

  it('ignores the headers of an untrusted peer', () => {
    expect(resolveForwarded(trust, '203.0.113.5', '198.51.100.1', 'https')).toBeUndefined();
    expect(resolveForwarded(trust, '::ffff:203.0.113.5', '198.51.100.1', 'https')).toBeUndefined();
  });

  const chains: Array<[string, string | undefined, string]> = [
    // One trusted proxy: the entry it appended.
    ['10.0.0.2', '203.0.113.7', '203.0.113.7'],
    // Two trusted hops: walk past the inner proxy's entry to the first address no proxy of ours vouches for.
    ['10.0.0.2', '203.0.113.7, 10.0.0.3', '203.0.113.7'],
    // What the client wrote itself (left of its own address) is not believed.
    ['10.0.0.2', '1.2.3.4, 203.0.113.7, 10.0.0.3', '203.0.113.7'],
    ['fd00::2', '2001:db8::77, fd00::3', '2001:db8::77'],
    ['::ffff:10.0.0.2', '::ffff:203.0.113.8', '203.0.113.8'],
    // No header: the peer itself.
    ['10.0.0.2', undefined, '10.0.0.2'],
    // Every entry trusted: the leftmost hop is as far as we can see.
    ['10.0.0.2', '10.0.0.9, 10.0.0.3', '10.0.0.9'],
    // An entry that is no address ends the walk at the last trusted hop: merges clients, never splits one.
    ['10.0.0.2', '203.0.113.7, garbage, 10.0.0.3', '10.0.0.3'],
    ['10.0.0.2', '203.0.113.7, unknown', '10.0.0.2'],
  ];
  for (const [peer, xff, expected] of chains) {
    it(`peer ${peer}, X-Forwarded-For ${JSON.stringify(xff)}: ${expected}`, () => expect(client(peer, xff)).toBe(expected));
  }

  it('the bare switch trusts the immediate peer for one hop, whoever it is', () => {
    const peer = proxyTrust(true);
    expect(resolveForwarded(peer, '203.0.113.5', '1.2.3.4, 10.0.0.3', undefined)?.client).toBe('10.0.0.3');
    expect(resolveForwarded(peer, '203.0.113.5', undefined, undefined)?.client).toBe('203.0.113.5');
  });

  it('believes X-Forwarded-Proto from a trusted peer: the value its own proxy set, the rightmost', () => {
    expect(resolveForwarded(trust, '10.0.0.2', undefined, 'https')?.https).toBe(true);
    expect(resolveForwarded(trust, '10.0.0.2', undefined, 'HTTPS')?.https).toBe(true);
    expect(resolveForwarded(trust, '10.0.0.2', undefined, 'http')?.https).toBe(false);
    expect(resolveForwarded(trust, '10.0.0.2', undefined, 'https, http')?.https).toBe(false);
    expect(resolveForwarded(trust, '10.0.0.2', undefined, undefined)?.https).toBe(false);
  });
});
