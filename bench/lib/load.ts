/**
 * autocannon, driven programmatically, for a fixed time at a fixed number of connections. For one-time
 * refresh tokens each connection must carry its own chain: autocannon calls a request's `onResponse` and,
 * synchronously right after it, the same connection's `setupRequest` for its next request (it resets
 * `context` on every request when there is one request template, so context cannot carry it). The rotated
 * token is handed over in that window; a connection that has nothing handed over (its first request, or
 * after a failed one) takes a fresh seed. A token is therefore never sent twice.
 */
import autocannon from 'autocannon';

export interface LoadResult {
  durationSec: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 2xx responses per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadOptions {
  /** Several URLs: connection i goes to url[i % n], as a round-robin load balancer spreads connections. */
  url: string | string[];
  connections: number;
  durationSec: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Builds each request's body from a one-time token (refresh chains). */
  chain?: TokenChains;
}

/** Seeds and hand-over for per-connection refresh-token chains. */
export class TokenChains {
  private handoff: string | null = null;
  seedsUsed = 0;
  rotations = 0;
  failures = 0;
  exhausted = 0;

  constructor(
    private readonly seeds: string[],
    private readonly bodyFor: (token: string) => string,
    private readonly nextToken: (body: string) => string | undefined,
  ) {}

  get seedsLeft(): number {
    return this.seeds.length;
  }

  setupRequest = (request: Record<string, unknown>): Record<string, unknown> => {
    let token = this.handoff;
    this.handoff = null;
    if (token === null) {
      token = this.seeds.pop() ?? null;
      if (token === null) {
        // Out of seeds: autocannon cannot skip a request, so send one that must fail; it is counted as a
        // non-2xx and the suite's check rejects the run.
        this.exhausted += 1;
        return { ...request, body: this.bodyFor('seeds-exhausted') };
      }
      this.seedsUsed += 1;
    }
    return { ...request, body: this.bodyFor(token) };
  };

  onResponse = (status: number, body: string): void => {
    const next = status === 200 ? this.nextToken(body) : undefined;
    if (next === undefined) {
      this.failures += 1;
      return;
    }
    this.rotations += 1;
    this.handoff = next;
  };
}

interface AutocannonResult {
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number; max: number };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const base = {
    method: options.method ?? 'POST',
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
  };
  const requests = options.chain ? [{ ...base, setupRequest: options.chain.setupRequest, onResponse: options.chain.onResponse }] : undefined;
  const result = (await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSec,
    pipelining: 1,
    timeout: 10,
    ...base,
    ...(requests ? { requests } : {}),
  })) as unknown as AutocannonResult;
  return {
    durationSec: result.duration,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
  };
}
