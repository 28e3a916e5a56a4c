/**
 * The browser console's cookie sign-in (src/renderer/api/browser-auth.ts, http-bridge.ts) against a fake
 * service: the one-time link, a second tab that finds the shared cookie, the TOTP step, sign-out (and the
 * other tabs hearing of it), and the CSRF token on every POST.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadRenderer } from './load-renderer';

type AuthState = { status: 'ready'; session: { actor: string; role: string; csrfToken: string | null } | null } | { status: 'login_required'; reason: string; message: string };
interface BrowserAuth {
  ready: Promise<AuthState>;
  state(): AuthState | undefined;
  csrf(): string | null;
  signIn(input: { username: string; password: string; totp?: string }): Promise<{ ok: true } | { ok: false; error: { code: string } }>;
  signOut(everywhere: boolean): Promise<unknown>;
  invalidate(message: string): void;
  onChange(listener: (state: AuthState) => void): () => void;
}
interface Deps {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  location: { href(): string; replace(url: string): void };
  channel: { post(message: string): void; onMessage(listener: (message: string) => void): void } | null;
}
const { createBrowserAuth, takeCode } = await loadRenderer<{
  createBrowserAuth(deps: Deps): BrowserAuth;
  takeCode(href: string): { code: string | null; rest: string };
}>('api/browser-auth.ts');
const { createHttpBridge } = await loadRenderer<{
  createHttpBridge(auth: BrowserAuth, events: { subscribe(): () => void }): { call(method: string, input: unknown): Promise<{ ok: boolean; error?: { code: string } }> };
}>('api/http-bridge.ts');

interface Seen {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  credentials: string | undefined;
}

/** A service with one cookie jar (the browser's, shared by its tabs). */
function fakeService(options: { totpFor?: string } = {}) {
  let cookie: string | null = null;
  const codes = new Set(['good-code']);
  const seen: Seen[] = [];
  const me = (actor: string) => ({ admin: null, actor, role: actor === 'admin:bob' ? 'viewer' : 'owner', totpEnrollmentRequired: false, csrfToken: `csrf-${actor}`, idleExpiresAt: 1, absoluteExpiresAt: 2 });
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    seen.push({ path, method: init.method ?? 'GET', headers, body, credentials: init.credentials });
    const fail = (status: number, code: string) => json(status, { ok: false, error: { code, message: code } });
    if (init.method === 'POST' && path !== '/admin/login' && path !== '/admin/session' && cookie !== null && headers['x-csrf-token'] !== `csrf-${cookie}`) return fail(403, 'forbidden');
    switch (path) {
      case '/admin/me':
        return cookie === null ? fail(401, 'unauthorized') : json(200, { ok: true, value: me(cookie) });
      case '/admin/session': {
        const code = (body as { code: string }).code;
        if (!codes.delete(code)) return fail(401, 'unauthorized');
        cookie = 'admin:bootstrap';
        return json(200, { ok: true, value: me(cookie) });
      }
      case '/admin/login': {
        const { username, password, totp } = body as { username: string; password: string; totp?: string };
        if (password !== 'right password') return fail(401, 'invalid_credentials');
        if (options.totpFor === username && totp === undefined) return fail(401, 'totp_required');
        if (options.totpFor === username && totp !== '123456') return fail(401, 'invalid_credentials');
        cookie = `admin:${username}`;
        return json(200, { ok: true, value: me(cookie) });
      }
      case '/admin/logout':
      case '/admin/logout-all':
        if (cookie === null) return fail(401, 'unauthorized');
        cookie = null;
        return json(200, { ok: true, value: { ok: true } });
      default:
        if (path.startsWith('/admin/rpc/')) return cookie === null ? fail(401, 'unauthorized') : json(200, { ok: true, value: { called: path } });
        return fail(404, 'not_found');
    }
  };
  return { fetch, seen, signedInAs: () => cookie };
}

/** One tab: its own URL, the shared service, and a channel to the other tabs. */
function tab(service: ReturnType<typeof fakeService>, url: string, bus: Set<(message: string) => void>) {
  let href = url;
  const own = { listener: (_message: string) => {} };
  const deps: Deps = {
    fetch: service.fetch,
    location: { href: () => href, replace: (next) => (href = next) },
    channel: {
      post: (message) => bus.forEach((listener) => listener !== own.listener && listener(message)),
      onMessage: (listener) => {
        own.listener = listener;
        bus.add(listener);
      },
    },
  };
  return { auth: createBrowserAuth(deps), href: () => href };
}

afterEach(() => vi.unstubAllGlobals());

describe('browser sign-in with the session cookie', () => {
  it('trades the one-time code once, takes it out of the address bar, and a second tab is signed in without it', async () => {
    const service = fakeService();
    const bus = new Set<(message: string) => void>();
    const first = tab(service, 'http://127.0.0.1:1/?code=good-code#/users', bus);
    expect(await first.auth.ready).toMatchObject({ status: 'ready', session: { actor: 'admin:bootstrap' } });
    expect(first.href()).toBe('http://127.0.0.1:1/#/users');
    expect(service.seen.find((request) => request.path === '/admin/session')?.body).toEqual({ code: 'good-code' });

    const second = tab(service, 'http://127.0.0.1:1/#/keys', bus);
    expect(await second.auth.ready).toMatchObject({ status: 'ready', session: { actor: 'admin:bootstrap' } });
    expect(service.seen.filter((request) => request.path === '/admin/session')).toHaveLength(1);
  });

  it('a used link is harmless while the browser is signed in, and refused (code_rejected) when it is not', async () => {
    const service = fakeService();
    const bus = new Set<(message: string) => void>();
    await tab(service, 'http://127.0.0.1:1/?code=good-code', bus).auth.ready;
    expect(await tab(service, 'http://127.0.0.1:1/?code=good-code', bus).auth.ready).toMatchObject({ status: 'ready' });

    const fresh = fakeService();
    expect(await tab(fresh, 'http://127.0.0.1:1/?code=used', new Set()).auth.ready).toMatchObject({ status: 'login_required', reason: 'code_rejected' });
    expect(await tab(fresh, 'http://127.0.0.1:1/', new Set()).auth.ready).toMatchObject({ status: 'login_required', reason: 'no_session' });
  });

  it('asks for the TOTP code when the service answers totp_required, then signs in with it', async () => {
    const service = fakeService({ totpFor: 'alice' });
    const { auth } = tab(service, 'http://127.0.0.1:1/', new Set());
    await auth.ready;
    const first = await auth.signIn({ username: 'alice', password: 'right password' });
    expect(first).toMatchObject({ ok: false, error: { code: 'totp_required' } });
    expect(auth.state()).toMatchObject({ status: 'login_required' });
    expect(await auth.signIn({ username: 'alice', password: 'right password', totp: '654321' })).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    expect(await auth.signIn({ username: 'alice', password: 'right password', totp: '123456' })).toEqual({ ok: true });
    expect(auth.state()).toMatchObject({ status: 'ready', session: { actor: 'admin:alice' } });
    expect(service.seen.filter((request) => request.path === '/admin/login').at(-1)?.body).toEqual({ username: 'alice', password: 'right password', totp: '123456' });
  });

  it('signs out with the CSRF token, and the other tabs show the sign-in page too; signing in again reaches them', async () => {
    const service = fakeService();
    const bus = new Set<(message: string) => void>();
    const one = tab(service, 'http://127.0.0.1:1/', bus);
    const two = tab(service, 'http://127.0.0.1:1/', bus);
    await Promise.all([one.auth.ready, two.auth.ready]);
    expect(await one.auth.signIn({ username: 'bob', password: 'right password' })).toEqual({ ok: true });
    await vi.waitFor(() => expect(two.auth.state()).toMatchObject({ status: 'ready', session: { actor: 'admin:bob', role: 'viewer' } }));

    expect(await two.auth.signOut(true)).toBeNull();
    const logout = service.seen.find((request) => request.path === '/admin/logout-all')!;
    expect(logout.headers['x-csrf-token']).toBe('csrf-admin:bob');
    expect(logout.credentials).toBe('same-origin');
    expect(service.signedInAs()).toBeNull();
    expect(two.auth.state()).toMatchObject({ status: 'login_required', reason: 'signed_out' });
    expect(one.auth.state()).toMatchObject({ status: 'login_required', reason: 'signed_out' });
    expect(one.auth.csrf()).toBeNull();
  });

  it('the bridge sends the cookie and the CSRF token on every call, and a 401 shows the sign-in page', async () => {
    const service = fakeService();
    vi.stubGlobal('fetch', service.fetch);
    const { auth } = tab(service, 'http://127.0.0.1:1/?code=good-code', new Set());
    const bridge = createHttpBridge(auth, { subscribe: () => () => {} });
    expect(await bridge.call('listUsers', {})).toMatchObject({ ok: true });
    const call = service.seen.find((request) => request.path === '/admin/rpc/listUsers')!;
    expect(call.headers['x-csrf-token']).toBe('csrf-admin:bootstrap');
    expect(call.headers.authorization).toBeUndefined();
    expect(call.credentials).toBe('same-origin');

    // The session ends on the server (revoked, expired): the next call's 401 signs the console out.
    await service.fetch('/admin/logout', { method: 'POST', headers: { 'X-CSRF-Token': 'csrf-admin:bootstrap' } });
    const states: AuthState[] = [];
    auth.onChange((state) => states.push(state));
    expect(await bridge.call('listUsers', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(states).toMatchObject([{ status: 'login_required', reason: 'expired' }]);
    // Signed out: the bridge does not even try.
    const before = service.seen.length;
    expect(await bridge.call('listUsers', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(service.seen).toHaveLength(before);
  });

  it('takeCode finds the code in the query or in the hash query and leaves the rest alone', () => {
    expect(takeCode('http://h/?code=abc&x=1#/users')).toEqual({ code: 'abc', rest: 'http://h/?x=1#/users' });
    expect(takeCode('http://h/#/users?code=abc&q=2')).toEqual({ code: 'abc', rest: 'http://h/#/users?q=2' });
    expect(takeCode('http://h/#/users')).toEqual({ code: null, rest: 'http://h/#/users' });
  });
});
