/**
 * What the HTTP transport needs of named admins (area A): sign-in, the one-time link's session, and turning
 * a cookie or a bearer key into the caller (`ActorContext`). The admin methods themselves are in the engine's
 * `admin` handler map like every other method.
 */
import type { SignedInAdmin } from '../../shared/admin-accounts';
import { loginAdmin, type AdminLoginRequest } from './admin-login';
import { authenticateKey } from './admin-keys';
import { authenticateSession, endAllSessionsOf, endSession, liveSession, openBootstrapSession, type OpenedSession } from './admin-sessions';
import { getSignedInAdmin } from './admins';
import type { EngineContext } from './context';
import type { ActorContext } from './dispatch';
import type { AdminSessionRow } from '../store/admin-store';

/** How long ended admin sessions are kept (for the list's history); the audit keeps their record beyond. */
export const ENDED_ADMIN_SESSION_RETENTION_MS = 7 * 24 * 3600_000;

export interface AdminAccess {
  /** A named admin's sign-in: the session whose token becomes the cookie; coded errors are already audited. */
  login(request: AdminLoginRequest): Promise<OpenedSession>;
  /** The one-time link's session (the bootstrap owner). */
  openBootstrapSession(client: { ip: string; userAgent: string }): Promise<OpenedSession>;
  /** The live session a cookie value names (its idle deadline moved), or undefined. */
  authenticateSession(token: string): Promise<{ session: AdminSessionRow; who: ActorContext } | undefined>;
  /** The session again without moving its idle deadline (for a long-lived event stream), or undefined once it ended. */
  liveSession(sessionId: string): Promise<AdminSessionRow | undefined>;
  /** The admin an API key acts as, or undefined. */
  authenticateKey(key: string): Promise<ActorContext | undefined>;
  /**
   * Sign-out: ends the caller's session; resolves once that has committed (before it, a request on another
   * connection, as on PostgreSQL, would still find the session live).
   */
  signOut(sessionId: string, who: ActorContext): Promise<void>;
  /** Sign out everywhere: every session of the caller's account; returns how many ended. */
  signOutEverywhere(who: ActorContext): Promise<number>;
  whoami(who: ActorContext): Promise<SignedInAdmin>;
}

export function createAdminAccess(ctx: EngineContext): AdminAccess {
  return {
    login: (request) => loginAdmin(ctx, request),
    openBootstrapSession: async (client) => openBootstrapSession(ctx, client),
    authenticateSession: async (token) => authenticateSession(ctx, token),
    liveSession: async (sessionId) => liveSession(ctx, sessionId),
    authenticateKey: async (key) => authenticateKey(ctx, key),
    signOut: async (sessionId, who) => {
      await endSession(ctx, sessionId, who.actor, 'signed out');
    },
    signOutEverywhere: async (who) => endAllSessionsOf(ctx, who, 'signed out everywhere'),
    whoami: async (who) => getSignedInAdmin(ctx, who),
  };
}
