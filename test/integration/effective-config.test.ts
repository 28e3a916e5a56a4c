/**
 * `npm run serve` prints its effective configuration at start, as the first structured log event: every
 * flag's value and where it came from (flag, TOKEN_WARDEN_* variable, --config file, default), secrets masked.
 * The human lines stay exactly what they were.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeProcess } from '../helpers/serve-process';

/** The printed list of {flag, value, from}, by flag name. */
function byFlag(event: Record<string, unknown>): Record<string, { value: unknown; from: string }> {
  const list = event.configuration as Array<{ flag: string; value: unknown; from: string }>;
  return Object.fromEntries(list.map(({ flag, value, from }) => [flag, { value, from }]));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'warden-effective-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the effective configuration', () => {
  it('is printed first, each value with its source; the listening line is unchanged', async () => {
    const file = path.join(dir, 'warden.json');
    await writeFile(file, JSON.stringify({ 'data-dir': path.join(dir, 'data'), 'drain-timeout': 7, 'trust-proxy': ['10.0.0.0/8'] }));
    const service = await startServeProcess(['--config', file, '--key-store', 'memory'], { env: { TOKEN_WARDEN_LOG_LEVEL: 'warn', TOKEN_WARDEN_ISSUER: 'https://auth.example.com' } });
    try {
      await service.waitForLines(2);
      expect(service.stdout).toEqual([`Token Warden listening on ${service.url}`, 'Issuer: https://auth.example.com']);
      const first = service.logs[0]!;
      expect(first).toMatchObject({ level: 'info', msg: 'effective configuration' });
      const configuration = byFlag(first);
      expect(configuration['key-store']).toEqual({ value: 'memory', from: 'flag' });
      expect(configuration.issuer).toEqual({ value: 'https://auth.example.com', from: 'env' });
      expect(configuration['log-level']).toEqual({ value: 'warn', from: 'env' });
      expect(configuration['drain-timeout']).toEqual({ value: 7, from: 'file' });
      expect(configuration['trust-proxy']).toEqual({ value: ['10.0.0.0/8'], from: 'file' });
      expect(configuration.config).toEqual({ value: file, from: 'flag' });
      expect(configuration.port).toEqual({ value: 0, from: 'default' });
      // At warn, no request events follow.
      await (await fetch(`${service.url}/.well-known/openid-configuration`)).body?.cancel();
      expect(service.logs.filter((event) => event.msg === 'request')).toEqual([]);
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('masks secrets', async () => {
    const keyFile = path.join(dir, 'master-key');
    await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const service = await startServeProcess(['--data-dir', path.join(dir, 'secret'), '--key-store', 'database', '--master-key-file', keyFile]);
    try {
      const configuration = byFlag(service.logs[0]!);
      expect(configuration['master-key-file']).toEqual({ value: '***', from: 'flag' });
      expect(configuration.database).toEqual({ value: null, from: 'default' });
      expect(JSON.stringify(service.logs)).not.toContain(keyFile);
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });
});
