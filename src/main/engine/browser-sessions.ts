/**
 * The provider browser session: what the hosted sign-in page leaves in the browser (cookie `tw_session`)
 * so that a second app signs in without the password. Each app's sign-in is a session of its own
 * (`SessionRow.browserSessionId` names the browser session it came from). Only the cookie's SHA-256 is
 * stored; the cookie is 256 random bits. Its lifetime is the absolute session lifetime of Settings, the
 * remember-me one when the user ticked "Keep me signed in".
 */
import type { BrowserSessionRow } from '../store/browser-session-store';
import { closeBrowserSession } from './browser-session-close';
import type { EngineContext, Tx } from './context';
import { randomId, randomSecret, sha256Hex } from './crypto';
import { sessionLifetimes } from './issue';
import { nothingKilled, revokeSession, type Killed, type RevocationCause } from './revoke';

/** The cookie the hosted page sets. */
export const BROWSER_SESSION_COOKIE = 'tw_session';
const COOKIE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface StartBrowserSession {
  userId: string;
  rememberMe: boolean;
  ip: string;
  userAgent: string;
  /** The app whose sign-in started it (recorded in the event). */
  clientId?: string;
}

/** Starts a browser session inside the caller's transaction; the cookie value is returned once, never stored. */
export async function startBrowserSession(ctx: EngineContext, tx: Tx, input: StartBrowserSession): Promise<{ row: BrowserSessionRow; cookie: string }> {
  const cookie = randomSecret();
  const { absoluteMs } = await sessionLifetimes(ctx, input.rememberMe);
  const row: BrowserSessionRow = {
    id: randomId('bro'),
    cookieHash: sha256Hex(cookie),
    userId: input.userId,
    rememberMe: input.rememberMe,
    ip: input.ip,
    userAgent: input.userAgent,
    createdAt: tx.now,
    authTime: tx.now,
    lastSeenAt: tx.now,
    expiresAt: tx.now + absoluteMs,
    revokedAt: null,
    revokedBy: null,
    revokeReason: null,
  };
  await ctx.store.browserSessions.insert(row);
  await tx.emit({
    type: 'browser_session.started',
    actor: `user:${input.userId}`,
    userId: input.userId,
    data: { browserSessionId: row.id, clientId: input.clientId ?? null, rememberMe: row.rememberMe, ip: row.ip, userAgent: row.userAgent, expiresAt: row.expiresAt },
  });
  return { row, cookie };
}

/**
 * The live browser session a cookie value names: not ended, not expired, its user still there and not
 * blocked, and not started before the user's not-before (a force logout). Anything else: undefined.
 */
export async function browserSessionFromCookie(ctx: EngineContext, cookie: unknown): Promise<BrowserSessionRow | undefined> {
  if (typeof cookie !== 'string' || !COOKIE_PATTERN.test(cookie)) return undefined;
  const row = await ctx.store.browserSessions.getByCookieHash(sha256Hex(cookie));
  if (!row || !await isLive(ctx, row, ctx.now())) return undefined;
  return row;
}

export async function isLive(ctx: EngineContext, row: BrowserSessionRow, now: number): Promise<boolean> {
  if (row.revokedAt !== null || now >= row.expiresAt) return false;
  const user = await ctx.store.getUser(row.userId);
  if (!user || user.status !== 'active') return false;
  return user.notBefore === null || row.createdAt >= user.notBefore;
}

/**
 * Ends the browser session and every app session signed in under it (each through revokeSession, so the
 * revocation feed and back-channel logout follow). Idempotent: an ended or unknown one kills nothing.
 */
export async function endBrowserSession(ctx: EngineContext, tx: Tx, browserSessionId: string, actor: string, reason: string | null, cause: RevocationCause): Promise<Killed> {
  const killed = nothingKilled();
  const row = await ctx.store.browserSessions.get(browserSessionId);
  if (!row) return killed;
  for (const sessionId of await ctx.store.browserSessions.openSessionIdsOf(browserSessionId)) {
    const session = await ctx.store.getSession(sessionId);
    if (!session) continue;
    const result = await revokeSession(ctx, tx, session, actor, reason, cause, true);
    killed.sessionIds.push(...result.sessionIds);
    killed.accessTokens += result.accessTokens;
    killed.refreshTokens += result.refreshTokens;
    killed.feedEventId = result.feedEventId ?? killed.feedEventId;
  }
  await closeBrowserSession(ctx, tx, row, actor, reason, cause, killed.sessionIds);
  return killed;
}
