/** The admin methods of area A (named admins, keys, console sessions, TOTP), for the engine's handler map. */
import type { AdminHandlers } from './dispatch';
import type { EngineContext } from './context';
import { changeAdminPassword } from './admin-login';
import { createAdminKey, listAdminKeys, revokeAdminKey } from './admin-keys';
import { listAdminSessions, revokeAdminSession } from './admin-sessions';
import { beginAdminTotp, confirmAdminTotp, removeAdminTotp } from './admin-totp';
import { createAdmin, getSignedInAdmin, listAdmins, resetAdminPassword, updateAdmin } from './admins';

export { recordForbidden } from './admins';

type AccountMethods =
  | 'createAdmin' | 'listAdmins' | 'updateAdmin' | 'resetAdminPassword' | 'changeAdminPassword' | 'createAdminKey' | 'listAdminKeys'
  | 'revokeAdminKey' | 'listAdminSessions' | 'revokeAdminSession' | 'beginAdminTotp' | 'confirmAdminTotp' | 'removeAdminTotp' | 'getSignedInAdmin';

export function adminHandlers(ctx: EngineContext): Pick<AdminHandlers, AccountMethods> {
  return {
    createAdmin: (input, who) => createAdmin(ctx, input, who),
    listAdmins: () => listAdmins(ctx),
    updateAdmin: (input, who) => updateAdmin(ctx, input, who),
    resetAdminPassword: (input, who) => resetAdminPassword(ctx, input, who),
    changeAdminPassword: (input, who) => changeAdminPassword(ctx, input, who),
    createAdminKey: (input, who) => createAdminKey(ctx, input, who),
    listAdminKeys: (input) => listAdminKeys(ctx, input),
    revokeAdminKey: (input, who) => revokeAdminKey(ctx, input, who),
    listAdminSessions: (input, who) => listAdminSessions(ctx, input, who),
    revokeAdminSession: (input, who) => revokeAdminSession(ctx, input, who),
    beginAdminTotp: (_input, who) => beginAdminTotp(ctx, who),
    confirmAdminTotp: (input, who) => confirmAdminTotp(ctx, input, who),
    removeAdminTotp: (input, who) => removeAdminTotp(ctx, input, who),
    getSignedInAdmin: (_input, who) => getSignedInAdmin(ctx, who),
  };
}
