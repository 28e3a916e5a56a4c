/**
 * The container files (Dockerfile, compose.yaml, deploy/Caddyfile) cannot be built or run here (no Docker on
 * the test machines), so this checks what can be checked without Docker: compose.yaml parses (js-yaml, already
 * installed as a dependency of the tool chain) and names only variables the configuration knows; the image is
 * multi-stage, non-root, with a /healthz HEALTHCHECK; and the image's entry point — headless.ts bundled by the
 * Dockerfile's own esbuild command — starts and answers its probes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envName } from '../../src/main/config-sources';
import { flagList } from '../../src/main/config';
import { REPO_ROOT } from '../helpers/serve-process';

const loadYaml = (createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown }).load;
const read = (file: string) => readFile(path.join(REPO_ROOT, file), 'utf8');

interface ComposeService {
  image?: string;
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  networks?: unknown;
  healthcheck?: unknown;
}

describe('compose.yaml', () => {
  it('parses, and runs PostgreSQL, two instances and Caddy with the shared secrets', async () => {
    const compose = loadYaml(await read('compose.yaml')) as { services: Record<string, ComposeService>; secrets: Record<string, { file: string }> };
    expect(Object.keys(compose.services).sort()).toEqual(['caddy', 'postgres', 'warden-1', 'warden-2']);
    for (const name of ['warden-1', 'warden-2']) {
      const service = compose.services[name]!;
      expect(service.secrets).toEqual(['master_key', 'admin_token']);
      expect(service.environment).toMatchObject({ TOKEN_WARDEN_KEY_STORE: 'database', TOKEN_WARDEN_MASTER_KEY_FILE: '/run/secrets/master_key', TOKEN_WARDEN_ADMIN_TOKEN_FILE: '/run/secrets/admin_token' });
    }
    expect(Object.keys(compose.secrets).sort()).toEqual(['admin_token', 'db_password', 'master_key']);
    expect(compose.services.caddy!.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
    // The instances trust exactly the address Caddy is given.
    const caddyAddress = (compose.services.caddy!.networks as { backend: { ipv4_address: string } }).backend.ipv4_address;
    expect(compose.services['warden-1']!.environment!.TOKEN_WARDEN_TRUST_PROXY).toBe(caddyAddress);
  });

  it('names only TOKEN_WARDEN_* variables that some flag reads', async () => {
    const known = new Set(flagList().map((flag) => envName(flag)));
    const named = [...(await read('compose.yaml')).matchAll(/\b(TOKEN_WARDEN_[A-Z_]+)\b/g)].map((match) => match[1]!);
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect(known, name).toContain(name);
  });

  it('the Caddyfile balances over both instances and checks /readyz', async () => {
    const caddyfile = await read('deploy/Caddyfile');
    expect(caddyfile).toMatch(/reverse_proxy warden-1:8080 warden-2:8080/);
    expect(caddyfile).toMatch(/health_uri \/readyz/);
  });
});

describe('Dockerfile', () => {
  let dockerfile: string;
  beforeAll(async () => {
    dockerfile = await read('Dockerfile');
  });

  it('is multi-stage on node:20 slim, installs production dependencies only in the image, runs as non-root, checks /healthz', () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]!);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const base of stages) expect(base).toMatch(/^node:20-[a-z]+-slim$/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*?127\.0\.0\.1:8080\/healthz/m);
    // Every TOKEN_WARDEN_* it sets is a flag's variable.
    const known = new Set(flagList().map((flag) => envName(flag)));
    for (const match of dockerfile.matchAll(/\b(TOKEN_WARDEN_[A-Z_]+)=/g)) expect(known, match[1]).toContain(match[1]!);
  });

  describe('its entry point', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'warden-image-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('is bundled by the Dockerfile\'s esbuild command and starts: /healthz and /readyz answer 200', async () => {
      const command = /npx (esbuild src\/main\/headless\.ts [^\n\\]*?) --outfile=dist\/headless\.mjs/.exec(dockerfile);
      expect(command).not.toBeNull();
      const outfile = path.join(dir, 'dist', 'headless.mjs');
      const args = [...command![1]!.split(/\s+/).slice(1), `--outfile=${outfile}`];
      await run(path.join(REPO_ROOT, 'node_modules', '.bin', 'esbuild'), args, REPO_ROOT);
      // As in the image: the bundle beside node_modules and a package.json saying "module".
      await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      await writeFile(path.join(dir, 'package.json'), '{"type":"module"}');
      const child = spawn(process.execPath, [outfile, '--data-dir', path.join(dir, 'data'), '--key-store', 'memory', '--log-level', 'warn'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const url = await listening(child);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    });
  });
});

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} exited with ${code}: ${stderr}`))));
  });
}

function listening(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const match = /^Token Warden listening on (http:\/\/\S+)$/m.exec(buffer);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the bundle exited with ${code}: ${stderr}`)));
  });
}
