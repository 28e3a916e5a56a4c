/**
 * The operations endpoints, answered before the token service's routes (and while it starts or drains):
 *
 * - `GET /healthz`: the process is alive and its event loop turns — 200 `{"status":"ok"}`, always.
 * - `GET /readyz`: 200 `{"status":"ready",…}` when the database answers, keys are loaded and migrations are
 *   done; 503 `{"status":"unready","checks":{…}}` naming the check that failed otherwise (../ops/readiness).
 * - `GET /metrics`: Prometheus text (../ops/metrics).
 *
 * Who may ask: the probes are open to anyone who reaches the port — load balancers and orchestrators probe
 * without credentials, from other hosts (a compose network, a kubelet) — and say nothing but which check
 * failed (causes go to the log, not to the prober). /metrics reveals traffic and internals, so it answers
 * only a caller on this machine (a loopback peer that no proxy forwarded) or one that sends the bootstrap
 * admin token or an admin API key as a Bearer. Nothing here is cached (`Cache-Control: no-store`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from '../config';
import type { ServiceMetrics } from '../ops/metrics';
import { checkReadiness, type Readiness, type ReadinessState } from '../ops/readiness';
import { peerAddress } from './client-address';
import { NO_STORE, sendJson } from './respond';

export const OPS_PATHS = ['/healthz', '/readyz', '/metrics'] as const;
export type OpsPath = (typeof OPS_PATHS)[number];

export interface OpsEndpointsOptions {
  readiness: ReadinessState;
  metrics: ServiceMetrics;
  /** Whether the request carries an admin bearer (the token service's check; undefined while starting). */
  hasAdminBearer(req: IncomingMessage): Promise<boolean>;
  /** Called with each probe's result (the log notes when readiness changes, with the cause). */
  onReadiness?(readiness: Readiness): void;
}

export function isOpsPath(pathname: string): pathname is OpsPath {
  return (OPS_PATHS as readonly string[]).includes(pathname);
}

/** On this machine and not through a proxy: a proxy on loopback would otherwise make everyone local. */
export function isLocalCaller(req: IncomingMessage): boolean {
  return isLoopbackHost(peerAddress(req)) && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

export function opsEndpoints(options: OpsEndpointsOptions): (req: IncomingMessage, res: ServerResponse, pathname: OpsPath) => Promise<void> {
  return async (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'invalid_request', error_description: 'Method not allowed.' }, { Allow: 'GET, HEAD', ...NO_STORE });
      return;
    }
    if (pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok' }, NO_STORE);
      return;
    }
    if (pathname === '/readyz') {
      const readiness = await checkReadiness(options.readiness);
      options.onReadiness?.(readiness);
      sendJson(res, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'unready', checks: readiness.checks }, { ...NO_STORE, ...(readiness.ready ? {} : { 'Retry-After': 1 }) });
      return;
    }
    if (!isLocalCaller(req) && !(await options.hasAdminBearer(req))) {
      sendJson(res, 401, { error: 'unauthorized', error_description: 'Metrics answer on this machine, or with "Authorization: Bearer <admin token or API key>".' }, { 'WWW-Authenticate': 'Bearer', ...NO_STORE });
      return;
    }
    const { contentType, body } = await options.metrics.scrape();
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...NO_STORE });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
