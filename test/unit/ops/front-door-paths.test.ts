/**
 * The front door parses a request URL only when it may name an operations endpoint (parsing every URL cost
 * more than the rest of its work per request). Which path it picks must be exactly what parsing every URL
 * picked: pinned here against that reference over plain, dotted, encoded, doubled and odd request targets.
 */
import { describe, expect, it } from 'vitest';
import { isOpsPath } from '../../../src/main/http/ops-endpoints';
import { opsPathOf } from '../../../src/main/ops/front-door';

function reference(url: string): string | undefined {
  const pathname = URL.parse(`http://localhost${url}`)?.pathname ?? '';
  return isOpsPath(pathname) ? pathname : undefined;
}

const TARGETS = [
  '/oauth/token', '/healthz', '/readyz', '/metrics', '/metrics?x=1', '/healthz#frag', '/readyz/', '/metrics/', '//metrics',
  '/x/../metrics', '/x/%2e%2e/metrics', '/./healthz', '/a/b/../../readyz', '/x\\..\\metrics', '/%6Detrics', '/METRICS',
  '/met\trics', '/health\nz', '/ready\rz', '/admin/rpc/listUsers', '/oauth/authorize?code=metrics', '/healthzz', '/metricsx',
  '', '*', 'http://example.com/metrics', '/events', '/.well-known/openid-configuration',
];

describe('opsPathOf', () => {
  it('names the same operations path as parsing every URL did', () => {
    for (const target of TARGETS) expect(opsPathOf(target), target).toBe(reference(target));
  });

  it('answers the three endpoints and nothing else', () => {
    expect(TARGETS.map(opsPathOf).filter((path) => path !== undefined).sort()).toEqual(
      TARGETS.map(reference).filter((path) => path !== undefined).sort(),
    );
    expect(opsPathOf('/metrics?x=1')).toBe('/metrics');
    expect(opsPathOf('/oauth/token')).toBeUndefined();
  });
});
