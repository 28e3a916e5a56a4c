/**
 * The token service: one request handler for node:http that routes to the endpoint modules. It owns the
 * in-memory parts of the transport (address throttle, feed connections and receipts, console sessions) but
 * not the server socket: the caller listens, then attaches `handle` (see src/main/app.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BridgeInfo } from '../../shared/bridge';
import { FEED_HEARTBEAT_MS } from '@token-warden/verifier';
import type { Clock } from '../engine/clock';
import type { TokenEngine } from '../engine/types';
import { AddressThrottle, DEFAULT_ADDRESS_THROTTLE, type ThrottleOptions } from './address-throttle';
import { AdminAuth } from './admin-auth';
import { authorizeEndpoints } from './authorize-endpoint';
import { endSessionEndpoints } from './end-session-endpoint';
import { ADMIN_RPC_PREFIX, AdminEndpoints } from './admin-endpoints';
import { AUDIT_EXPORT_PATH, auditExportEndpoint } from './audit-export';
import { AdminSessionEndpoints } from './admin-session-endpoints';
import type { Endpoint, ServiceContext } from './context';
import { jwksEndpoint, metadataEndpoint, PATHS } from './discovery-endpoints';
import { RevocationFeed, type FeedLimits, type FeedSubscriber } from './feed-endpoint';
import { FeedReceipts } from './feed-receipts';
import { introspectEndpoint } from './introspect-endpoint';
import { sendJson } from './respond';
import { revokeEndpoint } from './revoke-endpoint';
import { SseRegistry } from './sse';
import { StaticConsole } from './static-console';
import { tokenEndpoint } from './token-endpoint';
import { userinfoEndpoint } from './userinfo-endpoint';
import { preflight } from './cors';
import { adminApi } from '../../shared/admin-api';
import type { DeploymentManager } from '../deployments/index';
import { remoteAwareExport } from './remote-export';

export interface TokenServiceOptions {
  engine: TokenEngine;
  clock: Clock;
  /** The listening port: the admin API accepts only Host headers that carry it. */
  port: number;
  info: BridgeInfo;
  /** SHA-256 of the admin token (null: console sessions only). */
  adminTokenHash: Buffer | null;
  /** A built renderer to serve at `/` (browser-console mode). */
  consoleDir?: string | null;
  feedHeartbeatMs?: number;
  /** Connection caps, SET cache size and per-turn pacing of the revocation feed (docs/feed.md). */
  feedLimits?: Partial<FeedLimits>;
  addressThrottle?: ThrottleOptions;
  /** Host names besides loopback that the admin API accepts (with --allow-remote and --host). */
  extraAdminHosts?: string[];
  /** Where internal faults are reported; defaults to stderr. */
  logFault?: (where: string, fault: unknown) => void;
  /** The deployments the console manages: admin calls and events follow each caller's current one. */
  deployments?: DeploymentManager;
}

export interface TokenService {
  /** The node:http request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Receipts from resource servers, by feed event id (a Receipt's `feedEventId`). */
  readonly receipts: FeedReceipts;
  /** Resource servers connected to the revocation feed right now. */
  subscribers(): FeedSubscriber[];
  /** A one-time login code for the browser console URL. */
  createLoginCode(): string;
  /** Ends every open event stream (call before server.close()); `retryMs`: first tell each client when to reconnect. */
  close(retryMs?: number): void;
  /** The route a request took, as metrics and logs name it: never a raw path, id or query (see routeName). */
  routeName(req: IncomingMessage): string;
  /** Whether the request carries the bootstrap admin token or a valid admin API key (the ops endpoints). */
  hasAdminBearer(req: IncomingMessage): Promise<boolean>;
}

const API_PREFIXES = ['/oauth/', '/admin/', '/events', '/.well-known/'];

/** Where internal faults go unless the caller says otherwise: stderr, with the stack. */
export function defaultLogFault(where: string, fault: unknown): void {
  const detail = fault instanceof Error ? (fault.stack ?? fault.message) : String(fault);
  console.error(`[token-warden] internal error in ${where}: ${detail}`);
}

export function createTokenService(options: TokenServiceOptions): TokenService {
  const ctx: ServiceContext = {
    engine: options.engine,
    clock: options.clock,
    throttle: new AddressThrottle(options.clock, options.addressThrottle ?? DEFAULT_ADDRESS_THROTTLE),
    logFault: options.logFault ?? defaultLogFault,
  };
  const sse = new SseRegistry(options.clock, options.feedHeartbeatMs ?? FEED_HEARTBEAT_MS);
  const receipts = new FeedReceipts();
  const feed = new RevocationFeed(ctx, sse, receipts, options.feedLimits);
  const auth = new AdminAuth({ clock: options.clock, adminTokenHash: options.adminTokenHash, port: options.port, extraHosts: options.extraAdminHosts ?? [], issuer: options.engine.issuer, access: options.engine.adminAccess });
  const admin = new AdminEndpoints(ctx, auth, sse, options.info, options.deployments);
  const adminSessions = new AdminSessionEndpoints(ctx, auth, options.addressThrottle ?? DEFAULT_ADDRESS_THROTTLE);
  const staticConsole = options.consoleDir ? new StaticConsole(options.consoleDir).endpoint() : undefined;
  const authorize = authorizeEndpoints(ctx);
  const endSession = endSessionEndpoints(ctx);

  const routes = new Map<string, Partial<Record<string, Endpoint>>>([
    [PATHS.metadata, { GET: metadataEndpoint(ctx) }],
    [PATHS.openidConfiguration, { GET: metadataEndpoint(ctx) }],
    [PATHS.token, { POST: tokenEndpoint(ctx), OPTIONS: preflight('POST') }],
    ['/oauth/authorize', { GET: authorize.get, POST: authorize.post }],
    [PATHS.userinfo, { GET: userinfoEndpoint(ctx), POST: userinfoEndpoint(ctx), OPTIONS: preflight('GET, POST') }],
    [PATHS.endSession, { GET: endSession.get, POST: endSession.post }],
    [PATHS.revoke, { POST: revokeEndpoint(ctx) }],
    [PATHS.introspect, { POST: introspectEndpoint(ctx) }],
    [PATHS.jwks, { GET: jwksEndpoint(ctx) }],
    [PATHS.feed, { GET: feed.streamEndpoint() }],
    [PATHS.feedAck, { POST: feed.ackEndpoint() }],
    ['/admin/session', { POST: adminSessions.session() }],
    ['/admin/login', { POST: adminSessions.login() }],
    ['/admin/me', { GET: adminSessions.whoami() }],
    ['/admin/logout', { POST: adminSessions.logout() }],
    ['/admin/logout-all', { POST: adminSessions.logoutAll() }],
    ['/admin/info', { GET: admin.bridgeInfo() }],
    ['/admin/events', { GET: admin.events() }],
    [AUDIT_EXPORT_PATH, { GET: options.deployments ? remoteAwareExport(ctx, auth, options.deployments, auditExportEndpoint(ctx, auth)) : auditExportEndpoint(ctx, auth) }],
  ]);
  const rpc = admin.rpc();

  function route(req: IncomingMessage, url: URL): Endpoint | { status: 404 | 405; allow?: string } {
    const method = req.method ?? 'GET';
    const byMethod = url.pathname.startsWith(ADMIN_RPC_PREFIX) ? { POST: rpc } : routes.get(url.pathname);
    if (byMethod) {
      const endpoint = byMethod[method];
      return endpoint ?? { status: 405, allow: Object.keys(byMethod).join(', ') };
    }
    const isApi = API_PREFIXES.some((prefix) => url.pathname.startsWith(prefix));
    if (staticConsole && !isApi && (method === 'GET' || method === 'HEAD')) return staticConsole;
    return { status: 404 };
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '';
    // Origin-form only ("/path?query"); prefixing keeps "//host/…" from being read as another authority.
    const url = raw.startsWith('/') ? URL.parse(`http://localhost${raw}`) : null;
    if (!url) {
      sendJson(res, 400, { error: 'invalid_request', error_description: 'Malformed request target.' });
      return;
    }
    const target = route(req, url);
    if (typeof target === 'function') {
      await target(req, res, url);
      return;
    }
    if (target.status === 405) {
      sendJson(res, 405, { error: 'invalid_request', error_description: 'Method not allowed.' }, { Allow: target.allow ?? '' });
      return;
    }
    sendJson(res, 404, { error: 'not_found', error_description: 'No such endpoint.' });
  }

  return {
    handle(req, res) {
      dispatch(req, res).catch((fault: unknown) => {
        ctx.logFault(`${req.method ?? '?'} ${req.url?.slice(0, 100) ?? ''}`, fault);
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: 'An internal error occurred.' });
        else res.destroy();
      });
    },
    receipts,
    subscribers: () => feed.subscribers(),
    createLoginCode: () => auth.createLoginCode(),
    close(retryMs) {
      if (retryMs !== undefined) sse.announceRetry(retryMs);
      feed.close();
      sse.closeAll();
    },
    routeName(req) {
      const pathname = URL.parse(`http://localhost${req.url ?? ''}`)?.pathname ?? '';
      if (pathname.startsWith(ADMIN_RPC_PREFIX)) {
        const method = pathname.slice(ADMIN_RPC_PREFIX.length);
        return Object.hasOwn(adminApi, method) ? pathname : `${ADMIN_RPC_PREFIX}(unknown)`;
      }
      if (routes.has(pathname)) return pathname;
      const isApi = API_PREFIXES.some((prefix) => pathname.startsWith(prefix));
      return staticConsole && !isApi ? '(console)' : '(unmatched)';
    },
    // Awaited whether authentication is synchronous or not (it reads API keys from the store): a forgotten
    // await on a promise would make every bearer look valid.
    async hasAdminBearer(req) {
      if (req.headers.authorization === undefined) return false;
      try {
        await auth.authenticate(req);
        return true;
      } catch {
        return false;
      }
    },
  };
}
