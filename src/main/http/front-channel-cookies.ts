/**
 * The hosted page's cookies. `tw_session` carries the browser session (HttpOnly, SameSite=Lax so the app's
 * top-level redirect to /oauth/authorize carries it, Path=/, Secure when the issuer is https). `tw_csrf` is the
 * pre-session cookie the sign-in form's CSRF token is bound to: the token is an HMAC of the cookie under a
 * key only this process knows, so a page elsewhere can neither read the token nor forge one for a cookie it
 * planted (SameSite=Strict, scoped to the endpoint). A restart changes the key: an open form then asks again.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BROWSER_SESSION_COOKIE } from '../engine/browser-sessions';

export const CSRF_COOKIE = 'tw_csrf';
const CSRF_PATH = '/oauth/authorize';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The first value of each cookie in the Cookie header (RFC 6265 §5.4 puts the most specific path first). */
export function readCookies(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

function attributes(secure: boolean, path: string, sameSite: 'Lax' | 'Strict', maxAgeSeconds: number | null): string {
  return [`Path=${path}`, 'HttpOnly', `SameSite=${sameSite}`, ...(secure ? ['Secure'] : []), ...(maxAgeSeconds === null ? [] : [`Max-Age=${maxAgeSeconds}`])].join('; ');
}

/** `maxAgeSeconds` null: a cookie that ends with the browser ("Keep me signed in" unticked). */
export function browserSessionCookie(value: string, secure: boolean, maxAgeSeconds: number | null): string {
  return `${BROWSER_SESSION_COOKIE}=${value}; ${attributes(secure, '/', 'Lax', maxAgeSeconds)}`;
}

export class CsrfTokens {
  private readonly key = randomBytes(32);

  /** The browser's pre-session cookie value, or a new one with the Set-Cookie header to send it. */
  cookieFor(req: IncomingMessage, secure: boolean): { value: string; setCookie: string | null } {
    const existing = readCookies(req).get(CSRF_COOKIE);
    if (existing !== undefined && TOKEN.test(existing)) return { value: existing, setCookie: null };
    const value = randomBytes(32).toString('base64url');
    return { value, setCookie: `${CSRF_COOKIE}=${value}; ${attributes(secure, CSRF_PATH, 'Strict', null)}` };
  }

  tokenFor(cookieValue: string): string {
    return createHmac('sha256', this.key).update(`csrf:${cookieValue}`).digest('base64url');
  }

  /** Whether the form's token is the one bound to the cookie this request carries. */
  verify(req: IncomingMessage, token: string | undefined): boolean {
    const cookie = readCookies(req).get(CSRF_COOKIE);
    if (cookie === undefined || !TOKEN.test(cookie) || token === undefined || !TOKEN.test(token)) return false;
    return timingSafeEqual(Buffer.from(this.tokenFor(cookie)), Buffer.from(token));
  }
}
