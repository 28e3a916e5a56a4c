/**
 * HTTP(S) requests to a remote deployment from the main process, with TLS checked before a byte is sent.
 *
 * Every https request opens its own TLS connection (no agent, no session resumption), and the request is
 * handed that socket only after the handshake was judged here: with `tlsVerify` the CA chain and host name
 * must check out (Node's own verdict, `socket.authorized`); with a pinned fingerprint the leaf certificate's
 * SHA-256 must equal it, whatever the CA says. A refused server never sees the request, so never the API key.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';
import { normalizeFingerprint, type CertificateInfo } from '../../shared/deployments';
import { WardenError } from '../../shared/errors';

export interface RemoteEndpoint {
  /** An origin: `https://auth.example.com` or `http://127.0.0.1:8080`. */
  baseUrl: string;
  tlsVerify: boolean;
  pinnedSha256: string | null;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

function unreachable(baseUrl: string, cause: unknown): WardenError {
  if (cause instanceof WardenError) return cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new WardenError('deployment_unreachable', `The deployment at ${baseUrl} did not answer${code ? ` (${code})` : ''}.`, { detail });
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function portOf(url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
}

/** Opens a TLS connection and waits for its handshake (no check of the result yet). */
function handshake(url: URL, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const host = hostOf(url);
    const socket = tlsConnect({
      host,
      port: portOf(url),
      // SNI takes names only; an address is checked against the certificate's IP entries by Node all the same.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      // Judged in `secureSocket` below (Node still computes `authorized`, including the host name check).
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => socket.destroy(new WardenError('deployment_unreachable', `The deployment at ${url.origin} did not complete a TLS handshake within ${timeoutMs} ms.`)), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(unreachable(url.origin, error));
    };
    socket.once('error', onError);
  });
}

/** A TLS socket that passed the endpoint's checks; destroyed and refused otherwise. */
export async function secureSocket(endpoint: RemoteEndpoint, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<TLSSocket> {
  const url = new URL(endpoint.baseUrl);
  const socket = await handshake(url, timeoutMs);
  const presented = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
  if (endpoint.pinnedSha256 !== null && presented !== endpoint.pinnedSha256) {
    socket.destroy();
    throw new WardenError(
      'certificate_mismatch',
      `The certificate of ${url.origin} is not the pinned one: it presented SHA-256 ${presented}, the profile pins ${endpoint.pinnedSha256}. Nothing was sent. If the server's certificate was renewed, fetch and confirm the new fingerprint.`,
    );
  }
  if (endpoint.tlsVerify && !socket.authorized) {
    const reason = String(socket.authorizationError ?? 'unknown');
    socket.destroy();
    throw new WardenError(
      'deployment_unreachable',
      `The certificate of ${url.origin} is not trusted (${reason}). Nothing was sent. Pin its fingerprint (trust on first use) or give the server a certificate this computer trusts.`,
    );
  }
  // The checks are done: the socket may now fail like any other.
  return socket;
}

function describeName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}

/** The leaf certificate an https deployment presents, without judging it (for trust on first use). */
export async function fetchCertificate(baseUrl: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CertificateInfo> {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:') throw new WardenError('invalid_input', `${baseUrl} is not https: there is no certificate to pin.`);
  const socket = await handshake(url, timeoutMs);
  try {
    const cert = socket.getPeerCertificate() as DetailedPeerCertificate;
    return {
      sha256: normalizeFingerprint(cert.fingerprint256 ?? ''),
      subject: describeName(cert.subject),
      issuer: describeName(cert.issuer),
      validFrom: cert.valid_from,
      validTo: cert.valid_to,
      authorized: socket.authorized,
      authorizationError: socket.authorized ? null : String(socket.authorizationError ?? 'unknown'),
    };
  } finally {
    socket.destroy();
  }
}

export interface RemoteRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: string;
  /** Until the response headers arrive. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Sends one request; resolves with the response once its headers are in (the body is the caller's to read). */
export async function remoteRequest(endpoint: RemoteEndpoint, options: RemoteRequest): Promise<IncomingMessage> {
  const url = new URL(endpoint.baseUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let socket: Socket | undefined;
  try {
    if (url.protocol === 'https:') socket = await secureSocket(endpoint, timeoutMs);
  } catch (error) {
    throw unreachable(url.origin, error);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: hostOf(url),
      port: portOf(url),
      method: options.method,
      path: options.path,
      headers: { Host: url.host, Connection: 'close', ...options.headers, ...(options.body !== undefined ? { 'Content-Length': Buffer.byteLength(options.body) } : {}) },
      ...(socket ? { createConnection: () => socket } : { agent: false }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const timer = setTimeout(() => req.destroy(new WardenError('deployment_unreachable', `The deployment at ${url.origin} did not answer within ${timeoutMs} ms.`)), timeoutMs);
    req.once('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(unreachable(url.origin, error));
    });
    req.end(options.body);
  });
}

/** Reads a whole (bounded) response body as text. */
export async function readBody(res: IncomingMessage, maxBytes = 64 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      res.destroy();
      throw new WardenError('deployment_unreachable', `The deployment's answer is larger than ${maxBytes} bytes.`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
