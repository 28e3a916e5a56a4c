/**
 * Reading an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1) from the query of
 * GET /oauth/authorize or the hosted form's POST. The order matters (RFC 6749 §4.1.2.1, RFC 9700 §4.1.1):
 * until the client and an exactly registered redirect URI are known, nothing may be redirected anywhere, so
 * those failures are an error PAGE; every later failure goes back to that redirect URI as `error`.
 */
import type { ClientRow } from '../store/store';
import type { TokenEngine } from '../engine/types';
import { checkScope } from '../engine/login';
import { isWardenError } from '../../shared/errors';

/** The RFC 6749 §4.1.2.1 / OIDC Core §3.1.2.6 error codes the endpoint redirects with. */
export type AuthorizeErrorCode = 'invalid_request' | 'unauthorized_client' | 'unsupported_response_type' | 'invalid_scope' | 'login_required' | 'server_error' | 'temporarily_unavailable';

export interface AuthorizationRequest {
  client: ClientRow;
  redirectUri: string;
  state: string | null;
  nonce: string | null;
  scope: string;
  codeChallenge: string;
  prompt: 'none' | 'login' | null;
  /** Seconds (OIDC `max_age`); null: any age. */
  maxAge: number | null;
  loginHint: string | null;
}

export type Parsed =
  | { kind: 'ok'; request: AuthorizationRequest }
  /** Shown on the page, never redirected: the client or the redirect URI cannot be trusted. */
  | { kind: 'page'; status: number; message: string }
  | { kind: 'redirect'; redirectUri: string; state: string | null; error: AuthorizeErrorCode; description: string };

/** A request's parameters: every value of each name, so repeats are seen (RFC 6749 §3.1 forbids them). */
export type RawParams = (name: string) => string[];

const MAX_VALUE = 2048;
/** The longest nonce a code keeps (src/main/engine/authorization-codes.ts binds it). */
const MAX_NONCE = 255;
/** The S256 challenge is the base64url SHA-256 of the verifier: exactly 43 characters (RFC 7636 §4.2). */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_AGE = /^(0|[1-9][0-9]{0,9})$/;
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

/** A parameter sent without a value counts as omitted (RFC 6749 §3.1). */
function single(raw: RawParams, name: string): { value: string | null } | { repeated: true } | { tooLong: true } {
  const values = raw(name).filter((value) => value !== '');
  if (raw(name).length > 1) return { repeated: true };
  const value = values[0] ?? null;
  if (value !== null && value.length > MAX_VALUE) return { tooLong: true };
  return { value };
}

export async function parseAuthorizationRequest(engine: TokenEngine, raw: RawParams): Promise<Parsed> {
  const clientParam = single(raw, 'client_id');
  if (!('value' in clientParam) || clientParam.value === null) {
    return { kind: 'page', status: 400, message: 'The sign-in request names no app (client_id is missing or repeated).' };
  }
  const client = clientParam.value.length <= 64 ? await engine.getClient(clientParam.value) : undefined;
  if (!client) return { kind: 'page', status: 400, message: 'The app that sent you here is not registered with this sign-in service.' };
  // A page, not a redirect: a disabled client's app gets nothing from us, not even an error at its redirect URI.
  if (client.disabledAt !== null) return { kind: 'page', status: 400, message: `${client.name} is disabled on this sign-in service; ask its administrator.` };

  const redirectParam = single(raw, 'redirect_uri');
  if (!('value' in redirectParam) || redirectParam.value === null) {
    return { kind: 'page', status: 400, message: `${client.name} sent no return address (redirect_uri is missing or repeated), so there is nowhere safe to send you back.` };
  }
  // Exact string comparison (RFC 9700 §4.1.3): no prefix, pattern, case or port leniency.
  const redirectUri = redirectParam.value;
  if (!client.redirectUris.includes(redirectUri)) {
    return { kind: 'page', status: 400, message: `The return address is not one registered for ${client.name}, so you will not be sent there.` };
  }

  const stateParam = single(raw, 'state');
  const state = 'value' in stateParam ? stateParam.value : null;
  const fail = (error: AuthorizeErrorCode, description: string): Parsed => ({ kind: 'redirect', redirectUri, state, error, description });
  if (!('value' in stateParam)) return fail('invalid_request', 'The state parameter is repeated or too long.');

  const names = ['response_type', 'code_challenge', 'code_challenge_method', 'scope', 'nonce', 'prompt', 'max_age', 'login_hint'] as const;
  const values = {} as Record<(typeof names)[number], string | null>;
  for (const name of names) {
    const param = single(raw, name);
    if (!('value' in param)) return fail('invalid_request', `The ${name} parameter is ${'repeated' in param ? 'repeated' : 'too long'}.`);
    values[name] = param.value;
  }
  if (values.nonce !== null && values.nonce.length > MAX_NONCE) return fail('invalid_request', `The nonce is longer than ${MAX_NONCE} characters.`);
  if (values.response_type === null) return fail('invalid_request', 'The response_type parameter is required.');
  if (values.response_type !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
  if (!client.grantTypes.includes('authorization_code')) return fail('unauthorized_client', 'This client may not use the authorization code flow.');
  // PKCE with S256 for every client (RFC 9700 §2.1.1); `plain` would put the verifier in the front channel.
  if (values.code_challenge_method !== 'S256') return fail('invalid_request', 'PKCE is required: code_challenge_method must be S256.');
  if (values.code_challenge === null || !S256_CHALLENGE.test(values.code_challenge)) {
    return fail('invalid_request', 'PKCE is required: code_challenge must be a base64url SHA-256 (43 characters).');
  }
  let scope: string;
  try {
    scope = checkScope(values.scope ?? undefined);
  } catch (error) {
    if (isWardenError(error)) return fail('invalid_scope', error.message);
    throw error;
  }
  // OIDC Core §3.1.2.1: a space-separated list; `none` stands alone.
  const prompts = values.prompt === null ? [] : values.prompt.split(' ');
  if (prompts.some((value) => !PROMPTS.has(value)) || (prompts.includes('none') && prompts.length > 1)) {
    return fail('invalid_request', 'prompt must be none, or any of login, consent and select_account.');
  }
  if (values.max_age !== null && !MAX_AGE.test(values.max_age)) return fail('invalid_request', 'max_age must be a whole number of seconds.');
  return {
    kind: 'ok',
    request: {
      client,
      redirectUri,
      state,
      nonce: values.nonce ?? null,
      scope,
      codeChallenge: values.code_challenge,
      // First-party apps have no consent screen, so `consent` asks for nothing more; choosing another account
      // (`select_account`) is signing in again on the form.
      prompt: prompts.includes('none') ? 'none' : prompts.includes('login') || prompts.includes('select_account') ? 'login' : null,
      maxAge: values.max_age === null ? null : Number(values.max_age),
      loginHint: values.login_hint ?? null,
    },
  };
}

/**
 * The redirect back to the app: its registered URI (whose own query is kept) plus the response parameters
 * and `iss` (RFC 9207), so a client talking to several servers can tell which one answered (mix-up).
 */
export function redirectTo(redirectUri: string, issuer: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.append(name, value);
  url.searchParams.append('iss', issuer);
  return url.toString();
}
