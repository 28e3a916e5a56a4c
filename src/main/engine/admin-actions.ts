/**
 * Admin actions that change state. Each is audited with its actor and reason and returns a receipt of
 * what it killed. See the README's "What dies when" table for the rules in one place.
 */
import type { Receipt, Settings, SigningAlg, KeyInfo } from '../../shared/dto';
import { settingsSchema } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { ClientKind } from '../../shared/dto';
import type { UserRow } from '../store/store';
import type { EngineContext } from './context';
import { randomId, randomSecret, sha256Hex } from './crypto';
import { hashPassword } from './passwords';
import { forceLogoutUser, nothingKilled, revokeSession, type Killed } from './revoke';
import { checkConsistency, saveSettings } from './settings';

export interface Actor {
  actor: string;
}

function receipt(action: string, at: number, actor: string, reason: string | null, killed: Killed): Receipt {
  return {
    action,
    at,
    actor,
    reason,
    sessionsRevoked: killed.sessionIds,
    accessTokensRevoked: killed.accessTokens,
    refreshTokensRevoked: killed.refreshTokens,
    feedEventId: killed.feedEventId,
  };
}

export function requireUser(ctx: EngineContext, userId: string): UserRow {
  const user = ctx.store.getUser(userId);
  if (!user) throw new WardenError('not_found', `No user with id ${userId}.`);
  return user;
}

export async function createUser(ctx: EngineContext, input: { username: string; password: string }, { actor }: Actor): Promise<{ id: string }> {
  if (ctx.store.getUserByUsername(input.username)) throw new WardenError('conflict', `The username "${input.username}" is taken.`);
  const passwordHash = await hashPassword(input.password);
  return ctx.run((tx) => {
    // Checked again inside the transaction: another request may have taken the name while scrypt ran.
    if (ctx.store.getUserByUsername(input.username)) throw new WardenError('conflict', `The username "${input.username}" is taken.`);
    const id = randomId('usr');
    ctx.store.insertUser({
      id,
      username: input.username,
      passwordHash,
      status: 'active',
      createdAt: tx.now,
      refreshVersion: 1,
      notBefore: null,
      blockedAt: null,
      blockedReason: null,
      failedLogins: 0,
      lockedUntil: null,
      lastLoginAt: null,
    });
    tx.emit({ type: 'user.created', actor, userId: id, data: { username: input.username } });
    return { id };
  });
}

export function createClient(ctx: EngineContext, input: { clientId: string; kind: ClientKind; name: string }, { actor }: Actor): { clientId: string; clientSecret?: string } {
  return ctx.run((tx) => {
    if (ctx.store.getClient(input.clientId)) throw new WardenError('conflict', `The client id "${input.clientId}" is taken.`);
    // Client secrets are 256 random bits, so a fast hash is enough (no dictionary to guess from) and keeps
    // per-request client authentication cheap.
    const clientSecret = input.kind === 'confidential' ? randomSecret() : undefined;
    ctx.store.insertClient({ clientId: input.clientId, kind: input.kind, name: input.name, secretHash: clientSecret ? sha256Hex(clientSecret) : null, createdAt: tx.now });
    tx.emit({ type: 'client.created', actor, data: { clientId: input.clientId, kind: input.kind, name: input.name } });
    return clientSecret ? { clientId: input.clientId, clientSecret } : { clientId: input.clientId };
  });
}

export function revokeSessionAction(ctx: EngineContext, input: { sessionId: string; reason?: string }, { actor }: Actor): Receipt {
  return ctx.run((tx) => {
    const session = ctx.store.getSession(input.sessionId);
    if (!session) throw new WardenError('not_found', `No session with id ${input.sessionId}.`);
    const killed = revokeSession(ctx, tx, session, actor, input.reason ?? null, 'admin', true);
    return receipt('revokeSession', tx.now, actor, input.reason ?? null, killed);
  });
}

export function forceLogout(ctx: EngineContext, input: { userId: string; reason?: string }, { actor }: Actor): Receipt {
  return ctx.run((tx) => {
    const user = requireUser(ctx, input.userId);
    const killed = forceLogoutUser(ctx, tx, user, actor, input.reason ?? null, 'force_logout');
    return receipt('forceLogout', tx.now, actor, input.reason ?? null, killed);
  });
}

export function bumpRefreshVersion(ctx: EngineContext, input: { userId: string; reason?: string }, { actor }: Actor): Receipt {
  return ctx.run((tx) => {
    const user = requireUser(ctx, input.userId);
    const refreshVersion = user.refreshVersion + 1;
    ctx.store.updateUser(user.id, { refreshVersion });
    const killed = nothingKilled();
    killed.refreshTokens = ctx.store.revokeRefreshTokensOfUser(user.id, tx.now);
    tx.emit({ type: 'user.refresh_version_bumped', actor, userId: user.id, reason: input.reason ?? null, data: { refreshVersion, refreshTokensRevoked: killed.refreshTokens } });
    return receipt('bumpRefreshVersion', tx.now, actor, input.reason ?? null, killed);
  });
}

export function blockUser(ctx: EngineContext, input: { userId: string; reason?: string }, { actor }: Actor): Receipt {
  return ctx.run((tx) => {
    const user = requireUser(ctx, input.userId);
    const reason = input.reason ?? null;
    const killed = forceLogoutUser(ctx, tx, user, actor, reason, 'block');
    ctx.store.updateUser(user.id, { status: 'blocked', blockedAt: tx.now, blockedReason: reason });
    tx.emit({ type: 'user.blocked', actor, userId: user.id, reason, data: { feedEventId: killed.feedEventId } });
    return receipt('blockUser', tx.now, actor, reason, killed);
  });
}

export function unblockUser(ctx: EngineContext, input: { userId: string; reason?: string }, { actor }: Actor): Receipt {
  return ctx.run((tx) => {
    const user = requireUser(ctx, input.userId);
    if (user.status === 'blocked') {
      ctx.store.updateUser(user.id, { status: 'active', blockedAt: null, blockedReason: null, failedLogins: 0, lockedUntil: null });
      tx.emit({ type: 'user.unblocked', actor, userId: user.id, reason: input.reason ?? null });
    }
    return receipt('unblockUser', tx.now, actor, input.reason ?? null, nothingKilled());
  });
}

export function revokeAccessToken(ctx: EngineContext, input: { jti: string; reason?: string }, { actor }: Actor): Receipt {
  return ctx.run((tx) => {
    const token = ctx.store.getAccessToken(input.jti);
    if (!token) throw new WardenError('not_found', `No access token with jti ${input.jti}.`);
    const killed = nothingKilled();
    if (!ctx.store.isJtiRevoked(token.jti) && token.expiresAt > tx.now) {
      killed.accessTokens = 1;
      killed.feedEventId = tx.revoke({ kind: 'jti', subject: token.jti, userId: token.userId, notBefore: null, expiresAt: token.expiresAt, actor, reason: input.reason ?? null });
      tx.emit({ type: 'access_token.revoked', actor, userId: token.userId, sessionId: token.sessionId, reason: input.reason ?? null, data: { jti: token.jti, exp: token.expiresAt, feedEventId: killed.feedEventId } });
    }
    return receipt('revokeAccessToken', tx.now, actor, input.reason ?? null, killed);
  });
}

export function updateSettings(ctx: EngineContext, patch: Partial<Settings>, { actor }: Actor): Settings {
  const next = checkConsistency(settingsSchema.parse({ ...ctx.settings, ...patch }));
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(next) as (keyof Settings)[]) {
    if (next[key] !== ctx.settings[key]) changes[key] = { from: ctx.settings[key], to: next[key] };
  }
  if (Object.keys(changes).length === 0) return ctx.settings;
  ctx.run((tx) => {
    saveSettings(ctx.store, next);
    tx.emit({ type: 'settings.changed', actor, data: { changes } });
  });
  ctx.settings = next;
  return next;
}

/** Grace period for a key taken out of signing: every token it signed has expired by then. */
export function retirementDelayMs(ctx: EngineContext): number {
  return (ctx.settings.accessTokenTtlSeconds + ctx.settings.clockSkewSeconds) * 1000;
}

export async function rotateSigningKey(ctx: EngineContext, input: { alg?: SigningAlg; reason?: string }, { actor }: Actor, describe: (kid: string) => KeyInfo): Promise<KeyInfo> {
  const alg = input.alg ?? ctx.settings.signingAlg;
  const fresh = await ctx.keys.generate(alg, ctx.now());
  // An active row whose private half is gone from the vault (e.g. a memory vault after a restart) is
  // retired the same way: the tokens it signed keep verifying until they expire.
  const previous = ctx.keys.activeKid() ?? ctx.store.listKeys().find((key) => key.status === 'active')?.kid;
  ctx.run((tx) => {
    if (previous) {
      ctx.store.updateKey(previous, { status: 'retiring', retiringSince: tx.now, retiresAt: tx.now + retirementDelayMs(ctx) });
    }
    const row = { ...fresh.row, createdAt: tx.now };
    ctx.store.insertKey(row);
    ctx.keys.activate({ ...fresh, row });
    if (previous) ctx.keys.refresh(previous);
    tx.emit({ type: previous ? 'key.rotated' : 'key.created', actor, reason: input.reason ?? null, data: { kid: row.kid, alg, previousKid: previous ?? null } });
  });
  // The retiring key never signs again: its private half is no longer needed anywhere.
  if (previous) await ctx.deletePrivateKey(previous);
  return describe(fresh.row.kid);
}

export async function revokeSigningKey(ctx: EngineContext, input: { kid: string; reason?: string }, who: Actor, describe: (kid: string) => KeyInfo): Promise<Receipt> {
  const key = ctx.store.getKey(input.kid);
  if (!key) throw new WardenError('key_not_found', `No signing key with kid ${input.kid}.`);
  if (key.status === 'revoked') return receipt('revokeSigningKey', ctx.now(), who.actor, input.reason ?? null, nothingKilled());
  // Revoking the active key: a new one takes over first, so the service keeps issuing tokens.
  if (key.status === 'active') await rotateSigningKey(ctx, { alg: key.alg, reason: `replacing revoked key ${key.kid}` }, who, describe);
  const result = ctx.run((tx) => {
    const killed = nothingKilled();
    killed.accessTokens = ctx.store.countLiveAccessTokensByKid(key.kid, tx.now);
    ctx.store.updateKey(key.kid, { status: 'revoked', revokedAt: tx.now });
    ctx.keys.refresh(key.kid);
    killed.feedEventId = tx.revoke({ kind: 'key', subject: key.kid, userId: null, notBefore: null, expiresAt: null, actor: who.actor, reason: input.reason ?? null });
    tx.emit({ type: 'key.revoked', actor: who.actor, reason: input.reason ?? null, data: { kid: key.kid, accessTokensKilled: killed.accessTokens, feedEventId: killed.feedEventId } });
    return receipt('revokeSigningKey', tx.now, who.actor, input.reason ?? null, killed);
  });
  await ctx.deletePrivateKey(key.kid);
  return result;
}
