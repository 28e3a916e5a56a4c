import { createContext, useContext, type ReactNode } from 'react';
import { roleOf, type AuthState, type SignedIn } from '../../api';
import { RoleContext } from '../../lib/role';

/** Who is signed in to the browser console; null in the desktop app (the OS account owns its engine). */
const SessionContext = createContext<SignedIn | null>(null);

export function useSession(): SignedIn | null {
  return useContext(SessionContext);
}

/** Provides the session and its role (RoleContext, read by `useCan`) to everything below the sign-in gate. */
export function SessionProvider({ state, children }: { state: Extract<AuthState, { status: 'ready' }>; children: ReactNode }) {
  return (
    <SessionContext.Provider value={state.session}>
      <RoleContext.Provider value={roleOf(state)}>{children}</RoleContext.Provider>
    </SessionContext.Provider>
  );
}
