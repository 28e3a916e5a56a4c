/**
 * The seed's case: an Express app protected by express-openid-connect, configured as its README and
 * EXAMPLES.md say for a regular web app with a client secret (authorization code flow, which it runs with
 * PKCE), with back-channel logout on. The part between the region markers is the snippet docs/sign-in.md
 * shows ("From your app"); a test checks the two are the same text.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { createRequire } from 'node:module';
import type * as ExpressOpenidConnect from 'express-openid-connect';
import type { ConfigParams } from 'express-openid-connect';
import { request, signInThroughHostedPage, type CookieJar } from './hosted-page-driver';

/** What the app is told about its environment (in a real app: process.env). */
export interface AppEnv {
  /** Token Warden's issuer, e.g. http://127.0.0.1:4000 */
  ISSUER: string;
  /** Where this app is reached, e.g. http://127.0.0.1:3000 (its callback is BASE_URL/callback). */
  BASE_URL: string;
  CLIENT_ID: string;
  CLIENT_SECRET: string;
  /** Encrypts the app's own session cookie. */
  SESSION_SECRET: string;
}

// The package is CommonJS and spreads `requiresAuth` into its exports, which Node's ES-module loader cannot
// detect (`import { requiresAuth }` fails under plain Node, e.g. the bench): require it, typed by its d.ts.
const { attemptSilentLogin, auth, requiresAuth } = createRequire(import.meta.url)('express-openid-connect') as typeof ExpressOpenidConnect;

type Callback<T = void> = (error: Error | null, value?: T) => void;
type StoreOption = NonNullable<Exclude<ConfigParams['backchannelLogout'], boolean | undefined>['store']>;
/** What the library stores per logged-out sid/sub (express-session's shape, so its stores can hold it). */
type LogoutEntry = Parameters<StoreOption['set']>[1];

/**
 * express-openid-connect keeps the app's sessions in a cookie; back-channel logout needs somewhere to note
 * "this sid/sub was logged out" that every request checks. Any express-session store works (Redis in
 * production); this one is in memory and tells tests when a logout arrived.
 */
export class LogoutStore {
  private readonly entries = new Map<string, LogoutEntry>();
  private readonly listeners = new Set<(key: string) => void>();

  get(key: string, callback: Callback<LogoutEntry | null>): void {
    callback(null, this.entries.get(key) ?? null);
  }

  set(key: string, value: LogoutEntry, callback: Callback): void {
    this.entries.set(key, value);
    for (const listener of this.listeners) listener(key);
    callback(null);
  }

  destroy(key: string, callback: Callback): void {
    this.entries.delete(key);
    callback(null);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Calls `listener` with each key a logout token records (`${iss}|${sid}` and `${iss}|${sub}`). */
  onSet(listener: (key: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function createSignInApp(env: AppEnv, logoutStore: LogoutStore): express.Express {
  // #region express-openid-connect
  const app = express();
  app.use(
    auth({
      issuerBaseURL: env.ISSUER,
      baseURL: env.BASE_URL,
      clientID: env.CLIENT_ID,
      clientSecret: env.CLIENT_SECRET,
      secret: env.SESSION_SECRET,
      authRequired: false,
      authorizationParams: { response_type: 'code' },
      // Token Warden POSTs a logout token to BASE_URL/backchannel-logout whenever the session ends
      // (force logout, block, revoke, sign-out elsewhere): the next request here is signed out.
      backchannelLogout: { store: logoutStore },
      idpLogout: true,
    }),
  );
  app.get('/profile', requiresAuth(), (req, res) => {
    res.send(`Signed in as ${req.oidc.user?.preferred_username ?? req.oidc.user?.sub}`);
  });
  // #endregion
  // A page that signs the browser in without a prompt when the provider already knows it (prompt=none).
  app.get('/silent', attemptSilentLogin(), (req, res) => {
    res.send(req.oidc.isAuthenticated() ? `silent: signed in as ${req.oidc.user?.sub}` : 'silent: signed out');
  });
  app.get('/', (req, res) => {
    res.send(req.oidc.isAuthenticated() ? `home: signed in as ${req.oidc.user?.sub}` : 'home: signed out');
  });
  return app;
}

export interface RunningApp {
  url: string;
  store: LogoutStore;
  close(): Promise<void>;
}

/** Listens on a free loopback port first (the client's redirect URI needs the port), then mounts the app. */
export async function listenOnLoopback(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function startSignInApp(server: Server, env: AppEnv): Promise<RunningApp> {
  const store = new LogoutStore();
  server.on('request', createSignInApp(env, store));
  return {
    url: env.BASE_URL,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Signs `user` in to the app without a browser (its /login, the hosted page, its /callback), leaving the
 * app's session cookie in `jar`. Returns whether the provider asked for the password.
 */
export async function signInToApp(jar: CookieJar, appUrl: string, user: { username: string; password: string }): Promise<boolean> {
  const { callbackUrl, askedForPassword } = await signInThroughHostedPage(jar, `${appUrl}/login`, user, (url) => url.startsWith(`${appUrl}/callback`));
  const back = await request(jar, callbackUrl);
  if (back.status !== 302 || !jar.get(appUrl, 'appSession')) throw new Error(`the app's callback answered ${back.status}: ${back.body.slice(0, 300)}`);
  return askedForPassword;
}

/** What the app answers the jar's session at a requiresAuth() route: 200, or a redirect to sign in. */
export async function profileStatus(jar: CookieJar, appUrl: string): Promise<{ status: number; location: string | null }> {
  const hop = await request(jar, `${appUrl}/profile`);
  return { status: hop.status, location: hop.location };
}
