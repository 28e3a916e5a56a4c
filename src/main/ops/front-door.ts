/**
 * The server's one request listener, in front of the token service, from the moment the port is open:
 *
 * - it applies `--trust-proxy` (who the client is, whether it spoke https) before anything reads it;
 * - it answers the operations endpoints (/healthz, /readyz, /metrics) in every phase;
 * - while starting it answers 503 (the service is attached once the engine is up), and while draining it
 *   refuses new requests with 503 and `Connection: close`, so kept-alive connections go elsewhere;
 * - it counts the requests in flight, so a drain knows when the last one has finished;
 * - when each response ends it records the request: one log event (method, route name, status, duration,
 *   client address) and the request metrics. Route names come from the service, never the raw URL, so neither
 *   ids nor query strings (an authorization code) reach the log or the metric labels.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientAddress, requestIsHttps, trustForwardedFor } from '../http/client-address';
import { isOpsPath, opsEndpoints, type OpsPath } from '../http/ops-endpoints';
import { sendJson } from '../http/respond';
import type { TokenService } from '../http/service';
import type { ProxyTrust } from '../http/trusted-proxies';
import type { Logger } from './logger';
import { latencyGroup, type ServiceMetrics } from './metrics';
import type { Readiness, ReadinessState } from './readiness';

export interface FrontDoorOptions {
  metrics: ServiceMetrics;
  /** Set with --trust-proxy. */
  trust?: ProxyTrust;
  logger?: Logger;
  /** What readiness asks besides the drain (the store, the keys); see ../ops/readiness. */
  readiness: Omit<ReadinessState, 'draining'>;
  /** Start-up style warnings (stderr): said once, when a trusted proxy reports https and the issuer is http. */
  warn?: (line: string) => void;
}

/**
 * The operations path a request URL names, if any. Parsing a URL costs more than the rest of this listener's
 * work per request, so only a URL that mentions one of the three names is parsed (dot segments included:
 * `/x/../metrics` is `/metrics`, as before); every other request goes straight on, as it did after parsing.
 */
export function opsPathOf(url: string): OpsPath | undefined {
  // A URL parser drops tabs and newlines before anything else: a URL holding one is parsed whatever it says.
  if (!url.includes('healthz') && !url.includes('readyz') && !url.includes('metrics') && !/[\t\n\r]/.test(url)) return undefined;
  const pathname = URL.parse(`http://localhost${url}`)?.pathname ?? '';
  return isOpsPath(pathname) ? pathname : undefined;
}

export class FrontDoor {
  private service: TokenService | undefined;
  private isDraining = false;
  private readonly inFlight = new Set<ServerResponse>();
  private idleWaiters: Array<() => void> = [];
  private lastReady: boolean | undefined;
  /** The issuer is http: the first https request through a trusted proxy says it should not be (once). */
  private httpIssuer: string | undefined;
  private readonly ops: ReturnType<typeof opsEndpoints>;

  constructor(private readonly options: FrontDoorOptions) {
    this.ops = opsEndpoints({
      metrics: options.metrics,
      readiness: { ...options.readiness, draining: () => this.isDraining },
      hasAdminBearer: async (req) => (await this.service?.hasAdminBearer(req)) === true,
      onReadiness: (readiness) => this.noteReadiness(readiness),
    });
  }

  /** The node:http request listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    if (this.options.trust) {
      trustForwardedFor(req, this.options.trust);
      if (this.httpIssuer !== undefined && requestIsHttps(req)) this.warnHttpIssuer();
    }
    this.inFlight.add(res);
    const ops = opsPathOf(req.url ?? '');
    res.once('close', () => this.finished(req, res, ops ?? this.routeOf(req), started, ops !== undefined));
    if (ops) {
      this.ops(req, res, ops).catch((fault: unknown) => this.fault(req, res, fault));
      return;
    }
    if (this.isDraining) {
      sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'Token Warden is stopping; retry on another instance.' }, { 'Retry-After': 1, Connection: 'close' });
      return;
    }
    if (!this.service) {
      sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'Token Warden is starting.' }, { 'Retry-After': 1 });
      return;
    }
    this.service.handle(req, res);
  };

  /** The engine is up: requests go to the service from now on. */
  attach(service: TokenService, issuer: string): void {
    this.service = service;
    // The issuer is the stored string, never a request's (RFC 8414 §3.3): https seen at the proxy can only be reported.
    if (issuer.startsWith('http:')) this.httpIssuer = issuer;
  }

  private warnHttpIssuer(): void {
    const issuer = this.httpIssuer;
    this.httpIssuer = undefined;
    this.options.warn?.(`Warning: requests arrive over https through the trusted proxy (X-Forwarded-Proto), but the issuer is ${issuer}: tokens and metadata name the http URL. Start once with --issuer set to the public https URL.`);
    this.options.logger?.warn({ issuer }, 'the issuer is http behind an https proxy');
  }

  get draining(): boolean {
    return this.isDraining;
  }

  /** Requests in flight right now (event streams included until they end). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** From now on new requests are refused and /readyz says `accepting: fail`. */
  startDrain(): void {
    this.isDraining = true;
  }

  /** Resolves true once no request is in flight, or false when `timeoutMs` passes first. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  private routeOf(req: IncomingMessage): string {
    return this.service ? this.service.routeName(req) : '(starting)';
  }

  private finished(req: IncomingMessage, res: ServerResponse, route: string, started: number, probe: boolean): void {
    this.inFlight.delete(res);
    const seconds = (performance.now() - started) / 1000;
    // 0: the connection closed before any answer was sent.
    const status = res.headersSent ? res.statusCode : 0;
    this.options.metrics.observeRequest(route, req.method ?? 'GET', status, seconds, latencyGroup(route));
    const fields: Record<string, unknown> = { method: req.method, route, status, durationMs: Math.round(seconds * 10_000) / 10, client: clientAddress(req) };
    if (!res.writableFinished) fields.aborted = true;
    // Probes arrive every few seconds from every balancer: at debug, so that info shows traffic.
    if (probe) this.options.logger?.debug(fields, 'request');
    else this.options.logger?.info(fields, 'request');
    if (this.inFlight.size === 0) for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  private noteReadiness(readiness: Readiness): void {
    if (readiness.ready === this.lastReady) return;
    this.lastReady = readiness.ready;
    if (readiness.ready) this.options.logger?.info({ checks: readiness.checks }, 'ready');
    else this.options.logger?.warn({ checks: readiness.checks, causes: readiness.causes }, 'not ready');
  }

  private fault(req: IncomingMessage, res: ServerResponse, fault: unknown): void {
    this.options.logger?.error({ where: req.method, err: fault }, 'internal error in an operations endpoint');
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: 'An internal error occurred.' });
    else res.destroy();
  }
}
