/**
 * The admin API over HTTP: loopback Host and same Origin only, admin token or console session, coded
 * results with matching statuses; the browser console's login code, info, live events and static files.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { CONSOLE_CSP } from '../../src/main/http/static-console';
import type { LiveEvent } from '../../src/shared/events';
import { readSse } from '../../packages/verifier/src/sse-reader';
import { startTestWarden, type TestWarden } from '../helpers/warden';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

/** A request with full control over Host and path (fetch normalises both). */
function raw(t: TestWarden, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.warden.port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('admin API over HTTP', () => {
  let t: TestWarden;
  let rpc: (method: string, body: unknown, headers?: Record<string, string>) => Promise<RawResponse>;

  beforeAll(async () => {
    t = await startTestWarden();
    rpc = (method, body, headers = {}) =>
      raw(t, {
        method: 'POST',
        path: `/admin/rpc/${method}`,
        headers: { host: `127.0.0.1:${t.warden.port}`, authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
  });
  afterAll(() => t?.close());

  it('answers {ok, value} with the admin token, on every loopback Host spelling', async () => {
    for (const host of [`127.0.0.1:${t.warden.port}`, `localhost:${t.warden.port}`, `[::1]:${t.warden.port}`]) {
      const response = await rpc('getSettings', {}, { host });
      expect(response.status).toBe(200);
      expect(response.json()).toMatchObject({ ok: true, value: { audience: expect.any(String) } });
    }
    const sameOrigin = await rpc('listUsers', {}, { origin: `http://127.0.0.1:${t.warden.port}` });
    expect(sameOrigin.status).toBe(200);
  });

  const refusals: Array<[string, () => Promise<RawResponse>, number, string]> = [
    ['no admin token', () => rpc('createUser', { username: 'mallory', password: 'password123' }, { authorization: '' }), 401, 'unauthorized'],
    ['a wrong admin token', () => rpc('createUser', { username: 'mallory', password: 'password123' }, { authorization: `Bearer ${'A'.repeat(43)}` }), 401, 'unauthorized'],
    ['Basic instead of Bearer', () => rpc('createUser', { username: 'mallory', password: 'password123' }, { authorization: `Basic ${t.adminToken}` }), 401, 'unauthorized'],
    ['a rebound Host (DNS rebinding)', () => rpc('createUser', { username: 'mallory', password: 'password123' }, { host: `evil.example:${t.warden.port}` }), 403, 'forbidden'],
    ['a loopback Host on another port', () => rpc('createUser', { username: 'mallory', password: 'password123' }, { host: '127.0.0.1:1' }), 403, 'forbidden'],
    ['a foreign Origin', () => rpc('createUser', { username: 'mallory', password: 'password123' }, { origin: 'http://evil.example' }), 403, 'forbidden'],
    ['Origin null', () => rpc('createUser', { username: 'mallory', password: 'password123' }, { origin: 'null' }), 403, 'forbidden'],
    ['a cross-site fetch', () => rpc('createUser', { username: 'mallory', password: 'password123' }, { 'sec-fetch-site': 'cross-site' }), 403, 'forbidden'],
    ['an unknown method', () => rpc('dropDatabase', {}), 400, 'unknown_method'],
    ['invalid input', () => rpc('createUser', { username: 'has space', password: 'x' }), 400, 'invalid_input'],
    ['extra fields', () => rpc('createUser', { username: 'mallory', password: 'password123', admin: true }), 400, 'invalid_input'],
    ['malformed JSON', () => rpc('createUser', '{"username": '), 400, 'invalid_input'],
    ['a form instead of JSON', () => rpc('createUser', 'username=mallory', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalid_input'],
    ['an oversized body', () => rpc('createUser', JSON.stringify({ username: 'mallory', password: 'p'.repeat(70 * 1024) })), 413, 'payload_too_large'],
    ['an unknown user', () => rpc('getUser', { userId: 'usr_nobody' }), 404, 'not_found'],
  ];
  for (const [name, send, status, code] of refusals) {
    it(`refuses ${name}: ${status} ${code}, nothing changed`, async () => {
      const before = await t.snapshot();
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.json()).toEqual({ ok: false, error: { code, message: expect.any(String) } });
      if (status === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(await t.snapshot()).toEqual(before);
    });
  }

  it('reports a conflict as 409', async () => {
    const user = await t.createUser();
    const response = await rpc('createUser', { username: user.username, password: 'password123' });
    expect(response.status).toBe(409);
    expect(response.json()).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('GET on an RPC path is 405', async () => {
    const response = await raw(t, { path: '/admin/rpc/listUsers', headers: { host: `127.0.0.1:${t.warden.port}`, authorization: `Bearer ${t.adminToken}` } });
    expect(response.status).toBe(405);
  });

  it('keeps the admin token file private and only its hash in the store', async () => {
    const { stat, readFile } = await import('node:fs/promises');
    const file = path.join(t.dataDir, 'admin-token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(t.dataDir)).mode & 0o777).toBe(0o700);
    expect((await readFile(file, 'utf8')).trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await t.warden.engine.store.getSetting('admin_token_hash');
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(t.adminToken);
  });

  it('streams live engine events to an authenticated reader', async () => {
    const controller = new AbortController();
    const refused = await fetch(`${t.baseUrl}/admin/events`);
    expect(refused.status).toBe(401);
    const response = await fetch(`${t.baseUrl}/admin/events`, { headers: { authorization: `Bearer ${t.adminToken}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    const seen: { id: string | undefined; event: LiveEvent }[] = [];
    const received = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no live refresh event')), 5_000);
      void readSse(response.body!, {
        onMessage: (message) => {
          const event = JSON.parse(message.data) as LiveEvent;
          seen.push({ id: message.id, event });
          if (event.type === 'session.refreshed') {
            clearTimeout(timer);
            resolve();
          }
        },
        onComment: () => undefined,
        onActivity: () => undefined,
      }).catch(() => undefined);
    });
    const user = await t.createUser();
    const clientId = await t.createPublicClient();
    const tokens = await t.login(user, clientId);
    const refreshed = await t.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: clientId });
    expect(refreshed.status).toBe(200);
    await received;
    controller.abort();
    const created = seen.find((s) => s.event.type === 'user.created')!;
    expect(created.event).toMatchObject({ userId: user.id, actor: 'admin:bootstrap', seq: expect.any(Number) });
    expect(created.id).toBe(String(created.event.seq));
    // A routine refresh is not audited (the default): it arrives without a sequence number or an SSE id.
    const refresh = seen.find((s) => s.event.type === 'session.refreshed')!;
    expect(refresh.event).toMatchObject({ userId: user.id, actor: `client:${clientId}`, seq: null });
    expect(refresh.id).toBeUndefined();
  });
});

describe('browser console', () => {
  let t: TestWarden;
  let clock: ManualClock;
  let consoleDir: string;
  let outside: string;

  beforeAll(async () => {
    consoleDir = await mkdtemp(path.join(os.tmpdir(), 'warden-console-'));
    outside = await mkdtemp(path.join(os.tmpdir(), 'warden-outside-'));
    await mkdir(path.join(consoleDir, 'assets'));
    await writeFile(path.join(consoleDir, 'index.html'), '<!doctype html><title>Token Warden</title>');
    await writeFile(path.join(consoleDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(outside, 'secret.txt'), 'top secret');
    await symlink(path.join(outside, 'secret.txt'), path.join(consoleDir, 'assets', 'link.txt'));
    clock = new ManualClock(Date.now());
    t = await startTestWarden({ consoleDir, clock });
  });
  afterAll(async () => {
    await t?.close();
    await rm(consoleDir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const host = () => ({ host: `127.0.0.1:${t.warden.port}` });
  const exchange = (code: string) =>
    raw(t, { method: 'POST', path: '/admin/session', headers: { ...host(), 'content-type': 'application/json' }, body: JSON.stringify({ code }) });

  it('serves the console with a strict CSP, index.html for client routes, no traversal', async () => {
    const index = await raw(t, { path: '/', headers: host() });
    expect(index.status).toBe(200);
    expect(index.text).toContain('Token Warden');
    expect(index.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect((await raw(t, { path: '/users/usr_1', headers: host() })).text).toContain('Token Warden');
    const script = await raw(t, { path: '/assets/app.js', headers: host() });
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect((await raw(t, { path: '/assets/missing.js', headers: host() })).status).toBe(404);
    for (const sneaky of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2f' + path.basename(outside) + '%2fsecret.txt', '/assets/link.txt', '/%00']) {
      const response = await raw(t, { path: sneaky, headers: host() });
      expect(response.text).not.toContain('top secret');
    }
    expect((await raw(t, { path: '/oauth/unknown', headers: host() })).status).toBe(404);
  });

  it('trades the one-time code from the console URL for a cookie session, once', async () => {
    expect(t.warden.consoleUrl).toMatch(new RegExp(`^${t.baseUrl}/\\?code=[A-Za-z0-9_-]{22}$`));
    const code = new URL(t.warden.consoleUrl!).searchParams.get('code')!;
    const first = await exchange(code);
    expect(first.status).toBe(200);
    const { value } = first.json() as { value: { csrfToken: string; absoluteExpiresAt: number; actor: string; role: string } };
    expect(value).toMatchObject({ actor: 'admin:bootstrap', role: 'owner', absoluteExpiresAt: clock.now() + 12 * 3600_000 });
    expect(value).not.toHaveProperty('token');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/^tw_admin=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/admin; Max-Age=43200$/);
    const cookie = setCookie.split(';')[0]!;
    expect((await exchange(code)).status).toBe(401);
    expect((await exchange('made-up')).status).toBe(401);
    expect((await raw(t, { method: 'POST', path: '/admin/session', headers: { host: `evil.example:${t.warden.port}`, 'content-type': 'application/json' }, body: JSON.stringify({ code }) })).status).toBe(403);

    const info = await raw(t, { path: '/admin/info', headers: { ...host(), cookie } });
    expect(info.json()).toEqual({ ok: true, value: { mode: 'browser', issuer: t.baseUrl, keyStore: 'memory', demo: false, dataDir: t.dataDir, version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });

    const created = await raw(t, {
      method: 'POST',
      path: '/admin/rpc/createUser',
      headers: { ...host(), origin: t.baseUrl, cookie, 'x-csrf-token': value.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'console-made', password: 'password123' }),
    });
    expect(created.status).toBe(200);
    const audit = await t.admin('listAudit', { type: 'user.created', limit: 1 });
    expect(audit.items[0]).toMatchObject({ actor: 'admin:bootstrap' });

    // Within the idle lifetime (30 min) of each request, up to the absolute one (12 h).
    for (let i = 0; i < 24; i++) {
      clock.advance(30 * 60_000 - 1);
      expect((await raw(t, { path: '/admin/info', headers: { ...host(), cookie } })).status).toBe(200);
    }
    clock.advance(24 * 60_000);
    expect((await raw(t, { path: '/admin/info', headers: { ...host(), cookie } })).status).toBe(401);
  });

  it('login codes expire after ten minutes', async () => {
    const code = t.warden.service.createLoginCode();
    clock.advance(10 * 60_000 + 1);
    expect((await exchange(code)).status).toBe(401);
  });
});
