/**
 * The operations endpoints on a real service: /healthz, /readyz, and /metrics scraped and parsed — route names
 * (never raw paths), the refresh batch sizes, feed subscribers, the back-channel queue, process metrics, the
 * pool gauge with no samples on SQLite — and who may scrape (this machine without a proxy, or an admin bearer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, startTestWarden, type TestWarden } from '../helpers/warden';

let t: TestWarden;
beforeAll(async () => {
  t = await startTestWarden();
});
afterAll(() => t?.close());

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format (0.0.4): `# HELP`/`# TYPE` lines and `name{label="value",…} number` samples. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

async function scrape(headers: Record<string, string> = {}): Promise<{ samples: Sample[]; types: Map<string, string>; text: string }> {
  const response = await fetch(`${t.baseUrl}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const text = await response.text();
  return { ...parseExposition(text), text };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))?.value;

describe('probes', () => {
  it('/healthz says the process is alive; /readyz that every check passes; neither is cached', async () => {
    const health = await fetch(`${t.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(health.headers.get('cache-control')).toBe('no-store');
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { migrations: 'ok', keys: 'ok', database: 'ok', accepting: 'ok' } });
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('answer callers that come through a proxy too (balancers probe from other hosts)', async () => {
    expect((await fetch(`${t.baseUrl}/readyz`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/healthz`, { method: 'POST' })).status).toBe(405);
  });
});

describe('/metrics', () => {
  it('counts requests by route name and status, never by raw path, and times token, introspect and admin', async () => {
    const user = await t.createUser();
    const app = await t.createPublicClient();
    const tokens = await t.login(user, app);
    const refreshed = await t.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: app });
    expect(refreshed.status).toBe(200);
    const api = await t.createConfidentialClient();
    const introspected = await t.postForm('/oauth/introspect', { token: tokens.access_token }, { authorization: basicAuth(api.clientId, api.clientSecret) });
    expect(introspected.status).toBe(200);
    await (await fetch(`${t.baseUrl}/admin/rpc/getUser-${user.id}`, { method: 'POST' })).body?.cancel();
    await (await fetch(`${t.baseUrl}/no/such/${user.id}?code=abc`)).body?.cancel();

    const { samples, types, text } = await scrape();
    expect(value(samples, 'tw_http_requests_total', { route: '/oauth/token', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(value(samples, 'tw_http_requests_total', { route: '/oauth/introspect', status: '200' })).toBe(1);
    expect(value(samples, 'tw_http_requests_total', { route: '/admin/rpc/createUser', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'tw_http_requests_total', { route: '/admin/rpc/(unknown)' })).toBe(1);
    expect(value(samples, 'tw_http_requests_total', { route: '(unmatched)', status: '404' })).toBe(1);
    // Ids, paths and queries never become labels.
    expect(text).not.toContain(user.id);
    expect(text).not.toContain('/no/such');
    expect(types.get('tw_http_request_duration_seconds')).toBe('histogram');
    for (const endpoint of ['token', 'introspect', 'admin']) {
      expect(value(samples, 'tw_http_request_duration_seconds_count', { endpoint })).toBeGreaterThanOrEqual(1);
    }
    // The refresh went through one group-commit batch.
    expect(types.get('tw_refresh_batch_size')).toBe('histogram');
    expect(value(samples, 'tw_refresh_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'tw_refresh_batch_size_sum')).toBeGreaterThanOrEqual(1);
  });

  it('reports feed subscribers, the back-channel queue, process metrics, and a pool gauge with no samples on SQLite', async () => {
    const api = await t.createConfidentialClient();
    const abort = new AbortController();
    const feed = await fetch(`${t.baseUrl}/events`, { headers: { authorization: basicAuth(api.clientId, api.clientSecret) }, signal: abort.signal });
    expect(feed.status).toBe(200);
    try {
      const { samples, types } = await scrape();
      expect(value(samples, 'tw_feed_subscribers')).toBe(1);
      expect(value(samples, 'tw_backchannel_queue_depth')).toBe(0);
      expect(types.get('tw_backchannel_failures_total')).toBe('counter');
      expect(types.get('tw_db_pool_connections')).toBe('gauge');
      expect(samples.filter((sample) => sample.name === 'tw_db_pool_connections')).toEqual([]);
      expect(value(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(value(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    } finally {
      abort.abort();
    }
  });

  it('answers this machine without a proxy, or an admin bearer; anyone else gets 401', async () => {
    const proxied = await fetch(`${t.baseUrl}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(proxied.status).toBe(401);
    expect(proxied.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${t.baseUrl}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7', authorization: 'Bearer not-the-token' } })).status).toBe(401);
    const { samples } = await scrape({ 'x-forwarded-for': '203.0.113.7', authorization: `Bearer ${t.adminToken}` });
    expect(value(samples, 'tw_http_requests_total', { route: '/metrics', status: '401' })).toBe(2);
  });
});
