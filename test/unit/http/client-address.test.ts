/**
 * Which address is the client's (src/main/http/client-address.ts): the peer unless the request was marked as
 * coming through a trusted proxy, and then the last X-Forwarded-For entry only.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, lastForwardedFor, peerAddress, trustForwardedFor } from '../../../src/main/http/client-address';

const request = (remoteAddress: string | undefined, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('client address', () => {
  it('is the peer, IPv4-mapped addresses unmapped, when the request was not marked', () => {
    expect(clientAddress(request('::ffff:10.1.2.3', '203.0.113.7'))).toBe('10.1.2.3');
    expect(clientAddress(request('2001:db8::5', '203.0.113.7'))).toBe('2001:db8::5');
    expect(peerAddress(request(undefined))).toBe('unknown');
  });

  const last: Array<[string, string | undefined]> = [
    ['203.0.113.7', '203.0.113.7'],
    ['10.0.0.1, 203.0.113.7', '203.0.113.7'],
    // Two header lines arrive joined by Node with ", ".
    ['10.0.0.1, 10.0.0.2,203.0.113.7 ', '203.0.113.7'],
    ['2001:DB8::7', '2001:db8::7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['203.0.113.7, ', undefined],
    ['203.0.113.7:4711', undefined],
    ['[2001:db8::7]', undefined],
    ['unknown', undefined],
    ['', undefined],
  ];
  for (const [header, expected] of last) {
    it(`X-Forwarded-For ${JSON.stringify(header)} names ${expected ?? 'no address'}`, () => {
      expect(lastForwardedFor(request('127.0.0.1', header))).toBe(expected);
      const req = request('127.0.0.1', header);
      trustForwardedFor(req);
      expect(clientAddress(req)).toBe(expected ?? '127.0.0.1');
    });
  }
});
