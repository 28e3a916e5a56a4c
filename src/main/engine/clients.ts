/**
 * Client registration: creating a client and changing its registration (redirect and logout URIs, the
 * back-channel logout URI, the grants it may use, its ID-token algorithm, its own token lifetimes). Disabling,
 * deleting and secret rotation are in client-admin.ts. The rules are in
 * src/shared/client-registration.ts; the admin contract applies them to every input, and updateClient applies
 * them again to the registration its patch would produce, since the grant rules depend on the stored kind.
 */
import type { ClientInfo, ClientKind, GrantType, SigningAlg } from '../../shared/dto';
import {
  CLIENT_LIFETIME_FIELDS, DEFAULT_GRANT_TYPES, grantTypesProblem, lifetimeSchema, lifetimesProblem, MAX_CLIENT_NAME, uriProblem,
} from '../../shared/client-registration';
import { WardenError } from '../../shared/errors';
import type { ClientRow } from '../store/store';
import type { EngineContext } from './context';
import { requireClient } from './client-state';
import { randomSecret, sha256Hex } from './crypto';

interface Actor {
  actor: string;
}

/** What updateClient may change; a field left out stays as it is. */
export interface RegistrationPatch {
  name?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  /** null removes it. */
  backchannelLogoutUri?: string | null;
  grantTypes?: GrantType[];
  idTokenSignedResponseAlg?: SigningAlg;
  /** Per-client lifetimes in seconds; null: the install setting (see client-state.ts for how they apply). */
  accessTokenTtlSeconds?: number | null;
  refreshIdleSeconds?: number | null;
  refreshAbsoluteSeconds?: number | null;
}

export interface CreateClientInput extends RegistrationPatch {
  clientId: string;
  kind: ClientKind;
  name: string;
}

type Registration = Required<RegistrationPatch>;
const REGISTRATION_FIELDS = [
  'name', 'redirectUris', 'postLogoutRedirectUris', 'backchannelLogoutUri', 'grantTypes', 'idTokenSignedResponseAlg', ...CLIENT_LIFETIME_FIELDS,
] as const;

/** The row as the admin API shows it: no secret hashes, only when the previous secret stops being accepted. */
export function clientInfo(row: ClientRow): ClientInfo {
  const { secretHash: _secretHash, previousSecretHash: _previous, deletedAt: _deletedAt, ...info } = row;
  return { ...info, redirectUris: [...row.redirectUris], postLogoutRedirectUris: [...row.postLogoutRedirectUris], grantTypes: [...row.grantTypes] };
}

/** Deleted clients are tombstones: not listed. */
export async function listClients(ctx: EngineContext): Promise<ClientInfo[]> {
  return (await ctx.store.listClients()).filter((row) => row.deletedAt === null).map(clientInfo);
}

/**
 * The registration rules once more, on the whole registration: the transports have checked each field, but the
 * grant rules need the kind (which an update does not carry), and an engine caller may not come through one.
 * The message names the field the way the contract's errors do, so the console shows it under that field.
 */
function checkRegistration(method: string, kind: ClientKind, registration: Registration): void {
  const problems: string[] = [];
  const name = registration.name.trim();
  if (name.length === 0 || name.length > MAX_CLIENT_NAME) problems.push(`name: 1 to ${MAX_CLIENT_NAME} characters`);
  const uriLists = { redirectUris: registration.redirectUris, postLogoutRedirectUris: registration.postLogoutRedirectUris };
  for (const [field, uris] of Object.entries(uriLists)) {
    uris.forEach((uri, index) => {
      const problem = uriProblem(uri) ?? (uris.indexOf(uri) !== index ? 'listed twice' : undefined);
      if (problem) problems.push(`${field}.${index}: ${problem}`);
    });
  }
  const backchannel = registration.backchannelLogoutUri;
  const backchannelProblem = backchannel === null ? undefined : uriProblem(backchannel);
  if (backchannelProblem) problems.push(`backchannelLogoutUri: ${backchannelProblem}`);
  const grantProblem = grantTypesProblem(kind, registration.grantTypes);
  if (grantProblem) problems.push(`grantTypes: ${grantProblem}`);
  for (const field of CLIENT_LIFETIME_FIELDS) {
    const parsed = lifetimeSchema(field).safeParse(registration[field]);
    if (!parsed.success) problems.push(`${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const lifetimeProblem = lifetimesProblem(registration);
  if (lifetimeProblem) problems.push(`refreshIdleSeconds: ${lifetimeProblem}`);
  if (problems.length > 0) throw new WardenError('invalid_input', `Invalid input for ${method}: ${problems.slice(0, 5).join('; ')}`);
}

export async function createClient(ctx: EngineContext, input: CreateClientInput, { actor }: Actor): Promise<{ clientId: string; clientSecret?: string }> {
  const registration: Registration = {
    name: input.name,
    redirectUris: input.redirectUris ?? [],
    postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
    backchannelLogoutUri: input.backchannelLogoutUri ?? null,
    grantTypes: input.grantTypes ?? [...DEFAULT_GRANT_TYPES],
    // OpenID Connect Registration §2: RS256 unless the client asks for another.
    idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? 'RS256',
    accessTokenTtlSeconds: input.accessTokenTtlSeconds ?? null,
    refreshIdleSeconds: input.refreshIdleSeconds ?? null,
    refreshAbsoluteSeconds: input.refreshAbsoluteSeconds ?? null,
  };
  checkRegistration('createClient', input.kind, registration);
  return ctx.run(async (tx) => {
    const existing = await ctx.store.getClient(input.clientId);
    // A deleted client's id stays taken, so its old sessions, tokens and audit entries never name a new app.
    if (existing?.deletedAt != null) throw new WardenError('conflict', `The client id "${input.clientId}" belonged to a deleted client; client ids are never reused.`);
    if (existing) throw new WardenError('conflict', `The client id "${input.clientId}" is taken.`);
    // Client secrets are 256 random bits, so a fast hash is enough (no dictionary to guess from) and keeps
    // per-request client authentication cheap.
    const clientSecret = input.kind === 'confidential' ? randomSecret() : undefined;
    await ctx.store.insertClient({
      clientId: input.clientId,
      kind: input.kind,
      secretHash: clientSecret ? sha256Hex(clientSecret) : null,
      createdAt: tx.now,
      updatedAt: null,
      ...registration,
    });
    await tx.emit({ type: 'client.created', actor, data: { clientId: input.clientId, kind: input.kind, ...registration } });
    return clientSecret ? { clientId: input.clientId, clientSecret } : { clientId: input.clientId };
  });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Changes a client's registration. Audited as `client.updated` with each changed field's old and new value; a
 * patch that changes nothing is not an action (no entry). Takes effect for the next request: the store's client
 * cache drops the row with the write, so nothing serves the old registration once this has committed, and a
 * rollback leaves the committed one in place. Sessions already open keep refreshing: removing the password
 * grant stops new password logins only.
 */
export async function updateClient(ctx: EngineContext, input: { clientId: string } & RegistrationPatch, { actor }: Actor): Promise<ClientInfo> {
  return ctx.run(async (tx) => {
    const current = await requireClient(ctx, input.clientId);
    const next: Registration = { ...pickRegistration(current) };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of REGISTRATION_FIELDS) {
      const value = input[field];
      if (value === undefined || same(value, current[field])) continue;
      changes[field] = { from: current[field], to: value };
      (next as Record<string, unknown>)[field] = value;
    }
    checkRegistration('updateClient', current.kind, next);
    if (Object.keys(changes).length === 0) return clientInfo(current);
    await ctx.store.updateClient(current.clientId, { ...next, updatedAt: tx.now });
    await tx.emit({ type: 'client.updated', actor, data: { clientId: current.clientId, changes } });
    return clientInfo({ ...current, ...next, updatedAt: tx.now });
  });
}

function pickRegistration(row: ClientRow): Registration {
  return {
    name: row.name,
    redirectUris: row.redirectUris,
    postLogoutRedirectUris: row.postLogoutRedirectUris,
    backchannelLogoutUri: row.backchannelLogoutUri,
    grantTypes: row.grantTypes,
    idTokenSignedResponseAlg: row.idTokenSignedResponseAlg,
    accessTokenTtlSeconds: row.accessTokenTtlSeconds,
    refreshIdleSeconds: row.refreshIdleSeconds,
    refreshAbsoluteSeconds: row.refreshAbsoluteSeconds,
  };
}
