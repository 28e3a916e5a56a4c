/**
 * Domain events: the engine emits them, and they feed the audit log, the live console and the revocation
 * feed. Nobody writes an audit entry by hand. `type` strings are stable. Minted access tokens are described
 * in the `user.login` and `session.refreshed` events (data.accessToken = {jti, exp, kid}).
 *
 * One kind of event is routine activity rather than a security event: `session.refreshed`, a refresh token
 * rotated as designed. It is appended to the audit chain only when the `auditRefreshes` setting is on;
 * otherwise it is delivered live with `seq: null`, and the rotation itself stays on record in the refresh
 * chain (the refresh-token rows: when, by which address and user agent, into which successor).
 */
export const DOMAIN_EVENT_TYPES = [
  'user.created',
  'user.login',
  'user.login_failed',
  'user.login_throttled',
  'user.forced_out',
  'user.refresh_version_bumped',
  'user.blocked',
  'user.unblocked',
  // User management (src/main/engine/user-admin.ts): profile changed, password set by an admin, lock ended, deleted.
  'user.updated',
  'user.password_set',
  'user.unlocked',
  'user.deleted',
  'session.refreshed',
  'session.revoked',
  // Several sessions revoked by one admin action, audited once for the batch (src/main/engine/session-actions.ts):
  // revokeSessions (data.count, data.sessionIds) and signOutEveryone (data.clientId: null for the whole install).
  'sessions.revoked',
  'sessions.signed_out_everyone',
  'access_token.revoked',
  'refresh_token.reused',
  'refresh_token.grace_retry',
  'key.created',
  'key.rotated',
  // A key stopped signing because its algorithm went out of use (no access tokens, no client's ID tokens).
  'key.retiring',
  'key.retired',
  'key.revoked',
  'client.created',
  // A client's registration changed (src/main/engine/clients.ts): data.changes holds each field's from and to.
  'client.updated',
  // Client administration (src/main/engine/client-admin.ts): disabling and deleting revoke its live sessions.
  'client.disabled',
  'client.enabled',
  'client.deleted',
  // data.previousValidUntil: when the replaced secret stops being accepted (null: at once). Never a secret.
  'client.secret_rotated',
  'settings.changed',
  'feed.acknowledged',
  // The hosted sign-in page's provider session (src/main/engine/browser-sessions.ts).
  'browser_session.started',
  'browser_session.ended',
  // An authorization code presented a second time (RFC 6749 §4.1.2): the session it opened is revoked.
  'authorization_code.reused',
  // OpenID Connect Back-Channel Logout: one per delivery attempt's outcome (src/main/engine/backchannel.ts).
  'backchannel_logout.delivered',
  'backchannel_logout.failed',
  // A reuse alert acknowledged from the worklist (src/main/engine/audit-alerts.ts): data.seq, data.note.
  'reuse_alert.acknowledged',
  // Named admins, their API keys and console sessions (src/main/engine/admins*.ts); a refused call.
  'admin.created',
  'admin.updated',
  'admin.password_changed',
  'admin.totp_enrolled',
  'admin.totp_removed',
  'admin.key_created',
  'admin.key_revoked',
  'admin.signed_in',
  'admin.login_failed',
  'admin.login_throttled',
  'admin.session_ended',
  'admin.forbidden',
  // Remote deployment profiles of this console host (src/main/deployments): data.deploymentId, name, baseUrl.
  'deployment.saved',
  'deployment.removed',
  'deployment.switched',
] as const;

export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];


export interface DomainEvent {
  type: DomainEventType;
  /** ms since the epoch, from the engine's clock */
  at: number;
  /** `admin`, `system`, `user:<id>` or `client:<id>` */
  actor: string;
  userId: string | null;
  sessionId: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}

/** What the console receives live: the event with its audit sequence number, or null when it was not audited. */
export interface LiveEvent extends DomainEvent {
  seq: number | null;
}
