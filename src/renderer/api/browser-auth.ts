/**
 * Browser-mode login: `npm start` prints a URL carrying a one-time `?code=`; the console trades it for a
 * short-lived admin bearer token (POST /admin/session), keeps the token in sessionStorage (per tab, gone
 * when the tab closes) and removes the code from the address bar so it is not bookmarked or shared.
 */
import { z } from 'zod';

const STORAGE_KEY = 'warden.adminSession';

/** Shown when the service refuses our token: it expired, or the token service restarted. */
export const SESSION_ENDED = 'Your console session has ended (it expired, or the token service restarted).';
const storedSessionSchema = z.object({ token: z.string().min(1), expiresAt: z.number() });
type StoredSession = z.infer<typeof storedSessionSchema>;

/** Where the browser console stands with the token service. */
export type AuthState =
  | { status: 'ready' }
  | { status: 'login_required'; reason: 'no_code' | 'expired' | 'code_rejected' | 'unreachable'; message: string };

export interface BrowserAuth {
  /** Resolves once the code (if any) has been exchanged. */
  readonly ready: Promise<AuthState>;
  /** The current bearer token, or null when signed out. */
  token(): string | null;
  /** Called when the service answers 401: the token is gone; listeners show the login screen. */
  invalidate(message: string): void;
  onChange(listener: (state: AuthState) => void): () => void;
}

function readStored(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (raw === null) return null;
    const parsed = storedSessionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Takes `code` out of the query string (or out of the hash's query), leaving the rest of the URL alone. */
function takeCode(): string | null {
  const url = new URL(window.location.href);
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
  if (code !== null) window.history.replaceState(window.history.state, '', url.toString());
  return code;
}

const sessionResponseSchema = z.object({ token: z.string().min(1), expiresAt: z.number() });

async function exchange(code: string): Promise<StoredSession | AuthState> {
  let response: Response;
  try {
    response = await fetch('/admin/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
      cache: 'no-store',
    });
  } catch {
    return { status: 'login_required', reason: 'unreachable', message: 'Token service unreachable.' };
  }
  const body: unknown = await response.json().catch(() => null);
  // The service answers with a Result envelope; accept a bare {token, expiresAt} too.
  const value = typeof body === 'object' && body !== null && 'ok' in body && 'value' in body ? body.value : body;
  const parsed = sessionResponseSchema.safeParse(value);
  if (response.ok && parsed.success) return parsed.data;
  return {
    status: 'login_required',
    reason: 'code_rejected',
    message: 'This login link has already been used or has expired.',
  };
}

export function createBrowserAuth(): BrowserAuth {
  let session: StoredSession | null = null;
  const listeners = new Set<(state: AuthState) => void>();
  const emit = (state: AuthState): void => listeners.forEach((listener) => listener(state));

  const ready = (async (): Promise<AuthState> => {
    const code = takeCode();
    if (code !== null) {
      const result = await exchange(code);
      if ('token' in result) {
        session = result;
        sessionStorage.setItem(STORAGE_KEY, JSON.stringify(result));
        return { status: 'ready' };
      }
      // A reload of a used link still works while this tab holds a token.
      session = readStored();
      return session ? { status: 'ready' } : result;
    }
    session = readStored();
    if (session === null) return { status: 'login_required', reason: 'no_code', message: 'No login code in the URL.' };
    if (session.expiresAt <= Date.now()) {
      session = null;
      sessionStorage.removeItem(STORAGE_KEY);
      return { status: 'login_required', reason: 'expired', message: 'Your console session has expired.' };
    }
    return { status: 'ready' };
  })();

  return {
    ready,
    token: () => (session && session.expiresAt > Date.now() ? session.token : null),
    invalidate(message) {
      if (session === null) return;
      session = null;
      sessionStorage.removeItem(STORAGE_KEY);
      emit({ status: 'login_required', reason: 'expired', message });
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
