/**
 * Marks browser sessions ended and records it. Kept apart from ./browser-sessions.ts so that ./revoke.ts
 * (force logout, block) can end a user's browser sessions without importing the module that imports it.
 * The app sessions signed in under them are the caller's to revoke: force logout already revokes them all.
 */
import type { BrowserSessionRow } from '../store/browser-session-store';
import type { EngineContext, Tx } from './context';
import type { RevocationCause } from './revoke';

/** Ends one live browser session: no cookie finds it again. No-op when it already ended. */
export async function closeBrowserSession(ctx: EngineContext, tx: Tx, row: BrowserSessionRow, actor: string, reason: string | null, cause: RevocationCause, sessionIds: string[]): Promise<boolean> {
  if (row.revokedAt !== null) return false;
  await ctx.store.browserSessions.update(row.id, { revokedAt: tx.now, revokedBy: actor, revokeReason: reason ?? cause });
  await tx.emit({ type: 'browser_session.ended', actor, userId: row.userId, reason, data: { browserSessionId: row.id, cause, sessionIds } });
  return true;
}

/** Ends every live browser session of the user, so the next visit to the sign-in page asks for the password. */
export async function closeBrowserSessionsOfUser(ctx: EngineContext, tx: Tx, userId: string, actor: string, reason: string | null, cause: RevocationCause): Promise<string[]> {
  const ended: string[] = [];
  for (const row of await ctx.store.browserSessions.listLiveOfUser(userId, tx.now)) {
    if (await closeBrowserSession(ctx, tx, row, actor, reason, cause, [])) ended.push(row.id);
  }
  return ended;
}
