/**
 * Admin console sessions (area A): what the HttpOnly `tw_admin` cookie names. Only the cookie's SHA-256 is
 * stored, so sessions survive a restart and a leaked data file opens none. A session ends after
 * `adminIdleSeconds` without a request or `adminAbsoluteSeconds` after it began (settings; 30 min and 12 h by
 * default), at sign-out, or when an owner revokes it, disables its admin or resets their password.
 *
 * Each request moves the idle deadline; to keep reads from writing on every call, the move is written only
 * once `lastSeenAt` is TOUCH_MS old (so the idle deadline is exact to within TOUCH_MS), in a routine
 * transaction of its own: a touch lost to a power cut only brings the deadline closer.
 */
import type { AdminSessionInfo } from '../../shared/admin-accounts';
import { WardenError } from '../../shared/errors';
import type { AdminRow, AdminSessionRow } from '../store/admin-store';
import { actorOf } from './admins';
import type { EngineContext, Tx } from './context';
import { randomId, randomSecret, sha256Hex } from './crypto';
import type { ActorContext } from './dispatch';

export const BOOTSTRAP_ACTOR = 'admin:bootstrap';
export const TOUCH_MS = 10_000;
/** Enough for any console list; a session is a person's browser, so there are few. */
const LIST_LIMIT = 500;

export interface OpenedSession {
  /** The cookie value: shown to the browser once, stored only as its hash. */
  token: string;
  session: AdminSessionRow;
  who: ActorContext;
}

/** The caller behind a session row: a named admin's live role, or the bootstrap owner. */
export function principalOf(ctx: EngineContext, session: AdminSessionRow, admin: AdminRow | undefined): ActorContext {
  if (!admin) return { actor: session.actor, role: 'owner', adminId: null, adminSessionId: session.id };
  return {
    actor: actorOf(admin.username),
    role: admin.role,
    adminId: admin.id,
    adminSessionId: session.id,
    mustEnrollTotp: ctx.settings.adminTotpRequired && admin.totpSecret === null,
  };
}

/** Inserts a session inside the caller's transaction; the emit is the caller's (sign-in or one-time link). */
export async function insertSession(ctx: EngineContext, tx: Tx, admin: AdminRow | null, client: { ip: string; userAgent: string }): Promise<OpenedSession> {
  const token = randomSecret();
  const session: AdminSessionRow = {
    id: randomId('asn'),
    tokenHash: sha256Hex(token),
    adminId: admin?.id ?? null,
    actor: admin ? actorOf(admin.username) : BOOTSTRAP_ACTOR,
    ip: client.ip,
    userAgent: client.userAgent,
    createdAt: tx.now,
    lastSeenAt: tx.now,
    idleExpiresAt: tx.now + Math.min(ctx.settings.adminIdleSeconds, ctx.settings.adminAbsoluteSeconds) * 1000,
    absoluteExpiresAt: tx.now + ctx.settings.adminAbsoluteSeconds * 1000,
    revokedAt: null,
    revokedBy: null,
    revokeReason: null,
  };
  await ctx.store.admins.insertSession(session);
  return { token, session, who: principalOf(ctx, session, admin ?? undefined) };
}

/** The one-time link's session: the bootstrap owner, no admin row. */
export async function openBootstrapSession(ctx: EngineContext, client: { ip: string; userAgent: string }): Promise<OpenedSession> {
  return ctx.run(async (tx) => {
    const opened = await insertSession(ctx, tx, null, client);
    await tx.emit({ type: 'admin.signed_in', actor: BOOTSTRAP_ACTOR, data: { sessionId: opened.session.id, method: 'one_time_link', ip: client.ip } });
    return opened;
  });
}

function live(session: AdminSessionRow, now: number): boolean {
  return session.revokedAt === null && session.idleExpiresAt > now && session.absoluteExpiresAt > now;
}

/** The session again, without moving its deadline: still live, its admin still enabled? (an open event stream) */
export async function liveSession(ctx: EngineContext, sessionId: string): Promise<AdminSessionRow | undefined> {
  const session = await ctx.store.admins.getSession(sessionId);
  if (!session || !live(session, ctx.now())) return undefined;
  if (session.adminId === null) return session;
  const admin = await ctx.store.admins.getAdmin(session.adminId);
  return admin && admin.disabledAt === null ? session : undefined;
}

/** The live session a cookie names, with its idle deadline moved; undefined when none (or its admin is disabled). */
export async function authenticateSession(ctx: EngineContext, token: string): Promise<{ session: AdminSessionRow; who: ActorContext } | undefined> {
  const store = ctx.store.admins;
  const session = await store.getSessionByTokenHash(sha256Hex(token));
  const now = ctx.now();
  if (!session || !live(session, now)) return undefined;
  const admin = session.adminId === null ? undefined : await store.getAdmin(session.adminId);
  if (session.adminId !== null && (!admin || admin.disabledAt !== null)) return undefined;
  let current = session;
  if (now - session.lastSeenAt >= TOUCH_MS) {
    const idleExpiresAt = Math.min(now + ctx.settings.adminIdleSeconds * 1000, session.absoluteExpiresAt);
    await ctx.store.transaction(() => store.updateSession(session.id, { lastSeenAt: now, idleExpiresAt }));
    current = { ...session, lastSeenAt: now, idleExpiresAt };
  }
  return { session: current, who: principalOf(ctx, current, admin) };
}

/** Ends one session (sign-out, or an owner's revocation). False when it had already ended. */
export async function endSession(ctx: EngineContext, sessionId: string, by: string, reason: string): Promise<boolean> {
  return ctx.run(async (tx) => {
    const session = await ctx.store.admins.getSession(sessionId);
    if (!session) throw new WardenError('not_found', `No admin session ${sessionId}.`);
    if (!live(session, tx.now)) return false;
    await ctx.store.admins.updateSession(session.id, { revokedAt: tx.now, revokedBy: by, revokeReason: reason });
    await tx.emit({ type: 'admin.session_ended', actor: by, reason, data: { adminId: session.adminId, sessionIds: [session.id], keyIds: [] } });
    return true;
  });
}

/** "Sign out everywhere": every live session of the caller's account (the bootstrap's, for a link session). */
export async function endAllSessionsOf(ctx: EngineContext, who: ActorContext, reason: string): Promise<number> {
  return ctx.run(async (tx) => {
    const rows = await ctx.store.admins.listLiveSessions(who.adminId, tx.now, Number.MAX_SAFE_INTEGER);
    for (const row of rows) await ctx.store.admins.updateSession(row.id, { revokedAt: tx.now, revokedBy: who.actor, revokeReason: reason });
    if (rows.length > 0) await tx.emit({ type: 'admin.session_ended', actor: who.actor, reason, data: { adminId: who.adminId, sessionIds: rows.map((row) => row.id), keyIds: [] } });
    return rows.length;
  });
}

export function toSessionInfo(row: AdminSessionRow, who: ActorContext): AdminSessionInfo {
  return {
    id: row.id, adminId: row.adminId, actor: row.actor, ip: row.ip, userAgent: row.userAgent, createdAt: row.createdAt, lastSeenAt: row.lastSeenAt,
    idleExpiresAt: row.idleExpiresAt, absoluteExpiresAt: row.absoluteExpiresAt, current: row.id === who.adminSessionId,
  };
}

export async function listAdminSessions(ctx: EngineContext, input: { adminId?: string }, who: ActorContext): Promise<AdminSessionInfo[]> {
  return (await ctx.store.admins.listLiveSessions(input.adminId, ctx.now(), LIST_LIMIT)).map((row) => toSessionInfo(row, who));
}

export async function revokeAdminSession(ctx: EngineContext, input: { sessionId: string }, who: ActorContext): Promise<AdminSessionInfo> {
  await endSession(ctx, input.sessionId, who.actor, 'revoked by an owner');
  return toSessionInfo((await ctx.store.admins.getSession(input.sessionId))!, who);
}
