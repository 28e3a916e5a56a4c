/**
 * The hosted sign-in page and the sign-in error page: server-rendered HTML that needs no JavaScript (the
 * form posts, the server redirects). Strict CSP: nothing loads, the one inline style is allowed by its hash,
 * the form may post only here and land only on the app's redirect URI, and no site may frame the page
 * (`frame-ancestors 'none'`, and X-Frame-Options for browsers that predate it). Accessible: every field has a
 * label, the first field to fill has focus (`autofocus`), an error is a `role="alert"` the fields point at.
 * Light and dark follow the system (`prefers-color-scheme`).
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

const STYLE = `:root{color-scheme:light dark;--bg:#f5f6f8;--card:#fff;--fg:#1b1f24;--muted:#57606a;--line:#8c959f;--accent:#0a59c2;--accent-fg:#fff;--err-bg:#ffebe9;--err-fg:#82071e}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--fg:#e6edf3;--muted:#9da7b3;--line:#6e7681;--accent:#4493f8;--accent-fg:#0d1117;--err-bg:#3d1418;--err-fg:#ffb1ad}}
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{width:min(24rem,calc(100vw - 2rem));background:var(--card);border-radius:12px;padding:2rem;box-shadow:0 1px 3px rgb(0 0 0/.2)}
h1{font-size:1.5rem;margin:0 0 .25rem}p{margin:0 0 1.25rem;color:var(--muted)}strong{color:var(--fg)}
label{display:block;font-weight:600;margin:1rem 0 .25rem}input[type=text],input[type=password]{width:100%;padding:.6rem .7rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--line);border-radius:6px}
.check{display:flex;gap:.5rem;align-items:center;font-weight:400}.check input{width:1.1rem;height:1.1rem;margin:0}
button{margin-top:1.5rem;width:100%;padding:.7rem;font:inherit;font-weight:600;color:var(--accent-fg);background:var(--accent);border:0;border-radius:6px;cursor:pointer}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.alert{background:var(--err-bg);color:var(--err-fg);border-radius:6px;padding:.75rem;margin:0 0 1rem}`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** Where the form may send the browser: here, and (after the server's redirect) the app's redirect URI. */
function formActions(redirectUri: string | null): string {
  if (!redirectUri) return "'self'";
  const url = new URL(redirectUri);
  const target = url.origin === 'null' ? url.protocol : url.origin;
  return `'self' ${target}`;
}

/** Headers every front-channel HTML response carries. */
export function pageHeaders(redirectUri: string | null): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action ${formActions(redirectUri)}; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // Not no-referrer: under it Chromium sends `Origin: null` even on the form's same-origin post, and the
    // endpoint refuses a post whose Origin is not its own. Nothing leaves for another origin either way.
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function htmlDocument(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export interface SignInPage {
  appName: string;
  /** The authorization request, carried through the form as hidden fields. */
  hidden: Record<string, string | null>;
  csrfToken: string;
  username: string;
  /** Shown as the alert; the fields are marked invalid when `invalid` is set. */
  error: string | null;
  invalid: boolean;
  redirectUri: string;
}

export function renderSignInPage(page: SignInPage): string {
  const hidden = Object.entries({ ...page.hidden, csrf_token: page.csrfToken })
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const invalid = page.error && page.invalid ? ' aria-invalid="true" aria-describedby="form-error"' : '';
  // Focus where the user types next: the password once the username is known (a hint, or a retry).
  const focusUser = page.username === '' ? ' autofocus' : '';
  const focusPassword = page.username === '' ? '' : ' autofocus';
  const alert = page.error ? `<div class="alert" role="alert" id="form-error" data-testid="sign-in-error">${escapeHtml(page.error)}</div>` : '';
  const app = escapeHtml(page.appName);
  return htmlDocument(`Sign in to ${page.appName}`, `<h1>Sign in</h1><p>to continue to <strong data-testid="sign-in-app">${app}</strong></p>${alert}
<form method="post" action="/oauth/authorize" data-testid="sign-in-form">${hidden}
<label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256" value="${escapeHtml(page.username)}"${focusUser}${invalid}>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024"${focusPassword}${invalid}>
<label class="check" for="remember_me"><input type="checkbox" id="remember_me" name="remember_me" value="true"> Keep me signed in</label>
<button type="submit" data-testid="sign-in-submit">Sign in</button>
</form>`);
}

export function renderErrorPage(message: string): string {
  return htmlDocument('Sign-in request refused', `<h1>Sign-in request refused</h1><div class="alert" role="alert" data-testid="sign-in-error">${escapeHtml(message)}</div>
<p>Go back to the app you came from and try again. If this keeps happening, tell its administrator.</p>`);
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string | number>): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}
