/**
 * Admin actions that change state. Each is audited with its actor and reason and returns a receipt of
 * what it killed. See the README's "What dies when" table for the rules in one place.
 */
import type { Receipt, Settings } from '../../shared/dto';
import { settingsSchema } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { UserRow } from '../store/store';
import type { EngineContext } from './context';
import { randomId } from './crypto';
import { changeAccessTokenAlg } from './key-lifecycle';
import { hashPassword } from './passwords';
import { forceLogoutUser, nothingKilled, prefetchLiveTokens, revokeSession, type Killed } from './revoke';
import { checkConsistency, lockSettings, saveSettings } from './settings';

export interface Actor {
  actor: string;
}

export function receipt(action: string, at: number, actor: string, reason: string | null, killed: Killed): Receipt {
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

export async function requireUser(ctx: EngineContext, userId: string): Promise<UserRow> {
  const user = await ctx.store.getUser(userId);
  if (!user) throw new WardenError('not_found', `No user with id ${userId}.`);
  return user;
}

export async function createUser(ctx: EngineContext, input: { username: string; password: string }, { actor }: Actor): Promise<{ id: string }> {
  if (await ctx.store.getUserByUsername(input.username)) throw new WardenError('conflict', `The username "${input.username}" is taken.`);
  const passwordHash = await hashPassword(input.password);
  return ctx.run(async (tx) => {
    // Checked again inside the transaction: another request may have taken the name while scrypt ran.
    if (await ctx.store.getUserByUsername(input.username)) throw new WardenError('conflict', `The username "${input.username}" is taken.`);
    const id = randomId('usr');
    await ctx.store.insertUser({
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
    await tx.emit({ type: 'user.created', actor, userId: id, data: { username: input.username } });
    return { id };
  });
}

export async function revokeSessionAction(ctx: EngineContext, input: { sessionId: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  return ctx.run(async (tx) => {
    const session = await ctx.store.getSession(input.sessionId);
    if (!session) throw new WardenError('not_found', `No session with id ${input.sessionId}.`);
    const killed = await revokeSession(ctx, tx, session, actor, input.reason ?? null, 'admin', true);
    return receipt('revokeSession', tx.now, actor, input.reason ?? null, killed);
  });
}

export async function forceLogout(ctx: EngineContext, input: { userId: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  const live = prefetchLiveTokens(ctx, input.userId);
  return ctx.run(async (tx) => {
    const user = await requireUser(ctx, input.userId);
    const killed = await forceLogoutUser(ctx, tx, user, actor, input.reason ?? null, 'force_logout', live);
    return receipt('forceLogout', tx.now, actor, input.reason ?? null, killed);
  });
}

export async function bumpRefreshVersion(ctx: EngineContext, input: { userId: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  return ctx.run(async (tx) => {
    const user = await requireUser(ctx, input.userId);
    const refreshVersion = user.refreshVersion + 1;
    await ctx.store.updateUser(user.id, { refreshVersion });
    const killed = nothingKilled();
    killed.refreshTokens = await ctx.store.revokeRefreshTokensOfUser(user.id, tx.now);
    // Its sessions stay open (access tokens live to exp) but can never be extended: they read "can't refresh".
    await ctx.store.endRefreshOfUserSessions(user.id, tx.now);
    await tx.emit({ type: 'user.refresh_version_bumped', actor, userId: user.id, reason: input.reason ?? null, data: { refreshVersion, refreshTokensRevoked: killed.refreshTokens } });
    return receipt('bumpRefreshVersion', tx.now, actor, input.reason ?? null, killed);
  });
}

export async function blockUser(ctx: EngineContext, input: { userId: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  const live = prefetchLiveTokens(ctx, input.userId);
  return ctx.run(async (tx) => {
    const user = await requireUser(ctx, input.userId);
    const reason = input.reason ?? null;
    const killed = await forceLogoutUser(ctx, tx, user, actor, reason, 'block', live);
    await ctx.store.updateUser(user.id, { status: 'blocked', blockedAt: tx.now, blockedReason: reason });
    await tx.emit({ type: 'user.blocked', actor, userId: user.id, reason, data: { feedEventId: killed.feedEventId } });
    return receipt('blockUser', tx.now, actor, reason, killed);
  });
}

export async function unblockUser(ctx: EngineContext, input: { userId: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  return ctx.run(async (tx) => {
    const user = await requireUser(ctx, input.userId);
    if (user.status === 'blocked') {
      await ctx.store.updateUser(user.id, { status: 'active', blockedAt: null, blockedReason: null, failedLogins: 0, lockedUntil: null });
      await tx.emit({ type: 'user.unblocked', actor, userId: user.id, reason: input.reason ?? null });
    }
    return receipt('unblockUser', tx.now, actor, input.reason ?? null, nothingKilled());
  });
}

export async function revokeAccessToken(ctx: EngineContext, input: { jti: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  return ctx.run(async (tx) => {
    const token = await ctx.store.getAccessToken(input.jti);
    if (!token) throw new WardenError('not_found', `No access token with jti ${input.jti}.`);
    const killed = nothingKilled();
    if (!await ctx.store.isJtiRevoked(token.jti) && token.expiresAt > tx.now) {
      killed.accessTokens = 1;
      killed.feedEventId = await tx.revoke({ kind: 'jti', subject: token.jti, userId: token.userId, notBefore: null, expiresAt: token.expiresAt, actor, reason: input.reason ?? null });
      await tx.emit({ type: 'access_token.revoked', actor, userId: token.userId, sessionId: token.sessionId, reason: input.reason ?? null, data: { jti: token.jti, exp: token.expiresAt, feedEventId: killed.feedEventId } });
    }
    return receipt('revokeAccessToken', tx.now, actor, input.reason ?? null, killed);
  });
}

/**
 * Synchronous, one transaction; except that a new `signingAlg` switches access tokens to that algorithm's
 * keys, which may have to be created first: the key lifecycle does that, with the other changes in its
 * transaction, and the answer is a promise.
 */
export async function updateSettings(ctx: EngineContext, patch: Partial<Settings>, { actor }: Actor): Promise<Settings> {
  const next = checkConsistency(settingsSchema.parse({ ...ctx.settings, ...patch }));
  if (next.signingAlg !== ctx.settings.signingAlg) return changeAccessTokenAlg(ctx, { ...patch, signingAlg: next.signingAlg }, { actor });
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(next) as (keyof Settings)[]) {
    if (next[key] !== ctx.settings[key]) changes[key] = { from: ctx.settings[key], to: next[key] };
  }
  if (Object.keys(changes).length === 0) return ctx.settings;
  return ctx.run(async (tx) => {
    // Applied to the saved set, read under the settings lock: another instance's change committed since this
    // one's memory was last refreshed is kept, and the audit says what really changed.
    const saved = await lockSettings(ctx.store);
    const merged = checkConsistency(settingsSchema.parse({ ...saved, ...patch }));
    if (merged.signingAlg !== saved.signingAlg) throw new WardenError('conflict', 'The settings changed meanwhile; try again.');
    const applied: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(merged) as (keyof Settings)[]) {
      if (merged[key] !== saved[key]) applied[key] = { from: saved[key], to: merged[key] };
    }
    tx.afterCommit(() => {
      ctx.settings = merged;
    });
    if (Object.keys(applied).length === 0) return merged;
    await saveSettings(ctx.store, merged);
    await tx.emit({ type: 'settings.changed', actor, data: { changes: applied } });
    return merged;
  });
}

// The signing-key lifecycle has a module of its own; these are its admin actions.
export { retirementDelayMs, revokeSigningKey, rotateSigningKey } from './key-lifecycle';
