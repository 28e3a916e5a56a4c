import { createContext, useContext, type ReactNode } from 'react';
import type { LiveEvent } from '../../../shared/events';
import { refreshAuth, roleOf, useLiveEvents, type AuthState, type SignedIn } from '../../api';
import { RoleContext } from '../../lib/role';

/** Who is signed in to the browser console; null in the desktop app (the OS account owns its engine). */
const SessionContext = createContext<SignedIn | null>(null);

export function useSession(): SignedIn | null {
  return useContext(SessionContext);
}

/** Events that may change what `/admin/me` says about this session: its role, its second factor, its end. */
const ACCOUNT_EVENTS: ReadonlySet<string> = new Set(['admin.updated', 'admin.password_changed', 'admin.totp_enrolled', 'admin.totp_removed', 'admin.session_ended']);

function concernsSession(event: LiveEvent, session: SignedIn | null): boolean {
  if (session === null || !ACCOUNT_EVENTS.has(event.type)) return false;
  // The one-time link's session has no admin id: any ended session may be it.
  return event.data.adminId === session.admin?.id || (session.admin === null && event.type === 'admin.session_ended');
}

/**
 * Provides the session and its role (RoleContext, read by `useCan`) to everything below the sign-in gate,
 * and asks the service again when an owner changes this admin (a new role applies without a reload; an
 * ended session shows the sign-in page at once).
 */
export function SessionProvider({ state, children }: { state: Extract<AuthState, { status: 'ready' }>; children: ReactNode }) {
  useLiveEvents(
    (event) => concernsSession(event, state.session),
    () => void refreshAuth(),
  );
  return (
    <SessionContext.Provider value={state.session}>
      <RoleContext.Provider value={roleOf(state)}>{children}</RoleContext.Provider>
    </SessionContext.Provider>
  );
}
