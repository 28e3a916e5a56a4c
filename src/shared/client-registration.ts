/**
 * What a client's registration may hold: the one place its rules live. The admin contract's schemas apply them
 * (so every transport refuses bad input before the engine sees it), and the engine applies them again to the
 * registration an `updateClient` patch would produce, since a grant rule depends on the stored kind.
 *
 * URIs are compared by exact string at the authorization and logout endpoints (RFC 9700 §2.1, §4.1.3), so what
 * is registered must be unambiguous: absolute, https (http only on a loopback host, RFC 8252 §7.3), no fragment
 * (RFC 6749 §3.1.2), no wildcard, no user info, no backslash (WHATWG URL parsing reads one as `/` and opens
 * look-alike hosts), visible ASCII only (URL parsers silently drop tabs, newlines and surrounding spaces).
 */
import { z } from 'zod';
import { grantTypeSchema, type ClientKind, type GrantType } from './dto';

/** The hosts plain http is accepted for: the loopback interface, as native and test apps use it. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '[::1]', 'localhost'];
export const MAX_URI_LENGTH = 2000;
/** Per list (redirect URIs, post-logout redirect URIs). */
export const MAX_URIS = 20;
export const MAX_CLIENT_NAME = 100;
/**
 * A new client's grants: the authorization code flow with refresh. The password grant (RFC 9700 §2.4: MUST NOT
 * be used) is opt-in, for first-party public clients; clients registered before schema 5 kept it.
 */
export const DEFAULT_GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token'];

/**
 * Per-client token lifetimes, in seconds (null: the install setting). An access token may only be made shorter
 * than the install's (the engine takes the smaller), so its bound is a day; sessions may be longer or shorter.
 */
export const CLIENT_LIFETIME_BOUNDS = {
  accessTokenTtlSeconds: { min: 10, max: 24 * 3600 },
  refreshIdleSeconds: { min: 60, max: 400 * 24 * 3600 },
  refreshAbsoluteSeconds: { min: 60, max: 400 * 24 * 3600 },
} as const;
export type ClientLifetimeField = keyof typeof CLIENT_LIFETIME_BOUNDS;
export const CLIENT_LIFETIME_FIELDS = Object.keys(CLIENT_LIFETIME_BOUNDS) as ClientLifetimeField[];

/** One lifetime: a whole number of seconds within its bounds, or null for the install setting. */
export function lifetimeSchema(field: ClientLifetimeField) {
  const { min, max } = CLIENT_LIFETIME_BOUNDS[field];
  return z.number().int('whole seconds').min(min, `at least ${min} seconds`).max(max, `at most ${max} seconds`).nullable();
}

/** The rule between the lifetimes: a session cannot stay idle longer than it may live at all. */
export function lifetimesProblem(lifetimes: { refreshIdleSeconds?: number | null; refreshAbsoluteSeconds?: number | null }): string | undefined {
  const { refreshIdleSeconds: idle, refreshAbsoluteSeconds: absolute } = lifetimes;
  if (idle != null && absolute != null && idle > absolute) return 'the idle lifetime cannot be longer than the absolute one';
  return undefined;
}

/** Why `value` cannot be registered as a URI, in words for the admin; undefined when it can. */
export function uriProblem(value: string): string | undefined {
  if (value.length > MAX_URI_LENGTH) return `at most ${MAX_URI_LENGTH} characters`;
  if (!/^[\x21-\x7E]+$/.test(value)) return 'visible ASCII only: no spaces or control characters (an international host in its xn-- form)';
  if (value.includes('#')) return 'no fragment (#)';
  if (value.includes('*')) return 'no wildcards: register each URI exactly';
  if (value.includes('\\')) return 'no backslashes';
  // The scheme and `//` spelled out: WHATWG URL would read `https:host` or `https:///host` as `https://host/`.
  if (!/^https?:\/\/[^/?]/i.test(value)) return 'must be an absolute https:// URI';
  if (/^https?:\/\/[^/?]*@/i.test(value)) return 'no user name or password before the host';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https:// URI';
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.includes(url.hostname)) {
    return 'must use https (plain http only for 127.0.0.1, [::1] and localhost)';
  }
  return undefined;
}

/** One registered URI. */
export const registeredUriSchema = z.string().superRefine((value, ctx) => {
  const problem = uriProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** A list of registered URIs: bounded, each valid, none twice. */
export const registeredUriListSchema = z
  .array(registeredUriSchema)
  .max(MAX_URIS, `at most ${MAX_URIS} URIs`)
  .superRefine((uris, ctx) => {
    uris.forEach((uri, index) => {
      if (uris.indexOf(uri) !== index) ctx.addIssue({ code: 'custom', path: [index], message: 'listed twice' });
    });
  });

/** Empty: a client that takes part in no grant (a resource server that only introspects or reads the feed). */
export const grantTypesSchema = z
  .array(grantTypeSchema)
  .superRefine((grants, ctx) => {
    grants.forEach((grant, index) => {
      if (grants.indexOf(grant) !== index) ctx.addIssue({ code: 'custom', path: [index], message: 'listed twice' });
    });
  });

/**
 * The rules between fields, which need the client's kind: undefined when the grants fit. A refresh token is
 * only ever issued by another grant; the password grant is for first-party public apps only.
 */
export function grantTypesProblem(kind: ClientKind, grantTypes: readonly GrantType[]): string | undefined {
  if (grantTypes.includes('password') && kind !== 'public') return 'the password grant is only for public clients';
  if (grantTypes.includes('refresh_token') && !grantTypes.includes('authorization_code') && !grantTypes.includes('password')) {
    return 'refresh_token needs a grant that issues refresh tokens (authorization_code or password)';
  }
  return undefined;
}
