/**
 * The console's destructive actions, each described once: what it does (in words an administrator can act
 * on), what to preview, and how to run it. Pages only pick one and pass it to `useConfirmAction`.
 */
import { api } from '../../api';
import type { ActionSpec } from './use-confirm-action';

export function revokeSessionSpec(sessionId: string, deviceName: string): ActionSpec {
  return {
    title: `Revoke session on “${deviceName}”`,
    description:
      'The device is signed out: its refresh tokens stop working at once, and its access tokens are revoked on the feed.',
    target: { kind: 'session', sessionId },
    confirmLabel: 'Revoke session',
    run: (reason) => api.revokeSession({ sessionId, reason }),
  };
}

export function forceLogoutSpec(userId: string, username: string): ActionSpec {
  return {
    title: `Force logout ${username}`,
    description:
      'Every session of this user ends, the refresh version is bumped and not-before is set to now, so every access token issued so far is refused by feed-subscribed resource servers.',
    target: { kind: 'user', userId },
    confirmLabel: 'Force logout',
    run: (reason) => api.forceLogout({ userId, reason }),
  };
}

export function bumpRefreshVersionSpec(userId: string, username: string): ActionSpec {
  return {
    title: `Bump refresh version of ${username}`,
    description:
      // Says the same as its blast radius (sessions that can no longer refresh, access tokens not revoked).
      "Now: every refresh token of this user is revoked, so none of their open sessions can be extended: each reads “can't refresh” and ends for its device when its access token expires. Not revoked: the access tokens already issued keep working until they expire (at most one access-token lifetime). To end those at once too, use Force logout.",
    target: { kind: 'refresh_version', userId },
    confirmLabel: 'Bump refresh version',
    run: (reason) => api.bumpRefreshVersion({ userId, reason }),
  };
}

export function blockUserSpec(userId: string, username: string): ActionSpec {
  return {
    title: `Block ${username}`,
    description: 'Force logout, and refuse every further sign-in until the user is unblocked.',
    target: { kind: 'user', userId },
    confirmLabel: 'Block user',
    run: (reason) => api.blockUser({ userId, reason }),
  };
}

export function unblockUserSpec(userId: string, username: string): ActionSpec {
  return {
    title: `Unblock ${username}`,
    description: 'The user may sign in again. Nothing is revoked.',
    target: null,
    confirmLabel: 'Unblock user',
    run: (reason) => api.unblockUser({ userId, reason }),
  };
}

export function revokeAccessTokenSpec(jti: string): ActionSpec {
  return {
    title: 'Revoke access token',
    description: 'This one access token is revoked on the feed; the session and its other tokens keep working.',
    target: { kind: 'access_token', jti },
    confirmLabel: 'Revoke token',
    run: (reason) => api.revokeAccessToken({ jti, reason }),
  };
}
