/**
 * GET/POST /oauth/logout: OpenID Connect RP-Initiated Logout 1.0 (the discovery's end_session_endpoint).
 * Parameters: `id_token_hint` (one of our ID tokens; expired ones accepted), `client_id`,
 * `post_logout_redirect_uri` (exactly as registered for that app) and `state`. Everything is checked before
 * anything ends: a bad hint, an unknown or mismatched client, or a redirect URI that is not registered gets an
 * error page, never a redirect, and changes nothing. With a valid hint the provider's browser session and every
 * app session signed in under it end at once; without one, a signed-in browser is asked to confirm (a
 * CSRF-protected form), so a link elsewhere cannot sign anyone out. Then back to the app (with `state`), or a
 * "signed out" page. Back-channel logout tokens go out from the revocations (src/main/engine/backchannel.ts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIsHttps } from './client-address';
import { isWardenError } from '../../shared/errors';
import { BROWSER_SESSION_COOKIE } from '../engine/browser-sessions';
import type { IdTokenHint } from '../engine/end-session';
import type { ClientRow } from '../store/store';
import { readForm } from './body';
import type { Endpoint, ServiceContext } from './context';
import { browserSessionCookie, readCookies } from './front-channel-cookies';
import { escapeHtml, htmlDocument, pageHeaders, sendHtml } from './sign-in-page';

const PARAMS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'] as const;
type Param = (typeof PARAMS)[number];
const MAX_HINT = 16_384;
const MAX_OTHER = 2_048;

type Params = Partial<Record<Param | 'csrf_token' | 'confirm', string>>;

/** A refusal shown as a page: the request is not trustworthy enough to send the browser anywhere. */
class Refusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The query's parameters, each at most once (a repeat is refused, as for the form). */
function queryParams(url: URL): Params {
  const params: Params = {};
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name);
    if (values.length > 1) throw new Refusal(400, `The parameter "${name.slice(0, 40)}" is repeated.`);
    if (values[0] !== '') (params as Record<string, string>)[name] = values[0]!;
  }
  return params;
}

function bounded(params: Params): Params {
  for (const name of PARAMS) {
    const value = params[name];
    if (value !== undefined && value.length > (name === 'id_token_hint' ? MAX_HINT : MAX_OTHER)) throw new Refusal(400, `The parameter "${name}" is too long.`);
  }
  return params;
}

interface Checked {
  hint: IdTokenHint | undefined;
  client: ClientRow | undefined;
  redirectUri: string | undefined;
  state: string | undefined;
}

/** Where the browser goes after logout: the registered URI, with `state` added to its query. */
function afterLogout(redirectUri: string, state: string | undefined): string {
  const url = new URL(redirectUri);
  if (state !== undefined) url.searchParams.append('state', state);
  return url.href;
}

export function endSessionEndpoints(ctx: ServiceContext): { get: Endpoint; post: Endpoint } {
  const engine = ctx.engine;
  const issuerOrigin = new URL(engine.issuer).origin;
  // Secure cookies when the issuer is https, or when a trusted proxy says this request came over https.
  const secureFor = (req: IncomingMessage) => new URL(engine.issuer).protocol === 'https:' || requestIsHttps(req);
  // Binds the confirmation form to the browser session cookie; a restart invalidates open forms (asks again).
  const csrfKey = randomBytes(32);
  const csrfFor = (cookie: string) => createHmac('sha256', csrfKey).update(`logout:${cookie}`).digest('base64url');

  /** Every check that can refuse, before anything changes. */
  async function check(params: Params): Promise<Checked> {
    const hintToken = params.id_token_hint;
    const hint = hintToken === undefined ? undefined : await engine.endSession.readHint(hintToken);
    if (hintToken !== undefined && !hint) throw new Refusal(400, 'The id_token_hint is not an ID token this service issued.');
    let client = hint?.client;
    if (params.client_id !== undefined) {
      const named = await engine.getClient(params.client_id);
      if (!named) throw new Refusal(400, 'The client_id names no registered app.');
      if (client && client.clientId !== named.clientId) throw new Refusal(400, 'The client_id is not the app the id_token_hint was issued to.');
      client = named;
    }
    const redirectUri = params.post_logout_redirect_uri;
    if (redirectUri !== undefined) {
      // §3: without a client to look it up under, the OP must not redirect (it could be anyone's URI).
      if (!client) throw new Refusal(400, 'A post_logout_redirect_uri needs the client_id or id_token_hint of its app.');
      if (!client.postLogoutRedirectUris.includes(redirectUri)) throw new Refusal(400, 'The post_logout_redirect_uri is not registered for this app.');
    }
    return { hint, client, redirectUri, state: params.state };
  }

  async function finish(req: IncomingMessage, res: ServerResponse, checked: Checked, status: 302 | 303): Promise<void> {
    const cookie = readCookies(req).get(BROWSER_SESSION_COOKIE);
    const browser = await engine.frontChannel.browserSession(cookie);
    await engine.endSession.logout({ hint: checked.hint, browserSessionId: browser?.id, browserSessionUserId: browser?.userId });
    const clear: Record<string, string> = cookie === undefined ? {} : { 'Set-Cookie': browserSessionCookie('', secureFor(req), 0) };
    if (checked.redirectUri !== undefined) {
      res.writeHead(status, { Location: afterLogout(checked.redirectUri, checked.state), 'Cache-Control': 'no-store', Pragma: 'no-cache', 'Referrer-Policy': 'no-referrer', ...clear });
      res.end();
      return;
    }
    const app = checked.client ? ` of ${escapeHtml(checked.client.name)} and` : '';
    const html = htmlDocument('Signed out', `<h1 data-testid="signed-out">You are signed out</h1><p role="status">You are signed out${app} of this sign-in service on this browser. You can close this page.</p>`);
    sendHtml(res, 200, html, { ...pageHeaders(null), ...clear });
  }

  function confirmPage(res: ServerResponse, checked: Checked, cookie: string): void {
    const hidden = { client_id: checked.client?.clientId, post_logout_redirect_uri: checked.redirectUri, state: checked.state, csrf_token: csrfFor(cookie), confirm: 'yes' };
    const fields = Object.entries(hidden)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('');
    const who = checked.client ? `<strong data-testid="logout-app">${escapeHtml(checked.client.name)}</strong> asks to sign you out.` : 'An app asks to sign you out.';
    const html = htmlDocument('Sign out?', `<h1>Sign out?</h1><p>${who} This ends your sign-in on this browser and in the apps you signed in to with it.</p>
<form method="post" action="/oauth/logout" data-testid="logout-form">${fields}<button type="submit" data-testid="logout-confirm" autofocus>Sign out</button></form>`);
    sendHtml(res, 200, html, pageHeaders(checked.redirectUri ?? null));
  }

  function refuse(res: ServerResponse, error: unknown): void {
    if (!(error instanceof Refusal) && !isWardenError(error)) throw error;
    const status = error instanceof Refusal ? error.status : 400;
    const html = htmlDocument('Sign-out request refused', `<h1>Sign-out request refused</h1><div class="alert" role="alert" data-testid="logout-error">${escapeHtml(error.message)}</div>
<p>Nothing was changed. Go back to the app you came from; if this keeps happening, tell its administrator.</p>`);
    sendHtml(res, status, html, pageHeaders(null));
  }

  return {
    get: async (req, res, url) => {
      try {
        const checked = await check(bounded(queryParams(url)));
        const cookie = readCookies(req).get(BROWSER_SESSION_COOKIE);
        // No valid hint: a signed-in browser confirms first (a link on any page could point here).
        if (!checked.hint && cookie !== undefined && await engine.frontChannel.browserSession(cookie)) {
          confirmPage(res, checked, cookie);
          return;
        }
        await finish(req, res, checked, 302);
      } catch (error) {
        refuse(res, error);
      }
    },
    post: async (req, res) => {
      try {
        const form = Object.fromEntries(await readForm(req)) as Params;
        const checked = await check(bounded(form));
        // The confirmation form's post: from this origin, with the token bound to this browser's session cookie.
        if (form.confirm !== undefined || !checked.hint) {
          const origin = req.headers.origin;
          if (origin !== undefined && origin !== issuerOrigin) throw new Refusal(403, 'The sign-out form was posted from another site.');
          const cookie = readCookies(req).get(BROWSER_SESSION_COOKIE);
          const token = form.csrf_token;
          const expected = cookie === undefined ? undefined : Buffer.from(csrfFor(cookie));
          const valid = expected !== undefined && token !== undefined && Buffer.byteLength(token) === expected.length && timingSafeEqual(expected, Buffer.from(token));
          // Signed out already (no cookie, or it names no live session): nothing to protect, nothing to end.
          if (!valid && cookie !== undefined && await engine.frontChannel.browserSession(cookie)) throw new Refusal(403, 'The sign-out form has expired or did not come from this service. Go back and try again.');
        }
        await finish(req, res, checked, 303);
      } catch (error) {
        refuse(res, error);
      }
    },
  };
}
