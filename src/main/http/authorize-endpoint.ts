/**
 * GET /oauth/authorize (RFC 6749 §4.1, RFC 7636, RFC 9207, OIDC Core §3.1.2) and POST /oauth/authorize, the
 * hosted sign-in form. A live browser session (cookie `tw_session`) answers at once with a code; otherwise
 * the page asks for the password (`prompt=none` instead redirects `login_required`). `prompt=login` and an
 * old `auth_time` under `max_age` ask again. The form is CSRF-protected (./front-channel-cookies.ts) and its
 * password attempts pass the same per-address throttle as the token endpoint's, and the engine's per-user one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIsHttps } from './client-address';
import { isWardenError } from '../../shared/errors';
import { BROWSER_SESSION_COOKIE } from '../engine/browser-sessions';
import { readForm, type FormParams } from './body';
import { parseAuthorizationRequest, redirectTo, type AuthorizationRequest, type Parsed } from './authorize-request';
import type { ServiceContext } from './context';
import { deviceFromRequest } from './device';
import { browserSessionCookie, CsrfTokens, readCookies } from './front-channel-cookies';
import { pageHeaders, renderErrorPage, renderSignInPage, sendHtml } from './sign-in-page';

const MAX_USERNAME = 256;

export function authorizeEndpoints(ctx: ServiceContext) {
  const csrf = new CsrfTokens();
  const issuer = ctx.engine.issuer;
  // Secure cookies when the issuer is https, or when a trusted proxy says this request came over https.
  const secureFor = (req: IncomingMessage) => new URL(issuer).protocol === 'https:' || requestIsHttps(req);
  const issuerOrigin = new URL(issuer).origin;

  function redirect(res: ServerResponse, status: 302 | 303, location: string, cookies: string[] = []): void {
    res.writeHead(status, { Location: location, 'Cache-Control': 'no-store', Pragma: 'no-cache', 'Referrer-Policy': 'no-referrer', 'X-Content-Type-Options': 'nosniff', ...(cookies.length ? { 'Set-Cookie': cookies } : {}) });
    res.end();
  }

  /** A refused request: a page when the redirect URI is not trusted, else back to the app with `error`. */
  function refuse(res: ServerResponse, parsed: Exclude<Parsed, { kind: 'ok' }>, status: 302 | 303): void {
    if (parsed.kind === 'page') {
      sendHtml(res, parsed.status, renderErrorPage(parsed.message), pageHeaders(null));
      return;
    }
    redirect(res, status, redirectTo(parsed.redirectUri, issuer, { error: parsed.error, error_description: parsed.description, state: parsed.state }));
  }

  function showForm(req: IncomingMessage, res: ServerResponse, request: AuthorizationRequest, status: number, username: string, error: string | null, invalid = false, extra: Record<string, string | number> = {}): void {
    const { value, setCookie } = csrf.cookieFor(req, secureFor(req));
    const html = renderSignInPage({
      appName: request.client.name,
      hidden: {
        client_id: request.client.clientId,
        redirect_uri: request.redirectUri,
        response_type: 'code',
        code_challenge: request.codeChallenge,
        code_challenge_method: 'S256',
        scope: request.scope || null,
        state: request.state,
        nonce: request.nonce,
      },
      csrfToken: csrf.tokenFor(value),
      username,
      error,
      invalid,
      redirectUri: request.redirectUri,
    });
    const headers: Record<string, string | number | string[]> = { ...pageHeaders(request.redirectUri), ...extra };
    res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(html), ...(setCookie ? { 'Set-Cookie': setCookie } : {}) });
    res.end(html);
  }

  /** Redirects with a code; false when the browser session ended meanwhile (a force logout raced the request). */
  async function issue(res: ServerResponse, request: AuthorizationRequest, browserSessionId: string, status: 302 | 303, cookies: string[] = []): Promise<boolean> {
    let code: string;
    try {
      code = await ctx.engine.frontChannel.issueCode({
        clientId: request.client.clientId,
        browserSessionId,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        scope: request.scope,
        nonce: request.nonce,
      });
    } catch (error) {
      if (isWardenError(error) && error.code === 'unauthorized') return false;
      throw error;
    }
    redirect(res, status, redirectTo(request.redirectUri, issuer, { code, state: request.state }), cookies);
    return true;
  }

  async function authorize(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parsed = await parseAuthorizationRequest(ctx.engine, (name) => url.searchParams.getAll(name));
    if (parsed.kind !== 'ok') return refuse(res, parsed, 302);
    const request = parsed.request;
    const session = await ctx.engine.frontChannel.browserSession(readCookies(req).get(BROWSER_SESSION_COOKIE));
    const tooOld = session !== undefined && request.maxAge !== null && ctx.clock.now() - session.authTime > request.maxAge * 1000;
    if (session && request.prompt !== 'login' && !tooOld && await issue(res, request, session.id, 302)) return;
    if (request.prompt === 'none') {
      return refuse(res, { kind: 'redirect', redirectUri: request.redirectUri, state: request.state, error: 'login_required', description: 'The user is not signed in.' }, 302);
    }
    showForm(req, res, request, 200, request.loginHint?.slice(0, MAX_USERNAME) ?? '', null);
  }

  /** Same-origin form posts only: a present Origin must be the issuer's (the CSRF token is the real check). */
  function fromThisPage(req: IncomingMessage, params: FormParams): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== issuerOrigin) return false;
    if (req.headers['sec-fetch-site'] === 'cross-site') return false;
    return csrf.verify(req, params.get('csrf_token'));
  }

  async function submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let params: FormParams;
    try {
      params = await readForm(req);
    } catch (error) {
      if (!isWardenError(error)) throw error;
      sendHtml(res, error.code === 'payload_too_large' ? 413 : 400, renderErrorPage('The sign-in form could not be read.'), pageHeaders(null));
      return;
    }
    // prompt and max_age were answered by showing this form: the post is the fresh sign-in they asked for.
    const parsed = await parseAuthorizationRequest(ctx.engine, (name) => (name === 'prompt' || name === 'max_age' ? [] : params.has(name) ? [params.get(name)!] : []));
    if (parsed.kind !== 'ok') return refuse(res, parsed, 303);
    const request = parsed.request;
    const username = (params.get('username') ?? '').slice(0, MAX_USERNAME);
    if (!fromThisPage(req, params)) {
      // Nothing is looked at or counted: a forged post only gets a fresh form.
      return showForm(req, res, request, 403, '', 'This sign-in form expired or was not sent from this page. Please sign in again.');
    }
    const device = deviceFromRequest(req, new Map());
    const attempt = await ctx.throttle.reserve(device.ip);
    if ('retryAfterMs' in attempt) {
      const seconds = Math.ceil(attempt.retryAfterMs / 1000);
      return showForm(req, res, request, 429, username, `Too many failed sign-ins from your network. Try again in ${describeWait(seconds)}.`, false, { 'Retry-After': seconds });
    }
    const current = await ctx.engine.frontChannel.browserSession(readCookies(req).get(BROWSER_SESSION_COOKIE));
    let failed = false;
    let signedIn;
    try {
      signedIn = await ctx.engine.frontChannel.signIn({
        username: params.get('username'),
        password: params.get('password'),
        rememberMe: params.get('remember_me') === 'true',
        clientId: request.client.clientId,
        device,
        ...(current ? { current } : {}),
      });
    } catch (error) {
      failed = isWardenError(error) && error.code === 'invalid_credentials';
      if (!isWardenError(error)) throw error;
      switch (error.code) {
        case 'invalid_credentials':
          return showForm(req, res, request, 401, username, 'The username or password is wrong.', true);
        case 'login_throttled':
          return showForm(req, res, request, 429, username, `Too many failed sign-ins for this account. Try again in ${describeWait(error.retryAfterSeconds ?? 1)}.`, false, { 'Retry-After': error.retryAfterSeconds ?? 1 });
        case 'user_blocked':
          return showForm(req, res, request, 403, username, 'This account is blocked. Contact your administrator.');
        default:
          throw error;
      }
    } finally {
      attempt.settle(failed);
    }
    const row = signedIn.browserSession;
    const cookies = signedIn.cookie === null ? [] : [browserSessionCookie(signedIn.cookie, secureFor(req), row.rememberMe ? Math.max(0, Math.floor((row.expiresAt - ctx.clock.now()) / 1000)) : null)];
    if (!await issue(res, request, row.id, 303, cookies)) {
      showForm(req, res, request, 401, username, 'Your sign-in was ended by an administrator. Please sign in again.');
    }
  }

  /** Faults become an error page: nothing about them is sent to the app. */
  const guarded = (name: string, handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
      try {
        await handler(req, res, url);
      } catch (fault) {
        ctx.logFault(name, fault);
        sendHtml(res, 500, renderErrorPage('Something went wrong on our side. Go back to the app and try again.'), pageHeaders(null));
      }
    };

  return { get: guarded('GET /oauth/authorize', authorize), post: guarded('POST /oauth/authorize', (req, res) => submit(req, res)) };
}

function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
