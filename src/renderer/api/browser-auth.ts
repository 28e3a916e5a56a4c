/**
 * Browser-mode sign-in. The session is an HttpOnly cookie (`tw_admin`, set by the service), so every tab of
 * this browser shares it: a second tab asks `GET /admin/me` and is signed in without any link. Ways in:
 * - a named admin's username and password (+ a TOTP code when the account has one) on the sign-in page;
 * - the one-time `?code=` link `npm start` prints (first start): traded once for a bootstrap-owner session,
 *   and removed from the address bar so it is not bookmarked or shared.
 * The page keeps only the CSRF token `/admin/me` returns, sent as `X-CSRF-Token` on every POST. Tabs tell
 * each other when they sign in or out (BroadcastChannel), so a signed-out tab does not linger on old data.
 */
import type { AdminRole } from '../../shared/admin-api';
import type { ErrorInfo } from '../../shared/errors';
import { fetchMe, postJson, type FetchLike, type SignedIn } from './admin-session';

export type { SignedIn };

/** Shown when the service refuses our cookie: it expired (idle or absolute), or was revoked. */
export const SESSION_ENDED = 'Your console session has ended (it expired, or it was signed out or revoked).';

export type SignedOutReason = 'no_session' | 'expired' | 'code_rejected' | 'unreachable' | 'signed_out';

/** Where the browser console stands with the token service. `session` is null in the desktop app. */
export type AuthState =
  | { status: 'ready'; session: SignedIn | null }
  | { status: 'login_required'; reason: SignedOutReason; message: string };

/** The answer to a sign-in attempt: `totp_required` asks for the second step (no cookie was set). */
export type SignInResult = { ok: true } | { ok: false; error: ErrorInfo };

export interface SignInInput {
  username: string;
  password: string;
  totp?: string;
}

export interface BrowserAuth {
  /** Resolves once the one-time code (if any) has been exchanged and `/admin/me` answered. */
  readonly ready: Promise<AuthState>;
  state(): AuthState | undefined;
  /** The CSRF token for POSTs, or null when signed out. */
  csrf(): string | null;
  signIn(input: SignInInput): Promise<SignInResult>;
  /** Ends this browser's session (`everywhere`: every session of this admin). */
  signOut(everywhere: boolean): Promise<ErrorInfo | null>;
  /** Asks `/admin/me` again (after the role or account changed, or another tab signed in). */
  refresh(): Promise<AuthState>;
  /** Called when the service answers 401: the session is gone; listeners show the sign-in page. */
  invalidate(message: string): void;
  onChange(listener: (state: AuthState) => void): () => void;
}

export interface BrowserAuthDeps {
  fetch: FetchLike;
  /** The current URL and a way to rewrite it without navigating (the code leaves the address bar). */
  location: { href(): string; replace(url: string): void };
  /** Cross-tab notices; null where BroadcastChannel is missing. */
  channel: { post(message: string): void; onMessage(listener: (message: string) => void): void } | null;
}

/** Takes `code` out of the query string (or out of the hash's query), leaving the rest of the URL alone. */
export function takeCode(href: string): { code: string | null; rest: string } {
  const url = new URL(href);
  let code = url.searchParams.get('code');
  if (code !== null) url.searchParams.delete('code');
  const hashQuery = url.hash.indexOf('?');
  if (code === null && hashQuery !== -1) {
    const params = new URLSearchParams(url.hash.slice(hashQuery + 1));
    code = params.get('code');
    params.delete('code');
    const rest = params.toString();
    url.hash = url.hash.slice(0, hashQuery) + (rest ? `?${rest}` : '');
  }
  return { code, rest: url.toString() };
}

const UNREACHABLE: AuthState = { status: 'login_required', reason: 'unreachable', message: 'Token service unreachable.' };
const CODE_REJECTED = 'This login link has already been used or has expired.';

function defaultDeps(): BrowserAuthDeps {
  const broadcast = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('token-warden-admin-session');
  return {
    fetch: (input, init) => fetch(input, init),
    location: {
      href: () => window.location.href,
      replace: (url) => window.history.replaceState(window.history.state, '', url),
    },
    channel: broadcast && {
      post: (message) => broadcast.postMessage(message),
      onMessage: (listener) => broadcast.addEventListener('message', (event: MessageEvent) => typeof event.data === 'string' && listener(event.data)),
    },
  };
}

export function createBrowserAuth(deps: BrowserAuthDeps = defaultDeps()): BrowserAuth {
  let current: AuthState | undefined;
  const listeners = new Set<(state: AuthState) => void>();
  const set = (next: AuthState): AuthState => {
    current = next;
    listeners.forEach((listener) => listener(next));
    return next;
  };

  const ask = async (signedOut: AuthState): Promise<AuthState> => {
    const answer = await fetchMe(deps.fetch);
    if (answer.kind === 'signed_in') return { status: 'ready', session: answer.me };
    return answer.kind === 'unreachable' ? UNREACHABLE : signedOut;
  };
  const noSession: AuthState = { status: 'login_required', reason: 'no_session', message: 'Sign in to continue.' };

  const ready = (async (): Promise<AuthState> => {
    const { code, rest } = takeCode(deps.location.href());
    if (code !== null) {
      deps.location.replace(rest);
      const exchanged = await postJson(deps.fetch, '/admin/session', { code }, null);
      // A used link is harmless when this browser is signed in already (a reload of the printed URL).
      const state = await ask(exchanged.ok ? noSession : { status: 'login_required', reason: 'code_rejected', message: CODE_REJECTED });
      if (exchanged.ok && state.status === 'ready') deps.channel?.post('signed_in');
      return set(state);
    }
    return set(await ask(noSession));
  })();

  const refresh = async (): Promise<AuthState> => set(await ask(noSession));
  // A cookie session always has a CSRF token; '' keeps a (misconfigured) token-less answer signed in, refused per POST.
  const csrf = (): string | null => (current?.status === 'ready' ? (current.session?.csrfToken ?? '') : null);

  deps.channel?.onMessage((message) => {
    if (message === 'signed_out' && current?.status === 'ready') {
      set({ status: 'login_required', reason: 'signed_out', message: 'You signed out in another tab.' });
    } else if (message === 'signed_in' && current?.status !== 'ready') {
      void refresh();
    }
  });

  return {
    ready,
    state: () => current,
    csrf,
    async signIn(input) {
      const body: Record<string, string> = { username: input.username, password: input.password };
      if (input.totp !== undefined) body.totp = input.totp;
      const answer = await postJson(deps.fetch, '/admin/login', body, null);
      if (!answer.ok) return { ok: false, error: answer.error };
      const state = await refresh();
      if (state.status !== 'ready') return { ok: false, error: { code: 'internal_error', message: 'Signed in, but the service does not recognise the session.' } };
      deps.channel?.post('signed_in');
      return { ok: true };
    },
    async signOut(everywhere) {
      const answer = await postJson(deps.fetch, everywhere ? '/admin/logout-all' : '/admin/logout', {}, csrf());
      // 401: the session had ended already; signed out either way.
      if (!answer.ok && answer.status !== 401) return answer.error;
      deps.channel?.post('signed_out');
      set({ status: 'login_required', reason: 'signed_out', message: everywhere ? 'You signed out on every device.' : 'You signed out.' });
      return null;
    },
    refresh,
    invalidate(message) {
      if (current?.status !== 'ready') return;
      set({ status: 'login_required', reason: 'expired', message });
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The role the console should assume: the session's, or owner in the desktop app (no sign-in there). */
export function roleOf(state: AuthState | undefined): AdminRole {
  return state?.status === 'ready' && state.session ? state.session.role : 'owner';
}
