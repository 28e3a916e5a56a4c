/**
 * What the structured log must never carry: tokens, secrets, passwords, Authorization and Cookie headers,
 * authorization codes, refresh tokens. Two nets, because a secret can arrive as a field or inside text:
 *
 * - by key: any field whose name says it holds one (password, secret, token, authorization, cookie, code, …)
 *   is replaced, at any depth;
 * - by shape: inside every string (messages, error messages, stacks), JWTs, `Bearer …`/`Basic …` credentials,
 *   `name=value` pairs of those names (form bodies, query strings, cookies) and our own opaque secrets
 *   (refresh tokens, the admin token, API keys: 40+ base64url characters in a row) are replaced.
 *
 * Request logs name the route, never the raw URL, so a query string's code never reaches this far; the nets
 * are for what a fault's message might quote.
 */

export const REDACTED = '[redacted]';

const SECRET_KEY = /pass(word|phrase)?|secret|token|authorization|cookie|^code$|^codes$|code_verifier|assertion|credential|api[-_]?key|private|master[-_]?key|otp|totp|^jwt$/i;

const SECRET_NAMES = 'password|passphrase|client_secret|secret|refresh_token|access_token|id_token|logout_token|token|code|code_verifier|assertion|id_token_hint|tw_admin|tw_session|tw_browser|tw_csrf|api_key|otp|totp_code';

const REPLACEMENTS: Array<[RegExp, (match: string, name: string) => string]> = [
  // JWS/JWT compact serialisation (header.payload.signature, base64url).
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, () => REDACTED],
  // Credentials in an Authorization header quoted in text.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, (_match, scheme) => `${scheme} ${REDACTED}`],
  // name=value pairs (forms, queries, cookies) and JSON "name":"value" pairs of secret names.
  [new RegExp(`\\b(${SECRET_NAMES})=[^&\\s;,"']*`, 'gi'), (_match, name) => `${name}=${REDACTED}`],
  [new RegExp(`"(${SECRET_NAMES})"\\s*:\\s*"[^"]*"`, 'gi'), (_match, name) => `"${name}":"${REDACTED}"`],
  // Our opaque secrets (refresh tokens, admin token, API keys, client secrets: 32 random bytes in base64url,
  // some with a prefix) are long unbroken base64url runs; ids (128 bits: 22 characters) stay readable.
  [/[A-Za-z0-9_-]{40,}/g, () => REDACTED],
];

/** What every replacement above needs (a short string without any of these cannot hold a secret shape). */
const SUSPECT = /[="]|eyJ|bearer|basic/i;

/** `text` with every secret-shaped part replaced. */
export function scrubText(text: string): string {
  // The common case (a route, an address, a method) costs one test, not five passes: the log is per request.
  if (text.length < 40 && !SUSPECT.test(text)) return text;
  let out = text;
  for (const [pattern, replace] of REPLACEMENTS) out = out.replace(pattern, replace as (match: string, ...groups: string[]) => string);
  return out;
}

/** Field names already judged (they repeat: every request event has the same five); bounded. */
const secretKeys = new Map<string, boolean>();

function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (secretKeys.size < 1_000) secretKeys.set(key, secret);
  }
  return secret;
}

/**
 * A deep copy of `value` with secret fields replaced and every string scrubbed (cycles and depth bounded: an
 * object met a second time, or deeper than 8, becomes `[…]`). The set of objects met is made only once the
 * first nested object appears: a request event (flat) costs no allocation beyond its copy.
 */
export function redactValue(value: unknown, depth = 0, seen?: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8 || seen?.has(value)) return '[…]';
  seen?.add(value);
  const within = (item: unknown): unknown => {
    if (typeof item !== 'object' || item === null) return redactValue(item, depth + 1, seen);
    seen ??= new WeakSet([value]);
    return redactValue(item, depth + 1, seen);
  };
  if (Array.isArray(value)) return value.map(within);
  if (value instanceof Error) return within(serializeError(value));
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    out[key] = item !== null && item !== undefined && typeof item !== 'boolean' && typeof item !== 'number' && isSecretKey(key) ? REDACTED : within(item);
  }
  return out;
}

/** An error as a log field: its type, stable code, message and stack (a WardenError's `detail` too). */
export function serializeError(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') fields.errorCode = code;
  if (error.stack) fields.stack = error.stack;
  const detail = (error as { detail?: unknown }).detail;
  if (detail !== undefined) fields.detail = detail;
  if (error.cause !== undefined) fields.cause = error.cause instanceof Error ? serializeError(error.cause) : error.cause;
  return fields;
}
