/**
 * The admin API contract: the one source of truth for every admin method's name, input and output.
 * The HTTP transport (`POST /admin/rpc/<method>`), the Electron IPC handlers, the preload bridge and the
 * renderer's gateway are all derived from this object. Names and shapes are public: keep them stable.
 */
import { z } from 'zod';
import {
  auditEntrySchema,
  blastRadiusSchema,
  clientInfoSchema,
  clientKindSchema,
  feedReceiptsSchema,
  inspectionSchema,
  keyInfoSchema,
  page,
  receiptSchema,
  sessionSchema,
  sessionStatusSchema,
  sessionTokensSchema,
  settingsSchema,
  signingAlgSchema,
  statsSchema,
  userDetailSchema,
  userListStatusSchema,
  userSortSchema,
  userSummarySchema,
} from './dto';
import { demoAttackerSchema, demoStateSchema } from './demo';
import { MAX_SESSION_SELECTION, searchSessionsInputSchema, searchSessionsOutputSchema } from './session-search';
import { attributesSchema, displayNameSchema, emailSchema, MAX_USER_SEARCH } from './user-profile';
import { auditAcknowledgementSchema, auditFilterFields, checkTimeRange, MAX_ACK_NOTE, reuseAlertSchema, reuseAlertStatusSchema } from './audit';
import {
  grantTypesProblem, grantTypesSchema, lifetimeSchema, lifetimesProblem, MAX_CLIENT_NAME, registeredUriListSchema, registeredUriSchema,
} from './client-registration';
import { adminKeySchema, adminSchema, adminSessionSchema, adminTotpEnrollmentSchema, signedInAdminSchema } from './admin-accounts';
import {
  baseUrlSchema, certificateInfoSchema, currentDeploymentSchema, deploymentListSchema, deploymentSchema, deploymentTestSchema, saveDeploymentInputSchema, testDeploymentInputSchema,
} from './deployments';

const id = z.string().min(1).max(200);
const reason = z.string().max(500).optional();
const limit = z.number().int().min(1).max(500).optional();
const offset = z.number().int().min(0).max(10_000_000).optional();
const empty = z.object({}).strict();
/** The fields createClient and updateClient share (see ./client-registration.ts for the rules). */
const registration = {
  name: z.string().trim().min(1).max(MAX_CLIENT_NAME),
  redirectUris: registeredUriListSchema.optional(),
  postLogoutRedirectUris: registeredUriListSchema.optional(),
  backchannelLogoutUri: registeredUriSchema.nullable().optional(),
  grantTypes: grantTypesSchema.optional(),
  idTokenSignedResponseAlg: signingAlgSchema.optional(),
  accessTokenTtlSeconds: lifetimeSchema('accessTokenTtlSeconds').optional(),
  refreshIdleSeconds: lifetimeSchema('refreshIdleSeconds').optional(),
  refreshAbsoluteSeconds: lifetimeSchema('refreshAbsoluteSeconds').optional(),
};
/** The idle-vs-absolute rule on whatever lifetimes an input carries (the engine checks the whole result again). */
const checkLifetimes = (input: { refreshIdleSeconds?: number | null; refreshAbsoluteSeconds?: number | null }, ctx: z.RefinementCtx) => {
  const problem = lifetimesProblem(input);
  if (problem) ctx.addIssue({ code: 'custom', path: ['refreshIdleSeconds'], message: problem });
};

/** One logout token owed to a client app for a session that ended (times in ms; see docs/sign-in.md "Logout"). */
export const backchannelDeliverySchema = z.object({
  id: z.number().int(),
  clientId: z.string(),
  sessionId: z.string(),
  /** Where it is POSTed: the client's backchannelLogoutUri when the session ended. */
  uri: z.string(),
  state: z.enum(['pending', 'delivered', 'failed']),
  queuedAt: z.number().int(),
  attempts: z.number().int(),
  deliveredAt: z.number().int().nullable(),
  /** When it was given up: the receiver refused it, or retries ran out. */
  failedAt: z.number().int().nullable(),
  nextAttemptAt: z.number().int().nullable(),
  /** The last attempt's HTTP status; null when no answer came (refused connection, timeout). */
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
});
export type BackchannelDelivery = z.infer<typeof backchannelDeliverySchema>;

/** Usernames: letters, digits and `.`, `_`, `-`, `@`; 1 to 64 characters. */
export const usernameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ - @ only');
/** Passwords: 8 to 256 characters. */
export const passwordSchema = z.string().min(8).max(256);
export const clientIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and . _ - only');

/** What a destructive admin action targets, for `previewBlastRadius`. */
export const revocationTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('session'), sessionId: id }).strict(),
  z.object({ kind: z.literal('user'), userId: id }).strict(),
  z.object({ kind: z.literal('refresh_version'), userId: id }).strict(),
  z.object({ kind: z.literal('key'), kid: id }).strict(),
  z.object({ kind: z.literal('access_token'), jti: id }).strict(),
  // A selection in the Sessions view: one blast radius for all of them (revokeSessions).
  z.object({ kind: z.literal('sessions'), sessionIds: z.array(id).min(1).max(MAX_SESSION_SELECTION) }).strict(),
]);
export type RevocationTarget = z.infer<typeof revocationTargetSchema>;

/**
 * The admin roles, weakest first; each includes everything the ones before it may do. `viewer`: read only.
 * `operator`: also the incident actions (revoke, force logout, block, bump refresh versions, rotate and revoke
 * keys, user passwords and unlocks). `owner`: also admins, clients and settings.
 */
export const ADMIN_ROLES = ['viewer', 'operator', 'owner'] as const;
export const adminRoleSchema = z.enum(ADMIN_ROLES);
export type AdminRole = z.infer<typeof adminRoleSchema>;

/** True when `held` includes `needed` (owner ⊃ operator ⊃ viewer). */
export function roleAllows(held: AdminRole, needed: AdminRole): boolean {
  return ADMIN_ROLES.indexOf(held) >= ADMIN_ROLES.indexOf(needed);
}

/**
 * One admin method: its input and output schemas, what it does, and the least role that may call it.
 * `local: true` marks a method answered by the process the console talks to and never forwarded to the remote
 * deployment the console manages (the deployment profiles themselves; docs/deployments.md).
 */
function method<I extends z.ZodType, O extends z.ZodType, L extends boolean = false>(input: I, output: O, doc: string, role: AdminRole, local?: L) {
  return { input, output, doc, role, local: (local ?? false) as L };
}

export const adminApi = {
  createUser: method(z.object({ username: usernameSchema, password: passwordSchema }).strict(), z.object({ id: z.string() }), 'Create a user.', 'operator'),
  listUsers: method(
    z
      .object({
        search: z.string().max(MAX_USER_SEARCH).optional(),
        status: userListStatusSchema.optional(),
        sort: z.object({ by: userSortSchema, dir: z.enum(['asc', 'desc']) }).strict().optional(),
        offset,
        limit,
      })
      .strict(),
    page(userSummarySchema),
    'Users matching `search` (3+ characters: anywhere in username, display name or email; 1–2: the start of the username; case-insensitive), by status (`locked` included), sorted on the server (default newest first), paged.',
    'viewer',
  ),
  updateUser: method(
    z.object({ userId: id, displayName: displayNameSchema.optional(), email: emailSchema.optional(), attributes: attributesSchema.optional() }).strict(),
    userDetailSchema,
    "Change a user's display name, email (null clears) or attributes (the whole set); fields left out stay.",
    'operator',
  ),
  setUserPassword: method(
    z.object({ userId: id, password: passwordSchema, revokeSessions: z.boolean().optional(), reason }).strict(),
    receiptSchema,
    "Set a user's password; clears failed logins and any lock. By default (revokeSessions true) also signs the user out everywhere, as force logout does.",
    'operator',
  ),
  unlockUser: method(z.object({ userId: id, reason }).strict(), userDetailSchema, "End a failed-login lock now: clears the lock and the failed-login count.", 'operator'),
  deleteUser: method(
    z.object({ userId: id, reason, confirm: z.string().max(64) }).strict(),
    receiptSchema,
    'Delete a user: every session revoked first (published on the feed), then the user and their sessions and tokens removed; the audit keeps its entries. `confirm` must equal the username.',
    'owner',
  ),
  getUser: method(z.object({ userId: id }).strict(), userDetailSchema, 'One user with status, refresh version and not-before.', 'viewer'),
  listSessions: method(
    z.object({ userId: id.optional(), status: sessionStatusSchema.optional(), offset, limit }).strict(),
    page(sessionSchema),
    "A user's device sessions (or all sessions), most recent activity first.",
    'viewer',
  ),
  searchSessions: method(
    searchSessionsInputSchema,
    searchSessionsOutputSchema,
    'Sessions across all users by client, address prefix, device, status, created and last-activity ranges and remember-me; paged by cursor (see docs/sessions.md).',
    'viewer',
  ),
  revokeSessions: method(
    z.object({ sessionIds: z.array(id).min(1).max(MAX_SESSION_SELECTION), reason }).strict(),
    receiptSchema,
    'Revoke the selected sessions (up to 500; an unknown id refuses all) with their refresh families: one receipt, one audit entry.',
    'operator',
  ),
  signOutEveryone: method(
    z.object({ clientId: clientIdSchema.optional(), confirm: z.string().max(200), reason }).strict(),
    receiptSchema,
    'Revoke every open session of one client, or of the whole install; `confirm` repeats the client id, or says "everyone".',
    'owner',
  ),
  listSessionTokens: method(z.object({ sessionId: id }).strict(), sessionTokensSchema, "A session's access tokens, refresh chain and lifecycle timeline.", 'viewer'),
  previewBlastRadius: method(z.object({ target: revocationTargetSchema }).strict(), blastRadiusSchema, 'What an action would kill, before it kills it.', 'viewer'),
  revokeSession: method(z.object({ sessionId: id, reason }).strict(), receiptSchema, 'Revoke one device session and its refresh family.', 'operator'),
  forceLogout: method(z.object({ userId: id, reason }).strict(), receiptSchema, 'Revoke every session, bump the refresh version and set not-before = now.', 'operator'),
  bumpRefreshVersion: method(z.object({ userId: id, reason }).strict(), receiptSchema, "Kill every refresh token of the user; access tokens live to exp.", 'operator'),
  blockUser: method(z.object({ userId: id, reason }).strict(), receiptSchema, 'Force logout and refuse further logins.', 'operator'),
  unblockUser: method(z.object({ userId: id, reason }).strict(), receiptSchema, 'Allow logins again.', 'operator'),
  revokeAccessToken: method(z.object({ jti: id, reason }).strict(), receiptSchema, 'Revoke one access token by jti.', 'operator'),
  inspectToken: method(z.object({ token: z.string().max(16_384) }).strict(), inspectionSchema, 'Decode and judge any token.', 'viewer'),
  listFeedReceipts: method(
    z.object({ feedEventId: z.number().int().positive() }).strict(),
    feedReceiptsSchema,
    "Which subscribed resource servers acknowledged a receipt's feed event, and when; who is subscribed now.",
    'viewer',
  ),
  listBackchannelDeliveries: method(
    z.object({ feedEventId: z.number().int().positive() }).strict(),
    z.array(backchannelDeliverySchema),
    "The back-channel logout tokens a receipt's feed event owes client apps (OpenID Connect Back-Channel Logout), and where each stands.",
    'viewer',
  ),
  listKeys: method(empty, z.array(keyInfoSchema), 'Signing keys with status and live-token counts.', 'viewer'),
  rotateSigningKey: method(z.object({ alg: signingAlgSchema.optional(), reason }).strict(), keyInfoSchema, "One algorithm's pair (by default the access-token algorithm's): its next key (published in the JWKS ahead) signs from now on, the old one keeps verifying until it retires, and a new next key is published. An alg without keys is an algorithm change: access tokens switch to a new pair of it.", 'operator'),
  revokeSigningKey: method(z.object({ kid: id, reason }).strict(), receiptSchema, 'Emergency: every token the key signed becomes invalid at once; revoking the active key promotes the next one.', 'operator'),
  listClients: method(empty, z.array(clientInfoSchema), 'OAuth clients.', 'viewer'),
  createClient: method(
    z
      .object({ clientId: clientIdSchema, kind: clientKindSchema, ...registration })
      .strict()
      .superRefine((input, ctx) => {
        const problem = input.grantTypes && grantTypesProblem(input.kind, input.grantTypes);
        if (problem) ctx.addIssue({ code: 'custom', path: ['grantTypes'], message: problem });
        checkLifetimes(input, ctx);
      }),
    z.object({ clientId: z.string(), clientSecret: z.string().optional() }),
    'Create a client; a confidential client gets a secret, shown once. Grants default to authorization_code and refresh_token.',
    'owner',
  ),
  updateClient: method(
    z.object({ clientId: clientIdSchema, ...registration, name: registration.name.optional() }).strict().superRefine(checkLifetimes),
    clientInfoSchema,
    "Change a client's name, registration or lifetimes (fields left out stay; a lifetime set to null follows the install setting again); its kind and secret stay.",
    'owner',
  ),
  // Client administration (area E; src/main/engine/client-admin.ts, docs/clients.md).
  getClient: method(
    z.object({ clientId: id }).strict(),
    z.object({ client: clientInfoSchema, liveSessions: z.number().int(), sessions: z.array(sessionSchema) }),
    'One client with its live-session count and up to 20 of its live sessions (the latest to expire first).',
    'viewer',
  ),
  setClientDisabled: method(
    z.object({ clientId: id, disabled: z.boolean(), reason }).strict(),
    receiptSchema,
    'Disable a client (its live sessions are revoked on the feed; its logins, refreshes, codes, introspection and feed are refused until enabled) or enable it again.',
    'owner',
  ),
  deleteClient: method(
    z.object({ clientId: id, confirm: z.string().max(200), reason }).strict(),
    receiptSchema,
    'Delete a client (`confirm` = its id): its live sessions are revoked first; its id is never reused and the audit keeps its entries.',
    'owner',
  ),
  rotateClientSecret: method(
    z.object({ clientId: id, overlapSeconds: z.number().int().min(0).max(30 * 24 * 3600) }).strict(),
    z.object({ clientSecret: z.string(), previousValidUntil: z.number().int().nullable() }),
    "A new secret for a confidential client, shown once; the old one is still accepted for `overlapSeconds` (0: refused at once).",
    'owner',
  ),
  listAudit: method(
    z.object({ ...auditFilterFields, beforeSeq: z.number().int().positive().optional(), limit }).strict().superRefine(checkTimeRange),
    z.object({ items: z.array(auditEntrySchema), nextBeforeSeq: z.number().int().nullable() }),
    'Audit entries, newest first, paged by sequence number: free text `q` (3+ characters), `types` (any of), actor/user exact or by prefix, session, time range.',
    'viewer',
  ),
  // Audit detail and the reuse-alert worklist (area F; src/main/engine/audit-*.ts, docs/audit.md).
  getAuditEntry: method(
    z.object({ seq: z.number().int().positive() }).strict(),
    z.object({ entry: auditEntrySchema, acknowledgement: auditAcknowledgementSchema.nullable() }),
    'One audit entry by sequence number, with its acknowledgement if it is an acknowledged reuse alert.',
    'viewer',
  ),
  listReuseAlerts: method(
    z.object({ status: reuseAlertStatusSchema.optional(), beforeSeq: z.number().int().positive().optional(), limit }).strict(),
    z.object({ items: z.array(reuseAlertSchema), open: z.number().int(), nextBeforeSeq: z.number().int().nullable() }),
    'Reuse alerts (a refresh token or authorization code presented twice), newest first, open or acknowledged, with the count still open.',
    'viewer',
  ),
  acknowledgeReuseAlert: method(
    z.object({ seq: z.number().int().positive(), note: z.string().trim().min(1).max(MAX_ACK_NOTE) }).strict(),
    reuseAlertSchema,
    'Acknowledge a reuse alert with a note (who and when are recorded, and audited); once per alert (`conflict`).',
    'operator',
  ),
  verifyAuditChain: method(
    empty,
    z.object({ ok: z.boolean(), entries: z.number().int(), brokenAtSeq: z.number().int().nullable() }),
    'Recompute the hash chain of the audit log.',
    'viewer',
  ),
  getStats: method(empty, statsSchema, 'Live counts and per-minute activity.', 'viewer'),
  getSettings: method(empty, settingsSchema, 'Current engine settings.', 'viewer'),
  updateSettings: method(settingsSchema.partial().strict(), settingsSchema, "Change some settings; returns all of them. A new signingAlg switches access tokens to that algorithm's keys at once (created first when it has none).", 'owner'),
  // Named admins, their API keys and console sessions (area A; src/main/engine/admins*.ts, docs/admins.md).
  createAdmin: method(z.object({ username: usernameSchema, password: passwordSchema, role: adminRoleSchema }).strict(), z.object({ id: z.string() }), 'Create a named admin with a role.', 'owner'),
  listAdmins: method(empty, z.array(adminSchema), 'Every named admin, oldest first.', 'owner'),
  updateAdmin: method(
    z.object({ adminId: id, role: adminRoleSchema.optional(), disabled: z.boolean().optional() }).strict(),
    adminSchema,
    "Change an admin's role or disable them (which ends their sessions and API keys). The last enabled owner stays one (`conflict`).",
    'owner',
  ),
  resetAdminPassword: method(z.object({ adminId: id, password: passwordSchema }).strict(), adminSchema, "Set another admin's password; their sessions and API keys end.", 'owner'),
  changeAdminPassword: method(
    z.object({ currentPassword: z.string().max(256), newPassword: passwordSchema }).strict(),
    z.object({ ok: z.literal(true) }),
    "The caller's own password; their other sessions end.",
    'viewer',
  ),
  createAdminKey: method(z.object({ adminId: id, name: z.string().trim().min(1).max(100) }).strict(), z.object({ keyId: z.string(), key: z.string() }), 'An API key acting as that admin (`Authorization: Bearer <key>`); the key is shown once.', 'owner'),
  listAdminKeys: method(z.object({ adminId: id.optional() }).strict(), z.array(adminKeySchema), "API keys (an admin's, or everyone's), newest first, revoked ones included.", 'owner'),
  revokeAdminKey: method(z.object({ keyId: id }).strict(), adminKeySchema, 'Revoke an API key at once.', 'owner'),
  listAdminSessions: method(z.object({ adminId: id.optional() }).strict(), z.array(adminSessionSchema), 'Live console sessions of admins (or of one), newest first.', 'owner'),
  revokeAdminSession: method(z.object({ sessionId: id }).strict(), adminSessionSchema, 'End one console session.', 'owner'),
  beginAdminTotp: method(empty, adminTotpEnrollmentSchema, "Start TOTP enrollment for the caller's own account: a new secret, active once confirmed.", 'viewer'),
  confirmAdminTotp: method(z.object({ code: z.string().regex(/^\d{6}$/, 'six digits') }).strict(), z.object({ ok: z.literal(true) }), 'Confirm TOTP enrollment with a code from the authenticator.', 'viewer'),
  removeAdminTotp: method(z.object({ adminId: id }).strict(), adminSchema, "Remove an admin's TOTP (one's own, or anyone's for an owner).", 'viewer'),
  getSignedInAdmin: method(empty, signedInAdminSchema, 'Who is calling, with which role.', 'viewer'),
  // Deployment profiles (local-only: answered here, never forwarded; docs/deployments.md).
  listDeployments: method(empty, deploymentListSchema, '"This computer" and the saved remote deployments (no secrets), and the one this console manages.', 'viewer', true),
  currentDeployment: method(empty, currentDeploymentSchema, 'The deployment this console manages, and the actor and role it acts with there.', 'viewer', true),
  saveDeployment: method(saveDeploymentInputSchema, deploymentSchema, "Add or edit a remote deployment profile; its API key goes to the OS keychain, never to the profile file.", 'owner', true),
  removeDeployment: method(z.object({ id }).strict(), z.object({ removed: z.literal(true) }), 'Remove a profile and its stored key; consoles managing it return to "This computer".', 'owner', true),
  testDeployment: method(testDeploymentInputSchema, deploymentTestSchema, "Connect to a deployment with the given (or stored) key: its issuer, version, and the key's actor and role.", 'owner', true),
  fetchDeploymentCertificate: method(z.object({ baseUrl: baseUrlSchema }).strict(), certificateInfoSchema, "The https server's leaf certificate and its SHA-256 fingerprint, for pinning (trust on first use).", 'owner', true),
  switchDeployment: method(z.object({ id }).strict(), currentDeploymentSchema, 'Manage another deployment from this console (it must answer first); lends the profile\'s stored key.', 'owner', true),
  // Demo mode (`--demo`): refused with `not_found` when the service runs without a demo world.
  getDemoState: method(empty, demoStateSchema, 'Demo mode: the simulated devices, the demo API and the attacker.', 'viewer'),
  setDemoPaused: method(z.object({ paused: z.boolean() }).strict(), z.object({ paused: z.boolean() }), 'Demo mode: pause or resume every simulated device.', 'operator'),
  stealRefreshToken: method(
    z.object({ deviceId: id }).strict(),
    demoAttackerSchema,
    "Demo mode: the attacker copies a device's refresh token and replays it once the device has rotated.",
    'operator',
  ),
} as const;

export type AdminApi = typeof adminApi;
export type AdminMethod = keyof AdminApi;
export type AdminInput<M extends AdminMethod> = z.input<AdminApi[M]['input']>;
export type AdminOutput<M extends AdminMethod> = z.infer<AdminApi[M]['output']>;
export const ADMIN_METHODS = Object.keys(adminApi) as AdminMethod[];

/** Methods answered by the process the console talks to, never forwarded to a remote deployment. */
export type LocalOnlyMethod = { [M in AdminMethod]: AdminApi[M]['local'] extends true ? M : never }[AdminMethod];

export function isLocalOnlyMethod(method: AdminMethod): method is LocalOnlyMethod {
  return adminApi[method].local;
}

export function isAdminMethod(value: unknown): value is AdminMethod {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(adminApi, value);
}

/** The typed client every transport exposes to the renderer. */
export type AdminClient = { [M in AdminMethod]: (input: AdminInput<M>) => Promise<AdminOutput<M>> };
