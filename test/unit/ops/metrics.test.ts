/**
 * Request counts are tallied in plain maps and handed to the prom-client counter at scrape time (one request
 * costs no label hashing): every scrape must show the running totals, per route, method and status.
 */
import { describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../../../src/main/ops/metrics';

function sample(body: string, name: string, labels: string): number | undefined {
  const line = body.split('\n').find((row) => row.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('ServiceMetrics request counts', () => {
  it('show running totals at every scrape, by route, method and status', async () => {
    const metrics = new ServiceMetrics();
    for (let i = 0; i < 3; i++) metrics.observeRequest('/oauth/token', 'POST', 200, 0.002, 'token');
    metrics.observeRequest('/oauth/token', 'POST', 400, 0.001, 'token');
    metrics.observeRequest('/healthz', 'BREW', 200, 0.0001, undefined);
    let body = (await metrics.scrape()).body;
    expect(sample(body, 'tw_http_requests_total', 'route="/oauth/token",method="POST",status="200"')).toBe(3);
    expect(sample(body, 'tw_http_requests_total', 'route="/oauth/token",method="POST",status="400"')).toBe(1);
    expect(sample(body, 'tw_http_requests_total', 'route="/healthz",method="OTHER",status="200"')).toBe(1);
    expect(sample(body, 'tw_http_request_duration_seconds_count', 'endpoint="token"')).toBe(4);

    metrics.observeRequest('/oauth/token', 'POST', 200, 0.003, 'token');
    body = (await metrics.scrape()).body;
    expect(sample(body, 'tw_http_requests_total', 'route="/oauth/token",method="POST",status="200"')).toBe(4);
    expect(sample(body, 'tw_http_requests_total', 'route="/oauth/token",method="POST",status="400"')).toBe(1);
    expect(sample(body, 'tw_http_request_duration_seconds_count', 'endpoint="token"')).toBe(5);
    // A scrape with nothing new changes nothing.
    expect(sample((await metrics.scrape()).body, 'tw_http_requests_total', 'route="/oauth/token",method="POST",status="200"')).toBe(4);
  });
});
