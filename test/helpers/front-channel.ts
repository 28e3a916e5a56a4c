/**
 * Driving the authorization endpoint and the hosted sign-in page with plain fetch, as a browser would but
 * without one: a cookie jar, manual redirects, the form's hidden fields read back from the HTML, PKCE.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TestWarden } from './warden';

/** The cookies a browser would hold for the service (name → value; attributes are checked by the tests). */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie line received, newest last. */
  readonly received: string[] = [];

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      this.received.push(line);
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A public client that may use the code flow, with one redirect URI on a loopback port nobody listens on. */
export async function registerApp(t: TestWarden, name = 'Notes app'): Promise<{ clientId: string; redirectUri: string }> {
  const clientId = `web-${randomBytes(6).toString('hex')}`;
  const redirectUri = `http://127.0.0.1:9/${clientId}/callback`;
  await t.admin('createClient', { clientId, kind: 'public', name, redirectUris: [redirectUri], grantTypes: ['authorization_code', 'refresh_token'] });
  return { clientId, redirectUri };
}

export function authorizeUrl(t: TestWarden, params: Record<string, string | string[]>): string {
  const url = new URL('/oauth/authorize', t.baseUrl);
  for (const [name, value] of Object.entries(params)) for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, item);
  return url.toString();
}

export async function getPage(url: string, jar?: CookieJar, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: { ...(jar?.header() ?? {}), ...headers } });
  jar?.take(response);
  return response;
}

/** The hidden and prefilled fields of the sign-in form in `html`. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input ([^>]*)>/g)) {
    const attrs = match[1]!;
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    const value = /value="([^"]*)"/.exec(attrs)?.[1];
    const type = /type="([^"]*)"/.exec(attrs)?.[1];
    if (name && value !== undefined && type !== 'checkbox') fields[name] = decodeEntities(value);
  }
  return fields;
}

function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

export async function postSignIn(t: TestWarden, fields: Record<string, string>, jar?: CookieJar, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(`${t.baseUrl}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(jar?.header() ?? {}), ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  jar?.take(response);
  return response;
}

/** The query of a redirect back to the app, after checking it goes to exactly `redirectUri`. */
export function redirectParams(response: Response, redirectUri: string): URLSearchParams {
  const location = response.headers.get('location');
  if (!location) throw new Error(`expected a redirect, got ${response.status}`);
  const url = new URL(location);
  if (`${url.origin}${url.pathname}` !== redirectUri) throw new Error(`redirected to ${location}, not ${redirectUri}`);
  return url.searchParams;
}
