/**
 * A client's state as every grant sees it: deleted (a tombstone, read as unknown), disabled (refused), its secret
 * with the overlap after a rotation, and its own token lifetimes. One place, so the token, authorization,
 * introspection and feed paths cannot disagree about whether a client may act.
 */
import { timingSafeEqual } from 'node:crypto';
import { WardenError } from '../../shared/errors';
import type { ClientRow } from '../store/store';
import type { EngineContext } from './context';
import { sha256Hex } from './crypto';

/** The client unless it is deleted: a deleted client's id names nobody. */
export async function liveClient(ctx: EngineContext, clientId: unknown): Promise<ClientRow | undefined> {
  if (typeof clientId !== 'string' || clientId.length > 200) return undefined;
  const row = await ctx.store.getClient(clientId);
  return row && row.deletedAt === null ? row : undefined;
}

export const clientDisabled = (): WardenError => new WardenError('invalid_client', 'This client is disabled.');

/** Why the client may not take part in a grant right now; undefined when it may. */
export function clientRefusal(row: ClientRow | undefined): WardenError | undefined {
  if (!row || row.deletedAt !== null) return new WardenError('invalid_client', 'Unknown client.');
  if (row.disabledAt !== null) return clientDisabled();
  return undefined;
}

/** The row when it may take part in a grant; throws its refusal otherwise. */
export function usableClient(row: ClientRow | undefined): ClientRow {
  const refusal = clientRefusal(row);
  if (refusal || !row) throw refusal ?? new WardenError('invalid_client', 'Unknown client.');
  return row;
}

/** The admin view of a client that must exist (not deleted): not_found otherwise. */
export async function requireClient(ctx: EngineContext, clientId: string): Promise<ClientRow> {
  const row = await liveClient(ctx, clientId);
  if (!row) throw new WardenError('not_found', `No client with id ${clientId}.`);
  return row;
}

const NO_SECRET = sha256Hex('no client');

/**
 * A confidential client's secret check: the current secret, or the previous one until its overlap ends
 * (rotateClientSecret). Both hashes are always compared, in constant time, whichever matches, so the answer's
 * timing says nothing about which secret (or whether any) was close. Any failure reads the same.
 */
export async function authenticateClientSecret(ctx: EngineContext, clientId: unknown, secret: unknown): Promise<ClientRow> {
  const client = await liveClient(ctx, clientId);
  const presented = Buffer.from(sha256Hex(typeof secret === 'string' ? secret : ''), 'hex');
  const matches = (hash: string | null) => timingSafeEqual(Buffer.from(hash ?? NO_SECRET, 'hex'), presented);
  const current = matches(client?.secretHash ?? null);
  const previous = matches(client?.previousSecretHash ?? null);
  const previousLive = client?.previousSecretExpiresAt != null && ctx.now() < client.previousSecretExpiresAt;
  if (!client || client.kind !== 'confidential' || !client.secretHash || !(current || (previous && previousLive && client.previousSecretHash))) {
    throw new WardenError('invalid_client', 'Client authentication failed.');
  }
  // Only once the secret matched: an unauthenticated caller learns nothing about the client's state.
  if (client.disabledAt !== null) throw clientDisabled();
  return client;
}

/**
 * The access-token lifetime of a client's tokens. A client may only shorten it: the install's value bounds how
 * long a retiring key keeps verifying and the worst-case expiry a blast radius reports, so a longer one would
 * outlive both.
 */
export async function accessTokenTtlOf(ctx: EngineContext, clientId: string): Promise<number> {
  const own = (await ctx.store.getClient(clientId))?.accessTokenTtlSeconds ?? null;
  return own === null ? ctx.settings.accessTokenTtlSeconds : Math.min(own, ctx.settings.accessTokenTtlSeconds);
}

/**
 * A session's idle and absolute lifetimes (ms) given the install's for its kind: the client's own values
 * replace them for every session of the client, remember-me or not (an override says how long this app's
 * sessions live). The idle one never exceeds the absolute one.
 */
export async function clientSessionLifetimes(ctx: EngineContext, clientId: string, install: { idleMs: number; absoluteMs: number }): Promise<{ idleMs: number; absoluteMs: number }> {
  const client = await ctx.store.getClient(clientId);
  const absoluteMs = client?.refreshAbsoluteSeconds != null ? client.refreshAbsoluteSeconds * 1000 : install.absoluteMs;
  const idleMs = client?.refreshIdleSeconds != null ? client.refreshIdleSeconds * 1000 : install.idleMs;
  return { idleMs: Math.min(idleMs, absoluteMs), absoluteMs };
}
