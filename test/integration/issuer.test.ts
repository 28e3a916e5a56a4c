/**
 * The issuer an install keeps (stored port and issuer, --port, --issuer), localhost vs 127.0.0.1, and the
 * admin API's Host/Origin checks behind a proxy. Memory keys: these tests compare issuers, not signatures
 * across restarts (http-restart.test.ts does that with the real keychain).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startWarden, type RunningWarden, type WardenOptions } from '../../src/main/app';
import { openStore } from '../../src/main/store/index';
import { formBody } from '../helpers/warden';

const dirs: string[] = [];
const running: RunningWarden[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((warden) => warden.close()));
});
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warden-issuer-'));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string, extra: Partial<WardenOptions> = {}, warnings: string[] = []): Promise<RunningWarden> {
  const warden = await startWarden({ dataDir, port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'memory', consoleDir: null, demo: false, warn: (line) => warnings.push(line), ...extra });
  running.push(warden);
  return warden;
}

async function stop(warden: RunningWarden): Promise<void> {
  running.splice(running.indexOf(warden), 1);
  await warden.close();
}

/** A port nobody listens on right now (the kernel's choice, released at once). */
async function freePort(): Promise<number> {
  const server = await hold(0);
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A raw request, so that the test can send any Host header (fetch refuses to). */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function admin(warden: RunningWarden, method: string, input: unknown): Promise<unknown> {
  const token = (await readFile(warden.adminTokenPath, 'utf8')).trim();
  const response = await fetch(`${warden.url}/admin/rpc/${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await response.json()) as { ok: boolean; value?: unknown; error?: unknown };
  if (!body.ok) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.value;
}

let counter = 0;
async function loginOnce(warden: RunningWarden, via = warden.url): Promise<string> {
  counter += 1;
  const username = `issuer-user-${counter}`;
  const clientId = `issuer-app-${counter}`;
  await admin(warden, 'createUser', { username, password: 'correct horse battery' });
  await admin(warden, 'createClient', { clientId, kind: 'public', name: clientId, grantTypes: ['password', 'refresh_token'] });
  const response = await fetch(`${via}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody({ grant_type: 'password', username, password: 'correct horse battery', client_id: clientId }),
  });
  const body = (await response.json()) as { access_token: string };
  expect(response.status).toBe(200);
  return body.access_token;
}

async function metadataAt(base: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
}

/** jose, configured the way its users configure it: the issuer, the audience, the key set (fetched locally). */
async function joseVerify(warden: RunningWarden, token: string, issuer: string) {
  const jwks = createLocalJWKSet((await (await fetch(`${warden.url}/oauth/jwks`)).json()) as Parameters<typeof createLocalJWKSet>[0]);
  return jwtVerify(token, jwks, { issuer, audience: 'token-warden-api', typ: 'at+jwt' });
}

describe('the port and issuer are stored with the data', () => {
  it('a restart without --port keeps both', async () => {
    const dir = await freshDir();
    const first = await start(dir);
    const { issuer, port } = first;
    expect(issuer).toBe(`http://127.0.0.1:${port}`);
    await stop(first);
    const warnings: string[] = [];
    const second = await start(dir, {}, warnings);
    expect(second.port).toBe(port);
    expect(second.issuer).toBe(issuer);
    expect((await metadataAt(second.url)).issuer).toBe(issuer);
    expect(warnings).toEqual([]);
  });

  it('--port N moves the service and the issuer made from it, says so, and later starts keep N', async () => {
    const dir = await freshDir();
    const first = await start(dir);
    const old = first.issuer;
    await stop(first);
    const port = await freePort();
    const warnings: string[] = [];
    const moved = await start(dir, { port }, warnings);
    expect(moved.issuer).toBe(`http://127.0.0.1:${port}`);
    expect(warnings).toEqual([`Notice: the issuer changes from ${old} to ${moved.issuer} (--port ${port}). Tokens issued under the old issuer are refused from now on (wrong_issuer); update the resource servers and clients configured with it.`]);
    await stop(moved);
    const again = await start(dir);
    expect(again.issuer).toBe(moved.issuer);
  });

  it('a stored port that another process holds fails the start with a message that names it; nothing moves', async () => {
    const dir = await freshDir();
    const first = await start(dir);
    const { port, issuer } = first;
    await stop(first);
    const squatter = await hold(port);
    try {
      await expect(start(dir)).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(new RegExp(`^Port ${port} is already in use\\. This install keeps port ${port} \\(issuer ${issuer.replaceAll('.', '\\.')}\\)`)),
      });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    expect((await start(dir)).issuer).toBe(issuer);
  });

  it('refuses to start on a damaged stored address rather than guess', async () => {
    const dir = await freshDir();
    await stop(await start(dir));
    const store = openStore(path.join(dir, 'warden.db'));
    await store.putSetting('service_issuer', 'http://127.0.0.1:1/extra');
    await store.close();
    await expect(start(dir)).rejects.toMatchObject({ code: 'storage_error', message: expect.stringMatching(/damaged/) });
  });
});

describe('--issuer', () => {
  const ISSUER = 'https://auth.example.com';

  it('names every metadata URL, the console URL and every token; jose verifies with it', async () => {
    const consoleDir = path.join(await freshDir(), 'console');
    await mkdir(consoleDir);
    await writeFile(path.join(consoleDir, 'index.html'), '<!doctype html>');
    const warden = await start(await freshDir(), { issuer: ISSUER, consoleDir });
    expect(warden.issuer).toBe(ISSUER);
    expect(warden.url).toBe(`http://127.0.0.1:${warden.port}`);
    expect(warden.info.issuer).toBe(ISSUER);
    expect(warden.consoleUrl).toMatch(/^https:\/\/auth\.example\.com\/\?code=[A-Za-z0-9_-]{22}$/);
    const metadata = await metadataAt(warden.url);
    expect(metadata.issuer).toBe(ISSUER);
    const urls = Object.entries(metadata).filter(([name]) => name.endsWith('_endpoint') || name === 'jwks_uri');
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const [, url] of urls) expect(url).toMatch(/^https:\/\/auth\.example\.com\/[a-z]/);

    const token = await loginOnce(warden);
    expect((await joseVerify(warden, token, ISSUER)).payload.iss).toBe(ISSUER);
    expect(await warden.engine.verifyAccessToken(token)).toMatchObject({ active: true });
  });

  it('is kept by later starts: a --port change moves the service, not the issuer; a new --issuer replaces it, with a notice', async () => {
    const dir = await freshDir();
    const first = await start(dir, { issuer: ISSUER });
    const firstPort = first.port;
    await stop(first);
    const kept = await start(dir);
    expect(kept.issuer).toBe(ISSUER);
    await stop(kept);

    const port = await freePort();
    const warnings: string[] = [];
    const moved = await start(dir, { port }, warnings);
    expect(moved.issuer).toBe(ISSUER);
    expect(warnings).toEqual([`Notice: the service moves from port ${firstPort} to ${port} (--port ${port}); the issuer stays ${ISSUER}.`]);
    await stop(moved);

    const renamed: string[] = [];
    const replaced = await start(dir, { issuer: 'https://login.example.com' }, renamed);
    expect(replaced.issuer).toBe('https://login.example.com');
    expect(renamed).toEqual([expect.stringMatching(/^Notice: the issuer changes from https:\/\/auth\.example\.com to https:\/\/login\.example\.com \(--issuer\)\. .*wrong_issuer/)]);
  });

  it('the metadata names the stored issuer whatever Host the request carries; a plain-http public issuer is warned about', async () => {
    const warden = await start(await freshDir(), { issuer: ISSUER });
    for (const host of ['auth.example.com', `127.0.0.1:${warden.port}`, 'evil.example.com', 'localhost']) {
      const response = await raw(`${warden.url}/.well-known/oauth-authorization-server`, { headers: { host } });
      expect(JSON.parse(response.body)).toMatchObject({ issuer: ISSUER, token_endpoint: `${ISSUER}/oauth/token` });
    }
    const warnings: string[] = [];
    await start(await freshDir(), { issuer: 'http://auth.example.com' }, warnings);
    expect(warnings).toEqual(['Warning: the issuer http://auth.example.com is not https: tokens and client secrets would cross the network in clear text.']);
  });

  it("the admin API answers on the issuer's host and origin (a proxy in front), and still refuses others", async () => {
    const warden = await start(await freshDir(), { issuer: ISSUER });
    const token = (await readFile(warden.adminTokenPath, 'utf8')).trim();
    const call = (headers: Record<string, string>) =>
      raw(`${warden.url}/admin/rpc/getStats`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await call({ host: 'auth.example.com', origin: ISSUER })).status).toBe(200);
    expect((await call({ host: 'auth.example.com:443' })).status).toBe(200);
    // A proxy that rewrites Host to its upstream: the page is still the issuer's.
    expect((await call({ host: `127.0.0.1:${warden.port}`, origin: ISSUER })).status).toBe(200);
    expect((await call({ host: 'evil.example.com' })).status).toBe(403);
    expect((await call({ host: 'auth.example.com', origin: 'http://auth.example.com' })).status).toBe(403);
    expect((await call({ host: 'auth.example.com', origin: 'https://evil.example.com' })).status).toBe(403);
  });
});

describe('localhost and 127.0.0.1', () => {
  it('--host localhost names the issuer http://localhost:PORT, whichever spelling the metadata is fetched with', async () => {
    const warden = await start(await freshDir(), { host: 'localhost' });
    const issuer = `http://localhost:${warden.port}`;
    expect(warden.issuer).toBe(issuer);
    for (const base of [`http://127.0.0.1:${warden.port}`, issuer]) expect((await metadataAt(base)).issuer).toBe(issuer);
    const token = await loginOnce(warden, issuer);
    expect((await joseVerify(warden, token, issuer)).payload.iss).toBe(issuer);
    await expect(joseVerify(warden, token, `http://127.0.0.1:${warden.port}`)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' });
  });

  it('the default is http://127.0.0.1:PORT; switching the spelling later is an issuer change, announced', async () => {
    const dir = await freshDir();
    const first = await start(dir);
    const issuer = `http://127.0.0.1:${first.port}`;
    expect(first.issuer).toBe(issuer);
    const token = await loginOnce(first);
    expect((await joseVerify(first, token, issuer)).payload.iss).toBe(issuer);
    // A client configured with the other spelling is stopped at discovery (RFC 8414 §3.3), not at its first token.
    const discover = (expected: string) =>
      oauth.discoveryRequest(new URL(expected), { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }).then((response) => oauth.processDiscoveryResponse(new URL(expected), response));
    expect((await discover(issuer)).issuer).toBe(issuer);
    await expect(discover(`http://localhost:${first.port}`)).rejects.toMatchObject({ code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' });
    await stop(first);
    const warnings: string[] = [];
    const renamed = await start(dir, { host: 'localhost' }, warnings);
    expect(renamed.issuer).toBe(`http://localhost:${first.port}`);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^Notice: the issuer changes from http://127\\.0\\.0\\.1:${first.port} to http://localhost:${first.port} \\(--host localhost\\)`))]);
  });
});
