/**
 * Prometheus metrics (`GET /metrics`), on a Registry of this service's own: never prom-client's global one,
 * so several services in one process (the tests, the desktop app with a second instance) never mix or clash.
 *
 * Labels are bounded by construction: routes are the service's route names (`/oauth/token`,
 * `/admin/rpc/listUsers`), never raw paths, ids or queries; statuses are numbers; methods are a short list.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What a store with a connection pool reports (PostgreSQL); a store without one (SQLite) has no `poolStats`. */
export interface PoolStats {
  /** Connections open, in use or idle. */
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

/** Where the gauges read their values at scrape time; attached once the service has started. */
export interface MetricSources {
  feedSubscribers(): number;
  /** Back-channel logout rows not yet delivered or given up (undefined: the store cannot count them). */
  backchannelPending(): number | undefined | Promise<number | undefined>;
  poolStats(): PoolStats | undefined;
}

/** Latency histograms cover the endpoints that carry load; event streams and pages are left out. */
export type LatencyGroup = 'token' | 'introspect' | 'admin';

const METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE']);
/** One label object per latency group, made once: observing a request allocates none. */
const LATENCY_LABELS: Readonly<Record<LatencyGroup, { endpoint: LatencyGroup }>> = {
  token: { endpoint: 'token' },
  introspect: { endpoint: 'introspect' },
  admin: { endpoint: 'admin' },
};

/**
 * Requests answered, counted per (route, method, status) in plain maps and handed to the prom-client counter
 * when it is scraped: prom-client hashes the label object of every `inc`, and this runs once per request.
 */
class RequestTally {
  /** route → method → status → [answered, already reported to the counter] */
  private readonly counts = new Map<string, Map<string, Map<number, [number, number]>>>();

  add(route: string, method: string, status: number): void {
    let byMethod = this.counts.get(route);
    if (!byMethod) this.counts.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    const tally = byStatus.get(status);
    if (tally) tally[0] += 1;
    else byStatus.set(status, [1, 0]);
  }

  /** Adds what was answered since the last scrape to `counter`. */
  report(counter: Counter<'route' | 'method' | 'status'>): void {
    for (const [route, byMethod] of this.counts) {
      for (const [method, byStatus] of byMethod) {
        for (const [status, tally] of byStatus) {
          if (tally[0] === tally[1]) continue;
          counter.inc({ route, method, status: String(status) }, tally[0] - tally[1]);
          tally[1] = tally[0];
        }
      }
    }
  }
}
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

export class ServiceMetrics {
  readonly registry = new Registry();
  private sources: MetricSources | undefined;
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly requestTally = new RequestTally();
  private readonly latency: Histogram<'endpoint'>;
  private readonly refreshBatch: Histogram;
  private readonly backchannelFailures: Counter<'final'>;
  private readonly backchannelDelivered: Counter;

  constructor() {
    const registers = [this.registry];
    const tally = this.requestTally;
    this.requests = new Counter({
      name: 'tw_http_requests_total',
      help: 'HTTP requests answered, by route name, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
      collect() {
        tally.report(this);
      },
    });
    this.latency = new Histogram({ name: 'tw_http_request_duration_seconds', help: 'Time to answer token, introspection and admin requests (seconds)', labelNames: ['endpoint'], buckets: LATENCY_BUCKETS, registers });
    this.refreshBatch = new Histogram({ name: 'tw_refresh_batch_size', help: 'Refreshes committed in one transaction (group commit, one batch per event-loop turn)', buckets: BATCH_BUCKETS, registers });
    this.backchannelFailures = new Counter({ name: 'tw_backchannel_failures_total', help: 'Failed back-channel logout attempts; final="true" when the token was given up', labelNames: ['final'], registers });
    this.backchannelDelivered = new Counter({ name: 'tw_backchannel_delivered_total', help: 'Back-channel logout tokens delivered', registers });
    const sources = () => this.sources;
    new Gauge({
      name: 'tw_feed_subscribers',
      help: 'Resource-server connections to the revocation feed',
      registers,
      collect() {
        const current = sources();
        if (current) this.set(current.feedSubscribers());
      },
    });
    new Gauge({
      name: 'tw_backchannel_queue_depth',
      help: 'Back-channel logout tokens waiting to be delivered (the outbox)',
      registers,
      async collect() {
        const pending = await sources()?.backchannelPending();
        this.reset();
        if (pending !== undefined) this.set(pending);
      },
    });
    new Gauge({
      name: 'tw_db_pool_connections',
      help: 'Database connection pool: open connections (total), idle ones, and queries waiting (state); absent for SQLite',
      labelNames: ['state'],
      registers,
      collect() {
        const stats = sources()?.poolStats();
        this.reset();
        if (!stats) return;
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  attach(sources: MetricSources): void {
    this.sources = sources;
  }

  observeRequest(route: string, method: string, status: number, seconds: number, group: LatencyGroup | undefined): void {
    this.requestTally.add(route, METHODS.has(method) ? method : 'OTHER', status);
    if (group) this.latency.observe(LATENCY_LABELS[group], seconds);
  }

  observeRefreshBatch(size: number): void {
    this.refreshBatch.observe(size);
  }

  observeBackchannelAttempt(outcome: 'delivered' | 'failed' | 'gave_up'): void {
    if (outcome === 'delivered') this.backchannelDelivered.inc();
    else this.backchannelFailures.inc({ final: outcome === 'gave_up' ? 'true' : 'false' });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Which latency histogram a route feeds, if any. */
export function latencyGroup(route: string): LatencyGroup | undefined {
  if (route === '/oauth/token') return 'token';
  if (route === '/oauth/introspect') return 'introspect';
  // The console's live events are a stream: its duration is the session's, not a latency.
  if (route.startsWith('/admin/') && route !== '/admin/events' && route !== '/admin/audit/export') return 'admin';
  return undefined;
}
