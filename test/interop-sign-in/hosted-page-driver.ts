/**
 * A browser without a browser: follows redirects by hand with a cookie jar per origin and fills the hosted
 * sign-in page's form, so Node-side tests (openid-client) and the bench can sign in through the real page
 * without Chromium. It reads the form the way a browser would (its action, method and every hidden input),
 * so it assumes nothing about the page's CSRF field names.
 */

/** Cookies by origin (host:port); loopback tests never need domain or path scoping. */
export class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  store(url: string, response: Response): void {
    const origin = new URL(url).host;
    const jar = this.byOrigin.get(origin) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=(0|-)/i.test(attribute) || /^\s*expires=thu, 01 jan 1970/i.test(attribute));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.byOrigin.set(origin, jar);
  }

  header(url: string): string {
    const jar = this.byOrigin.get(new URL(url).host);
    return jar ? [...jar].map(([name, value]) => `${name}=${value}`).join('; ') : '';
  }

  get(url: string, name: string): string | undefined {
    return this.byOrigin.get(new URL(url).host)?.get(name);
  }
}

export interface Hop {
  url: string;
  status: number;
  location: string | null;
  body: string;
}

/** One request with the jar's cookies, no automatic redirects. */
export async function request(jar: CookieJar, url: string, init: { method?: string; form?: URLSearchParams } = {}): Promise<Hop> {
  const headers: Record<string, string> = {};
  const cookie = jar.header(url);
  if (cookie) headers.cookie = cookie;
  if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body: init.form?.toString(), redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  jar.store(url, response);
  const location = response.headers.get('location');
  return { url, status: response.status, location: location === null ? null : new URL(location, url).href, body: await response.text() };
}

/**
 * Follows redirects from `url` until a response that is not a redirect, or until `stopAt` says a URL is the
 * destination (returned without being requested, e.g. a redirect_uri nobody listens on). Bounded.
 */
export async function follow(jar: CookieJar, url: string, stopAt: (url: string) => boolean = () => false): Promise<Hop> {
  let hop = await request(jar, url);
  for (let i = 0; i < 10; i += 1) {
    if (hop.status < 300 || hop.status >= 400 || hop.location === null) return hop;
    if (stopAt(hop.location)) return { url: hop.location, status: 0, location: null, body: '' };
    hop = await request(jar, hop.location);
  }
  throw new Error(`more than 10 redirects from ${url}`);
}

const decode = (value: string) => value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attribute = (tag: string, name: string) => {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return match ? decode(match[2] ?? match[3] ?? match[4] ?? '') : undefined;
};

export interface SignInForm {
  action: string;
  method: string;
  fields: URLSearchParams;
}

/** The page's sign-in form: where it posts, and every input that has a value (hidden fields, prefilled username). */
export function readSignInForm(hop: Hop): SignInForm {
  const form = /<form\b[^>]*>/i.exec(hop.body);
  if (!form) throw new Error(`no form on ${hop.url} (status ${hop.status}): ${hop.body.slice(0, 300)}`);
  const fields = new URLSearchParams();
  for (const input of hop.body.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(input[0], 'name');
    const type = (attribute(input[0], 'type') ?? 'text').toLowerCase();
    const value = attribute(input[0], 'value');
    if (name && value !== undefined && type !== 'checkbox' && type !== 'submit') fields.set(name, value);
  }
  return { action: new URL(attribute(form[0], 'action') ?? hop.url, hop.url).href, method: (attribute(form[0], 'method') ?? 'GET').toUpperCase(), fields };
}

/**
 * Signs in on the hosted page reached from `authorizeUrl` and follows the redirects until `isCallback`
 * matches: returns that callback URL (with code, state, iss). When the provider already has a browser
 * session in the jar, no form is shown and the callback comes straight back.
 */
export async function signInThroughHostedPage(
  jar: CookieJar,
  authorizeUrl: string,
  user: { username: string; password: string; rememberMe?: boolean },
  isCallback: (url: string) => boolean,
): Promise<{ callbackUrl: string; askedForPassword: boolean }> {
  const page = await follow(jar, authorizeUrl, isCallback);
  if (page.status === 0) return { callbackUrl: page.url, askedForPassword: false };
  const form = readSignInForm(page);
  form.fields.set('username', user.username);
  form.fields.set('password', user.password);
  if (user.rememberMe) form.fields.set('remember_me', 'on');
  const posted = await request(jar, form.action, { method: form.method, form: form.fields });
  if (posted.location === null) throw new Error(`the sign-in form answered ${posted.status} without a redirect: ${posted.body.slice(0, 300)}`);
  if (isCallback(posted.location)) return { callbackUrl: posted.location, askedForPassword: true };
  const end = await follow(jar, posted.location, isCallback);
  if (end.status !== 0) throw new Error(`signing in did not come back to the app: ${end.status} at ${end.url}`);
  return { callbackUrl: end.url, askedForPassword: true };
}
