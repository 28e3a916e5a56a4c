/**
 * What the signed-in admin may do, for the console to disable what the service would refuse anyway (403).
 * The role comes from the session (`RoleContext`, provided by the shell once it knows who is signed in); the
 * rule is the shared contract's: each admin method declares its least role (src/shared/admin-api.ts).
 */
import { createContext, useContext } from 'react';
import { adminApi, roleAllows, type AdminMethod, type AdminRole } from '../../shared/admin-api';

/** The desktop app's local engine is owned by the OS account: owner unless the shell says otherwise. */
export const RoleContext = createContext<AdminRole>('owner');

export function useRole(): AdminRole {
  return useContext(RoleContext);
}

/** True when the signed-in admin's role may call `method`. */
export function useCan(method: AdminMethod): boolean {
  return roleAllows(useContext(RoleContext), adminApi[method].role);
}

/** The tooltip of a control disabled for lack of a role. */
export function roleHint(method: AdminMethod): string {
  return `Needs the ${adminApi[method].role} role`;
}
