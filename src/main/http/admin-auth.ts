/**
 * Who may use the admin API over HTTP, and from where.
 *
 * - Where: the Host header must name this server on a loopback address, or the issuer's host (a TLS proxy
 *   in front passes the public name through) — a DNS-rebinding defence: a rebound hostname arrives with its
 *   own Host. A present Origin must be this server's own origin: the one the Host names, or the issuer's (a
 *   page on another origin cannot drive the API even if it guesses the port).
 * - Who: `Authorization: Bearer <secret>` — the bootstrap secret in DIR/admin-token (compared as SHA-256
 *   digests in constant time; the owner `admin:bootstrap`) or a named admin's API key — or the console's
 *   HttpOnly session cookie `tw_admin` (a named admin's sign-in, or the one-time link's bootstrap session).
 *   A request with the cookie that changes anything (any method but GET/HEAD) must carry the session's
 *   `X-CSRF-Token` (from GET /admin/me): a cookie rides along on any request the browser makes, a header
 *   only on the console's own. A present Authorization header wins over the cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WardenError } from '../../shared/errors';
import type { Clock } from '../engine/clock';
import type { ActorContext } from '../engine/dispatch';
import type { AdminAccess } from '../engine/admin-access';
import type { AdminSessionRow } from '../store/admin-store';

export const LOGIN_CODE_TTL_MS = 10 * 60_000;
const MAX_CODES = 100;
export const ADMIN_COOKIE = 'tw_admin';
export const CSRF_HEADER = 'x-csrf-token';
export const BOOTSTRAP: ActorContext = Object.freeze({ actor: 'admin:bootstrap', role: 'owner', adminId: null });

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
  /** Named admins' keys and sessions (the engine's). */
  access: AdminAccess;
}

/** An authenticated caller: who, and how (a cookie session carries its row and cookie value). */
export interface AdminPrincipal {
  who: ActorContext;
  session?: { row: AdminSessionRow; cookie: string };
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)[ ]*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** The value of one cookie (RFC 6265 §5.4 syntax; the first of duplicates), or undefined. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The CSRF token of a session: derived from its cookie, so only a page that can ask /admin/me learns it. */
export function csrfTokenFor(cookie: string): string {
  return createHash('sha256').update(`tw-admin-csrf:${cookie}`, 'utf8').digest('base64url');
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export class AdminAuth {
  private readonly codes = new Map<string, number>();
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

  /** `Set-Cookie` for a new session, or for clearing it (`null`); `https`: a trusted proxy said the request was. */
  sessionCookie(session: { token: string; absoluteExpiresAt: number } | null, https = false): string {
    const secure = https || this.issuerOrigin?.startsWith('https:') ? '; Secure' : '';
    if (!session) return `${ADMIN_COOKIE}=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0${secure}`;
    const maxAge = Math.max(0, Math.floor((session.absoluteExpiresAt - this.options.clock.now()) / 1000));
    return `${ADMIN_COOKIE}=${session.token}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=${maxAge}${secure}`;
  }

  /**
   * The caller behind a Bearer secret or the session cookie, or `unauthorized` / `forbidden` (CSRF). An admin who
   * must enroll TOTP first (the owners require it) is refused (`forbidden`) unless the endpoint says it serves
   * enrollment (`enrollment: true`: /admin/me, sign-out, the RPC, where dispatchAdmin lets the enrollment
   * methods through): safe by default for every other endpoint (live events, exports).
   */
  async authenticate(req: IncomingMessage, options: { enrollment?: boolean } = {}): Promise<AdminPrincipal> {
    const principal = await this.principal(req);
    if (principal.who.mustEnrollTotp === true && options.enrollment !== true) {
      throw new WardenError('forbidden', 'Set up two-factor sign-in (TOTP) first: the owners require it.');
    }
    return principal;
  }

  private async principal(req: IncomingMessage): Promise<AdminPrincipal> {
    if (req.headers.authorization !== undefined) return { who: await this.bearer(req) };
    const cookie = readCookie(req, ADMIN_COOKIE);
    if (cookie === undefined || cookie === '') throw new WardenError('unauthorized', 'Sign in, or send an admin token or API key.');
    // Checked first (it needs only the cookie): a forged request must not even move the session's idle deadline.
    if (!SAFE_METHODS.has(req.method ?? 'GET')) {
      const sent = req.headers[CSRF_HEADER];
      const expected = Buffer.from(csrfTokenFor(cookie));
      if (typeof sent !== 'string' || sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), expected)) {
        throw new WardenError('forbidden', 'This request needs the X-CSRF-Token header of your console session (GET /admin/me).');
      }
    }
    const found = cookie.length <= 100 ? await this.options.access.authenticateSession(cookie) : undefined;
    if (!found) throw new WardenError('unauthorized', 'Your console session has ended: sign in again.');
    return { who: found.who, session: { row: found.session, cookie } };
  }

  /**
   * Whether a caller authenticated earlier on this request still is (an open event stream): its session still
   * live, its key still good. Returns when to ask again at the latest (the session's next deadline), or null.
   */
  async recheck(req: IncomingMessage, principal: AdminPrincipal): Promise<{ until: number } | null> {
    if (principal.session) {
      const row = await this.options.access.liveSession(principal.session.row.id);
      return row ? { until: Math.min(row.idleExpiresAt, row.absoluteExpiresAt) } : null;
    }
    try {
      await this.bearer(req);
      return { until: Number.POSITIVE_INFINITY };
    } catch {
      return null;
    }
  }

  private async bearer(req: IncomingMessage): Promise<ActorContext> {
    const token = bearerToken(req);
    if (token === undefined) throw new WardenError('unauthorized', 'Expected "Authorization: Bearer <admin token or API key>".');
    const digest = sha256(token);
    if (this.options.adminTokenHash && timingSafeEqual(digest, this.options.adminTokenHash)) return BOOTSTRAP;
    const key = await this.options.access.authenticateKey(token);
    if (key) return key;
    throw new WardenError('unauthorized', 'The admin token or API key is not valid.');
  }

  /** A one-time code for the console URL: 128 random bits, single use, valid for 10 minutes. */
  createLoginCode(): string {
    this.prune(this.codes, MAX_CODES);
    const code = randomBytes(16).toString('base64url');
    this.codes.set(sha256(code).toString('hex'), this.options.clock.now() + LOGIN_CODE_TTL_MS);
    return code;
  }

  /** Uses up a one-time login code; `unauthorized` when it is unknown, used or expired. */
  consumeCode(code: unknown): void {
    if (typeof code !== 'string' || code.length === 0 || code.length > 200) {
      throw new WardenError('invalid_input', 'Expected {code: string}.');
    }
    const key = sha256(code).toString('hex');
    const expiresAt = this.codes.get(key);
    this.codes.delete(key);
    if (expiresAt === undefined || expiresAt <= this.options.clock.now()) throw new WardenError('unauthorized', 'The login code is invalid, used or expired.');
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
