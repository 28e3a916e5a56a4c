/**
 * Deployments the console can manage: "This computer" (the engine this process runs) and remote Token Warden
 * deployments reached over their HTTP admin API with an admin API key. The profile list holds no secret; the
 * key lives in the OS keychain of the machine running the console (docs/deployments.md).
 */
import { z } from 'zod';

/** The id of the embedded engine's profile; it is always there and cannot be edited or removed. */
export const LOCAL_DEPLOYMENT_ID = 'local';

/** The roles, weakest first (kept in step with admin-api.ts's ADMIN_ROLES, which this file cannot import). */
const role = z.enum(['viewer', 'operator', 'owner']);
const millis = z.number().int().nonnegative();

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `AB:CD:…` (32 bytes, upper case, colons), the form node's `fingerprint256` and `openssl x509 -fingerprint` print. */
export function normalizeFingerprint(text: string): string {
  const hex = text.replace(/[\s:]/g, '').toUpperCase();
  return hex.match(/../g)?.join(':') ?? '';
}

/** A SHA-256 certificate fingerprint, with or without colons; normalized to `AB:CD:…`. */
export const fingerprintSchema = z
  .string()
  .max(200)
  .refine((text) => /^[0-9A-F]{64}$/.test(text.replace(/[\s:]/g, '').toUpperCase()), 'a SHA-256 fingerprint: 64 hex digits, colons allowed')
  .transform(normalizeFingerprint);

/**
 * A deployment's base URL: its origin only (the admin API lives at `/admin/…` of it). https, or http on a
 * loopback host only: an admin key must not cross a network in clear text.
 */
export const baseUrlSchema = z
  .string()
  .trim()
  .max(500)
  .superRefine((text, ctx) => {
    const url = URL.parse(text);
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      ctx.addIssue({ code: 'custom', message: 'an http(s) URL such as https://auth.example.com' });
    } else if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
      ctx.addIssue({ code: 'custom', message: 'use https: http is accepted on a loopback address (127.0.0.1, localhost) only' });
    } else if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
      ctx.addIssue({ code: 'custom', message: 'the deployment\'s origin only (scheme, host and port), without a path, query or credentials' });
    }
  })
  .transform((text) => new URL(text).origin);

/** An admin API key (`createAdminKey` on the deployment); the bootstrap secret works too. */
const apiKeySchema = z.string().trim().min(16).max(500).regex(/^[A-Za-z0-9._~+/-]+=*$/, 'an API key (letters, digits and . _ ~ + / - only)');

export const deploymentKindSchema = z.enum(['local', 'remote']);

export const deploymentSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: deploymentKindSchema,
  /** The remote's origin; for "This computer", the local service's issuer. */
  baseUrl: z.string(),
  /** CA chain and host name checked (on by default). */
  tlsVerify: z.boolean(),
  /** The leaf certificate's SHA-256 fingerprint every connection must present, when pinned. */
  pinnedSha256: z.string().nullable(),
  /** Whether the keychain holds this profile's API key (always true for "This computer", which needs none). */
  hasCredential: z.boolean(),
  createdAt: millis.nullable(),
  updatedAt: millis.nullable(),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export const deploymentListSchema = z.object({
  deployments: z.array(deploymentSchema),
  currentId: z.string(),
  /** Where the profiles' API keys are kept: the OS keychain, or this process's memory (`--key-store memory`). */
  credentialStore: z.enum(['keychain', 'memory']),
});

/** The deployment this console window manages, and who it acts as there. */
export const currentDeploymentSchema = z.object({
  deployment: deploymentSchema,
  /** Audited there as: `admin:<username>` of the API key's admin, or this console's own actor when local. */
  actor: z.string(),
  role,
  issuer: z.string(),
});
export type CurrentDeployment = z.infer<typeof currentDeploymentSchema>;

export const saveDeploymentInputSchema = z
  .object({
    /** Absent: a new profile. */
    id: z.string().min(1).max(100).optional(),
    name: z.string().trim().min(1).max(100),
    baseUrl: baseUrlSchema,
    tlsVerify: z.boolean().optional(),
    pinnedSha256: fingerprintSchema.nullable().optional(),
    /** Required for a new profile; absent on an edit keeps the stored key. Never returned. */
    apiKey: apiKeySchema.optional(),
  })
  .strict();

export const testDeploymentInputSchema = z
  .object({
    /** A saved profile whose stored key is used when `apiKey` is absent. */
    id: z.string().min(1).max(100).optional(),
    baseUrl: baseUrlSchema,
    tlsVerify: z.boolean().optional(),
    pinnedSha256: fingerprintSchema.nullable().optional(),
    apiKey: apiKeySchema.optional(),
  })
  .strict();

/** A server's leaf certificate as the main process saw it (no chain check: for trust on first use). */
export const certificateInfoSchema = z.object({
  sha256: z.string(),
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  /** Whether the CA chain and host name checked out. */
  authorized: z.boolean(),
  /** Why not (e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`), or null. */
  authorizationError: z.string().nullable(),
});
export type CertificateInfo = z.infer<typeof certificateInfoSchema>;

export const deploymentTestSchema = z.object({
  issuer: z.string(),
  /** The remote's Token Warden version (null when it does not say). */
  version: z.string().nullable(),
  actor: z.string(),
  role,
  /** Over https: the certificate the connection presented. */
  certificate: certificateInfoSchema.nullable(),
});
export type DeploymentTest = z.infer<typeof deploymentTestSchema>;
