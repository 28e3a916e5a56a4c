/**
 * The client's address, as the device record and the address throttle see it.
 *
 * By default it is the TCP peer: forwarded headers are anyone's to write, so they are ignored. With
 * `--trust-proxy` the peer is taken to be one trusted proxy (one hop, whoever connects), and the client is
 * the LAST `X-Forwarded-For` entry: the one that proxy appended for the connection it received. Entries
 * before it came from the client and are not believed. A missing or unparsable last entry counts as the
 * proxy's own address, so a broken header can only merge clients, never split one into many.
 * With `--trust-proxy CIDR…` only peers in those ranges are believed, over as many hops as stay inside them
 * (./trusted-proxies), and X-Forwarded-Proto from a trusted peer tells whether the client spoke https.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { resolveForwarded, type Forwarded, type ProxyTrust } from './trusted-proxies';

// Set by the server's request listener before the service sees the request (see trustForwardedFor); a
// WeakMap keeps the decision per request without a flag threaded through every endpoint.
const forwardedClients = new WeakMap<IncomingMessage, Forwarded>();
const PEER: ProxyTrust = { kind: 'peer' };

const unmapped = (address: string) => (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

/** The TCP peer's address, without the IPv4-mapped IPv6 prefix. */
export function peerAddress(req: IncomingMessage): string {
  return unmapped(req.socket.remoteAddress ?? 'unknown');
}

/** The last X-Forwarded-For entry, if it is an IP address (repeated headers arrive joined with ", "). */
export function lastForwardedFor(req: IncomingMessage): string | undefined {
  const header = req.headers['x-forwarded-for'];
  if (typeof header !== 'string') return undefined;
  const last = header.slice(header.lastIndexOf(',') + 1).trim();
  return isIP(last) ? unmapped(last.toLowerCase()) : undefined;
}

/** With --trust-proxy only: records what a trusted peer says of this request (the bare switch: `peer`). */
export function trustForwardedFor(req: IncomingMessage, trust: ProxyTrust = PEER): void {
  const header = req.headers['x-forwarded-for'];
  const proto = req.headers['x-forwarded-proto'];
  const forwarded = resolveForwarded(trust, peerAddress(req), typeof header === 'string' ? header : undefined, typeof proto === 'string' ? proto : undefined);
  if (forwarded !== undefined) forwardedClients.set(req, forwarded);
}

/** The client: the forwarded address when the request came through a trusted proxy, else the peer. */
export function clientAddress(req: IncomingMessage): string {
  return forwardedClients.get(req)?.client ?? peerAddress(req);
}

/** Whether the client spoke https to us: a TLS socket, or a trusted proxy's X-Forwarded-Proto. */
export function requestIsHttps(req: IncomingMessage): boolean {
  return forwardedClients.get(req)?.https === true || (req.socket as { encrypted?: boolean }).encrypted === true;
}
