/**
 * The demo's web app ("Acme Notes"): a small server-rendered app on loopback that signs people in the
 * standard way — authorization code + PKCE through the hosted sign-in page, as a confidential client — and
 * keeps its own cookie session, which a back-channel logout token ends. It talks to the token service only
 * over HTTP (discovery, token endpoint, JWKS, end-session), like any app; jose verifies the ID token and the
 * logout token. The Demo page shows its sessions, so a force logout is seen ending a browser session too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { DemoWebApp, DemoWebSession } from '../../shared/demo';
import { discoveryOf, escapeHtml, formParams, readCookie, type Discovery } from './web-app-protocol';

export const DEMO_WEB_APP = { clientId: 'demo-notes', name: 'Acme Notes (web app)' };
const SESSION_COOKIE = 'notes_session';
const TX_COOKIE = 'notes_tx';
const MAX_SESSIONS = 50;
const MAX_PENDING = 200;
/** Logout-token ids remembered against replays; a token lives 2 min, so this many outlast any burst of a demo. */
const MAX_SEEN_JTIS = 1_000;
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface DemoWebAppServer {
  url: string;
  /** Registers the client (redirect, post-logout and back-channel URIs need the port, so this comes after listen). */
  start(clientSecret: string): void;
  snapshot(): DemoWebApp;
  close(): Promise<void>;
}

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  createdAt: number;
}

interface AppSession extends DemoWebSession {
  cookie: string;
  idToken: string;
}

const random = () => randomBytes(32).toString('base64url');

/** Listens on a free loopback port; `start` supplies the client secret once the client is registered. */
export interface DemoWebAppOptions {
  issuer: string;
  now: () => number;
  /** Ms since the last admin action that ended this user's or this provider session's access; null if none. */
  sinceAction: (userId: string, sid: string) => number | null;
  onError: (where: string, error: unknown) => void;
}

export async function listenDemoWebApp(options: DemoWebAppOptions): Promise<DemoWebAppServer> {
  const { issuer, now } = options;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const redirectUri = `${url}/callback`;
  const pending = new Map<string, Pending>();
  const sessions: AppSession[] = [];
  const seenLogoutJtis = new Set<string>();
  let clientSecret = '';
  let discovery: Promise<Discovery> | undefined;
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  const provider = async () => {
    discovery ??= discoveryOf(issuer).catch((error: unknown) => {
      discovery = undefined;
      throw error;
    });
    const found = await discovery;
    keys ??= createRemoteJWKSet(new URL(found.jwks_uri));
    return { ...found, keys };
  };

  const html = (res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", ...headers });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${DEMO_WEB_APP.name}</title><style>body{font:16px system-ui;margin:3rem;max-width:40rem}</style></head><body><h1>Acme Notes</h1>${body}</body></html>`);
  };
  const redirect = (res: ServerResponse, location: string, cookies: string[] = []) => {
    res.writeHead(302, { location, 'cache-control': 'no-store', ...(cookies.length > 0 ? { 'set-cookie': cookies } : {}) });
    res.end();
  };
  const live = (req: IncomingMessage) => {
    const cookie = readCookie(req, SESSION_COOKIE);
    return cookie === undefined ? undefined : sessions.find((s) => s.cookie === cookie && s.endedAt === null);
  };

  async function login(res: ServerResponse): Promise<void> {
    const { authorization_endpoint } = await provider();
    const tx: Pending = { state: random(), nonce: random(), verifier: random(), createdAt: now() };
    const txId = random();
    if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
    pending.set(txId, tx);
    const target = new URL(authorization_endpoint);
    const challenge = createHash('sha256').update(tx.verifier).digest('base64url');
    for (const [name, value] of Object.entries({ response_type: 'code', client_id: DEMO_WEB_APP.clientId, redirect_uri: redirectUri, scope: 'openid profile', state: tx.state, nonce: tx.nonce, code_challenge: challenge, code_challenge_method: 'S256' })) {
      target.searchParams.set(name, value);
    }
    redirect(res, target.href, [`${TX_COOKIE}=${txId}; HttpOnly; SameSite=Lax; Path=/; Max-Age=600`]);
  }

  async function callback(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const txId = readCookie(req, TX_COOKIE);
    const tx = txId === undefined ? undefined : pending.get(txId);
    if (txId !== undefined) pending.delete(txId);
    // The state ties the response to this browser's request; iss (RFC 9207) to this provider.
    if (!tx || query.get('state') !== tx.state) return html(res, 400, '<p role="alert">This sign-in response is not for this browser. <a href="/">Start again</a>.</p>');
    if (query.get('iss') !== issuer) return html(res, 400, '<p role="alert">This sign-in response names another issuer.</p>');
    const code = query.get('code');
    if (!code) return html(res, 400, `<p role="alert">Sign-in did not complete: ${escapeHtml(query.get('error') ?? 'no code')}.</p><p><a href="/">Back</a></p>`);
    const { token_endpoint, keys: jwks } = await provider();
    const response = await fetch(token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(DEMO_WEB_APP.clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: tx.verifier }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const tokens = (await response.json()) as { id_token?: unknown; error?: unknown };
    if (response.status !== 200 || typeof tokens.id_token !== 'string') return html(res, 502, `<p role="alert">The token endpoint refused the code (${response.status}).</p>`);
    const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer, audience: DEMO_WEB_APP.clientId });
    if (payload.nonce !== tx.nonce || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return html(res, 400, '<p role="alert">The ID token is not for this sign-in.</p>');
    const session: AppSession = {
      id: random().slice(0, 12),
      userId: payload.sub,
      username: typeof payload.preferred_username === 'string' ? payload.preferred_username : payload.sub,
      sid: payload.sid,
      signedInAt: now(),
      endedAt: null,
      endedBy: null,
      msAfterAction: null,
      cookie: random(),
      idToken: tokens.id_token,
    };
    sessions.unshift(session);
    sessions.splice(MAX_SESSIONS);
    redirect(res, '/', [`${SESSION_COOKIE}=${session.cookie}; HttpOnly; SameSite=Lax; Path=/`, `${TX_COOKIE}=; Path=/; Max-Age=0`]);
  }

  /** Back-Channel Logout 1.0 §2.6: verify the logout token, refuse replays, end the sessions it names. */
  async function backchannelLogout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = (await formParams(req)).get('logout_token');
    const refuse = (why: string) => {
      res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: 'invalid_request', error_description: why }));
    };
    if (!token) return refuse('logout_token is required');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, (await provider()).keys, { issuer, audience: DEMO_WEB_APP.clientId, typ: 'logout+jwt', maxTokenAge: '5m' }));
    } catch (error) {
      return refuse(error instanceof Error ? error.message : 'invalid logout token');
    }
    const events = claims.events as Record<string, unknown> | undefined;
    if (!events || typeof events[LOGOUT_EVENT] !== 'object' || claims.nonce !== undefined || typeof claims.jti !== 'string') return refuse('not a logout token');
    if (seenLogoutJtis.has(claims.jti)) return refuse('logout token replayed');
    seenLogoutJtis.add(claims.jti);
    if (seenLogoutJtis.size > MAX_SEEN_JTIS) seenLogoutJtis.delete(seenLogoutJtis.values().next().value!);
    // A sid names one session; only a sub-only token means every session of that user (§2.4).
    const ended = now();
    for (const session of sessions) {
      const named = typeof claims.sid === 'string' ? session.sid === claims.sid : session.userId === claims.sub;
      if (named && session.endedAt === null) Object.assign(session, { endedAt: ended, endedBy: 'back-channel logout', msAfterAction: options.sinceAction(session.userId, session.sid) });
    }
    res.writeHead(200, { 'cache-control': 'no-store' });
    res.end();
  }

  async function logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const session = live(req);
    if (!session) return redirect(res, '/');
    Object.assign(session, { endedAt: now(), endedBy: 'signed out' });
    const { end_session_endpoint } = await provider();
    const target = new URL(end_session_endpoint);
    target.searchParams.set('id_token_hint', session.idToken);
    target.searchParams.set('post_logout_redirect_uri', `${url}/`);
    redirect(res, target.href, [`${SESSION_COOKIE}=; Path=/; Max-Age=0`]);
  }

  function home(req: IncomingMessage, res: ServerResponse): void {
    const session = live(req);
    if (session) return html(res, 200, `<p data-testid="notes-status">Signed in as <strong>${escapeHtml(session.username)}</strong>.</p><p><a href="/logout">Sign out</a></p>`);
    html(res, 200, `<p data-testid="notes-status">Signed out.</p><p><a href="/login">Sign in with Token Warden</a></p><p>Demo users' password: demo-password-123.</p>`);
  }

  server.on('request', (req, res) => {
    const requestUrl = new URL(req.url ?? '/', url);
    const route = `${req.method} ${requestUrl.pathname}`;
    const work = (async () => {
      if (!clientSecret) return html(res, 503, '<p>Starting…</p>');
      if (route === 'GET /') return home(req, res);
      if (route === 'GET /login') return login(res);
      if (route === 'GET /callback') return callback(req, res, requestUrl.searchParams);
      if (route === 'POST /backchannel-logout') return backchannelLogout(req, res);
      if (route === 'GET /logout') return logout(req, res);
      html(res, 404, '<p>Not found.</p>');
    })();
    work.catch((error: unknown) => {
      options.onError('demo web app', error);
      if (!res.headersSent) html(res, 500, '<p role="alert">Something went wrong.</p>');
      else res.end();
    });
  });

  return {
    url,
    start(secret) {
      clientSecret = secret;
    },
    snapshot() {
      return { url, clientId: DEMO_WEB_APP.clientId, sessions: sessions.map(({ cookie: _cookie, idToken: _idToken, ...shown }) => shown) };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
