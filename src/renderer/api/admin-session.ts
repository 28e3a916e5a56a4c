/**
 * The browser console's conversation with the admin session endpoints (docs/admins.md): who is signed in
 * (`GET /admin/me`), signing in (`POST /admin/login`), the one-time link (`POST /admin/session`) and signing
 * out (`POST /admin/logout`, `/admin/logout-all`). The session itself is an HttpOnly cookie the page never
 * sees; what the page keeps is the CSRF token `/admin/me` hands out, sent back on every POST.
 */
import { adminMeSchema, type AdminMe } from '../../shared/admin-accounts';
import type { ErrorInfo } from '../../shared/errors';
import { toErrorInfo } from './api-error';

/** `GET /admin/me`: the signed-in admin (null for the one-time link's owner session), role and CSRF token. */
export type SignedIn = AdminMe;

/** What the session endpoints need from the page: fetch (injected so the state machine is testable). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The value of a `{ok, value}` envelope, or the body itself when it is bare. */
export function envelopeValue(body: unknown): unknown {
  return typeof body === 'object' && body !== null && 'ok' in body && 'value' in body ? body.value : body;
}

/** The error of a `{ok:false, error}` envelope, or a generic one naming the HTTP status. */
export function envelopeError(body: unknown, status: number): ErrorInfo {
  if (typeof body === 'object' && body !== null && 'error' in body) return toErrorInfo(body.error);
  return { code: 'internal_error', message: `The token service answered HTTP ${status}.` };
}

export type MeAnswer = { kind: 'signed_in'; me: SignedIn } | { kind: 'signed_out' } | { kind: 'unreachable' };

/** Asks who this browser's cookie belongs to. */
export async function fetchMe(fetcher: FetchLike): Promise<MeAnswer> {
  let response: Response;
  try {
    response = await fetcher('/admin/me', { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    return { kind: 'unreachable' };
  }
  if (response.status === 401) return { kind: 'signed_out' };
  const body: unknown = await response.json().catch(() => null);
  const parsed = adminMeSchema.safeParse(envelopeValue(body));
  if (response.ok && parsed.success) return { kind: 'signed_in', me: parsed.data };
  if (response.ok) console.warn('GET /admin/me: reply does not match the contract', parsed.error?.issues);
  return { kind: 'unreachable' };
}

/** A JSON POST to one of the session endpoints; `csrf` when a session cookie is already held. */
export async function postJson(
  fetcher: FetchLike,
  path: string,
  body: unknown,
  csrf: string | null,
): Promise<{ ok: true } | { ok: false; error: ErrorInfo; status: number }> {
  let response: Response;
  try {
    response = await fetcher(path, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', ...(csrf === null ? {} : { 'X-CSRF-Token': csrf }) },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, error: { code: 'internal_error', message: 'Token service unreachable.' } };
  }
  const parsed: unknown = await response.json().catch(() => null);
  if (response.ok) return { ok: true };
  return { ok: false, status: response.status, error: envelopeError(parsed, response.status) };
}
