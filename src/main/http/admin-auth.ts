/**
 * Who may use the admin API over HTTP, and from where.
 *
 * - Where: the Host header must name this server on a loopback address, or the issuer's host (a TLS proxy
 *   in front passes the public name through) — a DNS-rebinding defence: a rebound hostname arrives with its
 *   own Host. A present Origin must be this server's own origin: the one the Host names, or the issuer's (a
 *   page on another origin cannot drive the API even if it guesses the port).
 * - Who: `Authorization: Bearer <admin token>` (the secret in DIR/admin-token, compared as SHA-256 digests in
 *   constant time), or a console session token obtained by exchanging a one-time login code.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WardenError } from '../../shared/errors';
import type { Clock } from '../engine/clock';

export const LOGIN_CODE_TTL_MS = 10 * 60_000;
export const CONSOLE_SESSION_TTL_MS = 12 * 3600_000;
const MAX_CODES = 100;
const MAX_SESSIONS = 1000;

export interface AdminAuthOptions {
  clock: Clock;
  /** SHA-256 of the admin token; null disables bearer access with it (console sessions only). */
  adminTokenHash: Buffer | null;
  /** The port the server listens on; the Host header must carry it. */
  port: number;
  /** Extra host names accepted in the Host header (only with --allow-remote and an explicit --host). */
  extraHosts?: string[];
  /** The issuer (e.g. `https://auth.example.com` behind a proxy): its host is accepted, and its origin. */
  issuer?: string;
}

export interface AdminPrincipal {
  /** Audited as the actor of every admin action. */
  actor: 'admin:http' | 'admin:console';
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)[ ]*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

export class AdminAuth {
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  /** Host headers naming this server directly (`host:port`); their origin is `http://` + the Host. */
  private readonly directHosts: Set<string>;
  /** Host headers naming the issuer; their origin is the issuer's. */
  private readonly issuerHosts = new Set<string>();
  private readonly issuerOrigin: string | undefined;

  constructor(private readonly options: AdminAuthOptions) {
    const hosts = ['127.0.0.1', 'localhost', '[::1]', ...(options.extraHosts ?? [])];
    this.directHosts = new Set(hosts.map((host) => `${host.toLowerCase()}:${options.port}`));
    const issuer = options.issuer === undefined ? null : URL.parse(options.issuer);
    if (issuer) {
      this.issuerOrigin = issuer.origin;
      this.issuerHosts.add(issuer.host);
      // Clients that spell out the default port: "auth.example.com:443".
      if (issuer.port === '') this.issuerHosts.add(`${issuer.hostname}:${issuer.protocol === 'https:' ? 443 : 80}`);
    }
  }

  /** Throws `forbidden` unless Host is one of ours and Origin, when sent, is the same origin or the issuer's. */
  checkPlace(req: IncomingMessage): void {
    const host = (req.headers.host ?? '').toLowerCase();
    const direct = this.directHosts.has(host);
    if (!direct && !this.issuerHosts.has(host)) throw new WardenError('forbidden', 'The admin API answers only on this machine\'s loopback address or the issuer\'s host.');
    // Behind a proxy the Host may be the public name or the proxy's upstream address; the page is the issuer's either way.
    const origin = req.headers.origin?.toLowerCase();
    if (origin !== undefined && !(direct && origin === `http://${host}`) && origin !== this.issuerOrigin) {
      throw new WardenError('forbidden', 'Cross-origin requests to the admin API are refused.');
    }
    if (req.headers['sec-fetch-site'] === 'cross-site') throw new WardenError('forbidden', 'Cross-site requests to the admin API are refused.');
  }

  /** The caller behind a Bearer token, or `unauthorized`. */
  authenticate(req: IncomingMessage): AdminPrincipal {
    const token = bearerToken(req);
    if (token === undefined) throw new WardenError('unauthorized', 'An admin token or console session is required.');
    const digest = sha256(token);
    if (this.options.adminTokenHash && timingSafeEqual(digest, this.options.adminTokenHash)) return { actor: 'admin:http' };
    // Session tokens are looked up by their digest, so lookup timing says nothing about the token itself.
    const key = digest.toString('hex');
    const expiresAt = this.sessions.get(key);
    if (expiresAt !== undefined && expiresAt > this.options.clock.now()) return { actor: 'admin:console' };
    if (expiresAt !== undefined) this.sessions.delete(key);
    throw new WardenError('unauthorized', 'The admin token or console session is not valid.');
  }

  /** A one-time code for the console URL: 128 random bits, single use, valid for 10 minutes. */
  createLoginCode(): string {
    this.prune(this.codes, MAX_CODES);
    const code = randomBytes(16).toString('base64url');
    this.codes.set(sha256(code).toString('hex'), this.options.clock.now() + LOGIN_CODE_TTL_MS);
    return code;
  }

  /** Trades a login code (once) for a console session token valid for 12 hours. */
  exchangeCode(code: unknown): { token: string; expiresAt: number } {
    if (typeof code !== 'string' || code.length === 0 || code.length > 200) {
      throw new WardenError('invalid_input', 'Expected {code: string}.');
    }
    const key = sha256(code).toString('hex');
    const expiresAt = this.codes.get(key);
    this.codes.delete(key);
    const now = this.options.clock.now();
    if (expiresAt === undefined || expiresAt <= now) throw new WardenError('unauthorized', 'The login code is invalid, used or expired.');
    this.prune(this.sessions, MAX_SESSIONS);
    const token = randomBytes(32).toString('base64url');
    const sessionExpiresAt = now + CONSOLE_SESSION_TTL_MS;
    this.sessions.set(sha256(token).toString('hex'), sessionExpiresAt);
    return { token, expiresAt: sessionExpiresAt };
  }

  /** Drops expired entries, then the oldest ones beyond `max`. */
  private prune(map: Map<string, number>, max: number): void {
    const now = this.options.clock.now();
    for (const [key, expiresAt] of map) if (expiresAt <= now) map.delete(key);
    for (const key of map.keys()) {
      if (map.size < max) break;
      map.delete(key);
    }
  }
}
