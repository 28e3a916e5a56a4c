/**
 * The admin API over HTTP: the same contract and dispatcher as the Electron IPC (src/shared/admin-api.ts),
 * answered as `{ok, value}` / `{ok:false, error:{code, message}}` with a matching HTTP status.
 *
 *   POST /admin/rpc/<method>   JSON input → Result            (Bearer secret or API key, or the cookie + X-CSRF-Token)
 *   GET  /admin/info           BridgeInfo                      (Bearer or cookie)
 *   GET  /admin/events         SSE, `data: <LiveEvent JSON>`   (Bearer or cookie; the renderer reads it with fetch)
 * Sign-in, the one-time link and sign-out: ./admin-session-endpoints.ts. Who may call: ./admin-auth.ts;
 * which methods: the role each declares in the contract, enforced by dispatchAdmin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BridgeInfo } from '../../shared/bridge';
import type { DomainEventType, LiveEvent } from '../../shared/events';
import { toErrorInfo, WardenError, type ErrorCode, type Result } from '../../shared/errors';
import { dispatchAdmin } from '../engine/dispatch';
import { proxyRemoteEvents } from './remote-events';
import type { AdminAuth } from './admin-auth';
import { readJson } from './body';
import type { ServiceContext } from './context';
import { NO_STORE, sendJson } from './respond';
import type { SseRegistry } from './sse';
import type { DeploymentManager } from '../deployments/index';

export const ADMIN_RPC_PREFIX = '/admin/rpc/';

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_input: 400,
  unknown_method: 400,
  unauthorized: 401,
  // Admin sign-in (POST /admin/login); no admin method answers these.
  invalid_credentials: 401,
  totp_required: 401,
  forbidden: 403,
  not_found: 404,
  key_not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  login_throttled: 429,
  internal_error: 500,
  storage_error: 500,
  keychain_unavailable: 503,
  no_active_key: 503,
  // A remote deployment this console host manages did not answer, or presented the wrong certificate.
  deployment_unreachable: 502,
  certificate_mismatch: 502,
};

export function statusForError(code: ErrorCode): number {
  return STATUS[code] ?? 400;
}

export function sendResult(res: ServerResponse, result: Result<unknown>, extraHeaders: Record<string, string | number> = {}): void {
  if (result.ok) {
    sendJson(res, 200, result, { ...NO_STORE, ...extraHeaders });
    return;
  }
  const headers: Record<string, string | number> = { ...NO_STORE, ...extraHeaders };
  if (result.error.code === 'unauthorized') headers['WWW-Authenticate'] = 'Bearer realm="token-warden-admin"';
  if (result.error.code === 'payload_too_large') headers.Connection = 'close';
  sendJson(res, statusForError(result.error.code), result, headers);
}

/** Runs `handler`; any WardenError becomes a coded result, anything else a logged 500. */
export function wrapAdminEndpoint(ctx: ServiceContext, name: string, handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      await handler(req, res, url);
    } catch (error) {
      if (!(error instanceof WardenError)) ctx.logFault(name, error);
      const headers: Record<string, string | number> = {};
      if (error instanceof WardenError && error.retryAfterSeconds !== undefined) headers['Retry-After'] = Math.max(1, Math.ceil(error.retryAfterSeconds));
      sendResult(res, { ok: false, error: toErrorInfo(error) }, headers);
    }
  };
}

/** Events after which an open admin event stream checks that its caller still has access. */
const ACCESS_ENDING_EVENTS: ReadonlySet<DomainEventType> = new Set<DomainEventType>(['admin.session_ended', 'admin.key_revoked', 'admin.updated', 'admin.password_changed']);

export class AdminEndpoints {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly auth: AdminAuth,
    private readonly sse: SseRegistry,
    private readonly info: BridgeInfo,
    /** The console host's deployments: calls and events go to the caller's current one (docs/deployments.md). */
    private readonly deployments?: DeploymentManager,
  ) {}

  private wrap(name: string, handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void) {
    return wrapAdminEndpoint(this.ctx, name, handler);
  }

  rpc() {
    return this.wrap('POST /admin/rpc', async (req, res, url) => {
      this.auth.checkPlace(req);
      const { who } = await this.auth.authenticate(req, { enrollment: true });
      const method = url.pathname.slice(ADMIN_RPC_PREFIX.length);
      const input = await readJson(req);
      const report = (fault: unknown) => this.ctx.logFault(`admin ${method}`, fault);
      const result = this.deployments ? await this.deployments.call(method, input, who, report) : await dispatchAdmin(this.ctx.engine.admin, method, input, who, report);
      sendResult(res, result);
    });
  }

  bridgeInfo() {
    return this.wrap('GET /admin/info', async (req, res) => {
      this.auth.checkPlace(req);
      const { who } = await this.auth.authenticate(req);
      sendResult(res, { ok: true, value: this.deployments?.info(who) ?? this.info });
    });
  }

  events() {
    return this.wrap('GET /admin/events', async (req, res) => {
      this.auth.checkPlace(req);
      const principal = await this.auth.authenticate(req);
      if (this.deployments?.target(principal.who)) {
        await proxyRemoteEvents(this.ctx, this.auth, this.sse, this.deployments, req, res, principal);
        return;
      }
      let until = principal.session ? Math.min(principal.session.row.idleExpiresAt, principal.session.row.absoluteExpiresAt) : Number.POSITIVE_INFINITY;
      const stream = this.sse.open(req, res);
      stream.write(': live\n\n');
      let ended = false;
      const send = async (event: LiveEvent) => {
        if (ended) return;
        // A stream outlives the request that opened it: once its session or key has ended (sign-out, revocation,
        // a disabled admin, a lifetime over), nothing more is sent. Asked again only when that can have happened.
        if (ACCESS_ENDING_EVENTS.has(event.type) || this.ctx.clock.now() >= until) {
          const still = await this.auth.recheck(req, principal);
          if (!still) {
            ended = true;
            stream.close();
            return;
          }
          until = still.until;
        }
        // Routine activity that was not audited has no sequence number, and so no SSE id.
        stream.write(`${event.seq === null ? '' : `id: ${event.seq}\n`}data: ${JSON.stringify(event)}\n\n`);
      };
      // The recheck reads the store (asynchronous): events queue behind it, so they go out in commit order and
      // none is written after the event that ended the stream's access.
      let sending: Promise<void> = Promise.resolve();
      const unsubscribe = this.ctx.engine.onEvent((event) => {
        sending = sending.then(() => send(event)).catch((error: unknown) => {
          ended = true;
          stream.close();
          this.ctx.logFault('GET /admin/events', error);
        });
      });
      stream.onClose(unsubscribe);
      // Switching deployment ends this caller's stream: the console reconnects to the new one.
      if (this.deployments) {
        const key = this.deployments.callerKey(principal.who);
        stream.onClose(this.deployments.onSwitch((switched) => switched === key && stream.close()));
      }
    });
  }
}
