/**
 * The client dialog's form, apart from React: its fields as the admin types them (URIs one per line), the
 * createClient / updateClient input they make, and the server's validation message split per field.
 */
import type { AdminInput } from '../../../shared/admin-api';
import type { ClientInfo, ClientKind, GrantType, SigningAlg } from '../../../shared/dto';
import type { ApiError } from '../../api';

export interface ClientForm {
  clientId: string;
  name: string;
  kind: ClientKind;
  /** One URI per line. */
  redirectUris: string;
  postLogoutRedirectUris: string;
  /** Empty: none. */
  backchannelLogoutUri: string;
  grantTypes: GrantType[];
  idTokenSignedResponseAlg: SigningAlg;
  /** Whole seconds as typed; empty: the install setting. */
  accessTokenTtlSeconds: string;
  refreshIdleSeconds: string;
  refreshAbsoluteSeconds: string;
}

export const LIFETIME_FIELDS = ['accessTokenTtlSeconds', 'refreshIdleSeconds', 'refreshAbsoluteSeconds'] as const;
export type LifetimeField = (typeof LIFETIME_FIELDS)[number];
export const LIFETIME_LABELS: Record<LifetimeField, string> = {
  accessTokenTtlSeconds: 'Access token lifetime (seconds)',
  refreshIdleSeconds: 'Session idle lifetime (seconds)',
  refreshAbsoluteSeconds: 'Session absolute lifetime (seconds)',
};

export const GRANT_LABELS: Record<GrantType, string> = {
  authorization_code: 'Authorization code with PKCE — sign-in through the hosted page',
  refresh_token: 'Refresh token — stay signed in, with rotation',
  password: 'Password — the app collects the password itself (legacy; public clients only)',
};
export const GRANT_ORDER: readonly GrantType[] = ['authorization_code', 'refresh_token', 'password'];
export const ID_TOKEN_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

export const FORM_FIELDS = [
  'clientId', 'name', 'kind', 'redirectUris', 'postLogoutRedirectUris', 'backchannelLogoutUri', 'grantTypes', 'idTokenSignedResponseAlg', ...LIFETIME_FIELDS,
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** A new client's form: createClient's defaults (no password grant). */
export function emptyForm(): ClientForm {
  return {
    clientId: '',
    name: '',
    kind: 'public',
    redirectUris: '',
    postLogoutRedirectUris: '',
    backchannelLogoutUri: '',
    grantTypes: ['authorization_code', 'refresh_token'],
    idTokenSignedResponseAlg: 'RS256',
    accessTokenTtlSeconds: '',
    refreshIdleSeconds: '',
    refreshAbsoluteSeconds: '',
  };
}

export function formOf(client: ClientInfo): ClientForm {
  return {
    clientId: client.clientId,
    name: client.name,
    kind: client.kind,
    redirectUris: client.redirectUris.join('\n'),
    postLogoutRedirectUris: client.postLogoutRedirectUris.join('\n'),
    backchannelLogoutUri: client.backchannelLogoutUri ?? '',
    grantTypes: [...client.grantTypes],
    idTokenSignedResponseAlg: client.idTokenSignedResponseAlg,
    accessTokenTtlSeconds: client.accessTokenTtlSeconds?.toString() ?? '',
    refreshIdleSeconds: client.refreshIdleSeconds?.toString() ?? '',
    refreshAbsoluteSeconds: client.refreshAbsoluteSeconds?.toString() ?? '',
  };
}

/**
 * A lifetime as typed: empty is null (the install setting); anything else is sent as a number for the server to
 * judge (a non-number becomes NaN, which the contract refuses under the field's name).
 */
export function lifetimeValue(text: string): number | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : Number(trimmed);
}

/** Lifetimes that are not whole numbers of seconds, per field: judged here so the admin reads plain words. */
export function lifetimeProblems(form: ClientForm): Partial<Record<LifetimeField, string>> {
  const problems: Partial<Record<LifetimeField, string>> = {};
  for (const field of LIFETIME_FIELDS) {
    const value = lifetimeValue(form[field]);
    if (value !== null && !(Number.isInteger(value) && value > 0)) problems[field] = 'A whole number of seconds, or empty for the install setting';
  }
  return problems;
}

/** "900" → "15 min", to read a number of seconds at a glance; undefined when it is no whole positive number. */
export function describeSeconds(text: string): string | undefined {
  const value = lifetimeValue(text);
  if (value === null || !Number.isInteger(value) || value <= 0) return undefined;
  const units: [number, string][] = [[86400, 'd'], [3600, 'h'], [60, 'min']];
  const parts: string[] = [];
  let rest = value;
  for (const [size, unit] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest} s`);
  return parts.join(' ');
}

/** Lines as URIs: surrounding space and blank lines dropped, the rest sent as typed for the server to judge. */
export function uriLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** A grant switched on or off; the password grant goes when the kind becomes confidential. */
export function withGrant(grants: readonly GrantType[], grant: GrantType, on: boolean): GrantType[] {
  const next = on ? [...grants, grant] : grants.filter((item) => item !== grant);
  return GRANT_ORDER.filter((item) => next.includes(item));
}

function registration(form: ClientForm) {
  return {
    name: form.name.trim(),
    redirectUris: uriLines(form.redirectUris),
    postLogoutRedirectUris: uriLines(form.postLogoutRedirectUris),
    backchannelLogoutUri: form.backchannelLogoutUri.trim() === '' ? null : form.backchannelLogoutUri.trim(),
    grantTypes: form.grantTypes,
    idTokenSignedResponseAlg: form.idTokenSignedResponseAlg,
    accessTokenTtlSeconds: lifetimeValue(form.accessTokenTtlSeconds),
    refreshIdleSeconds: lifetimeValue(form.refreshIdleSeconds),
    refreshAbsoluteSeconds: lifetimeValue(form.refreshAbsoluteSeconds),
  };
}

export function createInput(form: ClientForm): AdminInput<'createClient'> {
  return { clientId: form.clientId.trim(), kind: form.kind, ...registration(form) };
}

/** The whole registration, as the form shows it: updateClient records only what differs from the stored one. */
export function updateInput(form: ClientForm): AdminInput<'updateClient'> {
  return { clientId: form.clientId, ...registration(form) };
}

export interface ClientFieldErrors {
  fields: Partial<Record<FormField, string>>;
  general: string | null;
}

/**
 * Splits "Invalid input for createClient: redirectUris.1: no fragment (#); name: …" per field. A message
 * about one URI of a list names that URI (from what was sent), so the admin sees which line is wrong.
 */
export function clientFieldErrors(error: ApiError | undefined, sent: { redirectUris?: string[]; postLogoutRedirectUris?: string[] } = {}): ClientFieldErrors {
  const result: ClientFieldErrors = { fields: {}, general: null };
  if (!error) return result;
  if (error.code === 'conflict') return { fields: { clientId: error.message }, general: null };
  if (error.code !== 'invalid_input') return { fields: {}, general: error.message };
  const body = error.message.replace(/^Invalid input for [^:]+:\s*/, '');
  const leftovers: string[] = [];
  for (const part of body.split(/;\s*/)) {
    const match = /^([A-Za-z]+)(?:\.(\d+))?:\s*(.+)$/.exec(part);
    const field = match ? FORM_FIELDS.find((name) => name === match[1]) : undefined;
    if (!match || field === undefined) {
      leftovers.push(part);
      continue;
    }
    const index = match[2] === undefined ? undefined : Number(match[2]);
    const list = field === 'redirectUris' || field === 'postLogoutRedirectUris' ? sent[field] : undefined;
    const subject = index === undefined ? undefined : (list?.[index] ?? `entry ${index + 1}`);
    const message = subject === undefined ? match[3]! : `${subject}: ${match[3]!}`;
    const before = result.fields[field];
    result.fields[field] = before === undefined ? message : `${before}; ${message}`;
  }
  if (leftovers.length > 0) result.general = Object.keys(result.fields).length > 0 ? leftovers.join('; ') : error.message;
  return result;
}
