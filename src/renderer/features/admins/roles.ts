import type { AdminRole } from '../../../shared/admin-api';

/** What each role may do, in the words the console uses beside the role pickers. */
export const ROLE_HELP: Record<AdminRole, string> = {
  viewer: 'Read only: sees everything, changes nothing.',
  operator: 'Also incident actions: revoke, force logout, block, bump versions, rotate keys, user passwords.',
  owner: 'Everything: also admins, clients and settings.',
};
