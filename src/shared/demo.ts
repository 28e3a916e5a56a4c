/**
 * Demo mode's DTOs: what the console's demo panel reads about the simulated devices, the demo API and the
 * scripted attacker. Kept compact (numbers and short strings) so a few hundred devices stay cheap to send.
 */
import { z } from 'zod';

const millis = z.number().int().nonnegative();

/** What kind of device a simulated client plays. */
export const demoDeviceKindSchema = z.enum(['web', 'phone', 'desktop']);
export type DemoDeviceKind = z.infer<typeof demoDeviceKindSchema>;

/**
 * `starting`: logging in; `active`: calling the API; `logged_out`: a 401 or a refused refresh ended its
 * session (it signs in again after `reloginAt`); `paused`: the simulation is paused.
 */
export const demoDeviceStateSchema = z.enum(['starting', 'active', 'logged_out', 'paused']);
export type DemoDeviceState = z.infer<typeof demoDeviceStateSchema>;

/** The time from an admin action's commit to this device's first 401 from the demo API. */
export const demoPropagationSchema = z.object({
  /** e.g. "force logout", "session revoke", "reuse detection". */
  action: z.string(),
  /** When the action committed (ms since the epoch). */
  at: millis,
  /** Milliseconds to the first 401; null while still waiting for it. */
  ms: z.number().nonnegative().nullable(),
});
export type DemoPropagation = z.infer<typeof demoPropagationSchema>;

export const demoDeviceSchema = z.object({
  id: z.string(),
  userId: z.string(),
  username: z.string(),
  /** "Ana Silva" */
  displayName: z.string(),
  /** "Ana's iPhone" */
  deviceName: z.string(),
  kind: demoDeviceKindSchema,
  clientId: z.string(),
  rememberMe: z.boolean(),
  sessionId: z.string().nullable(),
  state: demoDeviceStateSchema,
  /** The last demo-API status (200, 401, …); null before the first call. */
  lastStatus: z.number().int().nullable(),
  lastCallAt: millis.nullable(),
  accessTokenExpiresAt: millis.nullable(),
  refreshCount: z.number().int().nonnegative(),
  calls: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  /** Why the device is logged out, in a few words. */
  note: z.string().nullable(),
  /** When a logged-out device tries to sign in again. */
  reloginAt: millis.nullable(),
  propagation: demoPropagationSchema.nullable(),
});
export type DemoDevice = z.infer<typeof demoDeviceSchema>;

export const demoAttackerSchema = z.object({
  /** `idle` → `waiting` (token copied, waiting for the device to rotate) → `replayed` or `failed`. */
  state: z.enum(['idle', 'waiting', 'replayed', 'failed']),
  deviceId: z.string().nullable(),
  stolenAt: millis.nullable(),
  replayedAt: millis.nullable(),
  /** What the token endpoint answered the replay, e.g. "400 invalid_grant: refresh token reuse detected". */
  outcome: z.string().nullable(),
});
export type DemoAttacker = z.infer<typeof demoAttackerSchema>;

/** One sign-in at the demo web app: its own cookie session, which a back-channel logout token ends. */
export const demoWebSessionSchema = z.object({
  id: z.string(),
  userId: z.string(),
  username: z.string(),
  /** The provider session it belongs to (the ID token's and the logout token's `sid`). */
  sid: z.string(),
  signedInAt: millis,
  endedAt: millis.nullable(),
  /** "back-channel logout" or "signed out"; null while the session lives. */
  endedBy: z.string().nullable(),
  /** Ms from the admin action's commit to the logout token ending this session; null when no action ended it. */
  msAfterAction: z.number().nonnegative().nullable(),
});
export type DemoWebSession = z.infer<typeof demoWebSessionSchema>;

/** The demo web app ("Acme Notes"): a server-rendered app signing in through the hosted page. */
export const demoWebAppSchema = z.object({
  url: z.string(),
  clientId: z.string(),
  /** Newest first, at most 50. */
  sessions: z.array(demoWebSessionSchema),
});
export type DemoWebApp = z.infer<typeof demoWebAppSchema>;

export const demoStateSchema = z.object({
  paused: z.boolean(),
  /** The demo API's URL (loopback). */
  apiUrl: z.string(),
  /** The steady rhythm of each device's API calls (ms, ± jitter). */
  callIntervalMs: z.number().int().positive(),
  /** After an action names a device, it probes this often (ms) until its first 401 or `probeWindowMs`. */
  probeIntervalMs: z.number().int().positive(),
  probeWindowMs: z.number().int().positive(),
  accessTokenTtlSeconds: z.number().int().positive(),
  devices: z.array(demoDeviceSchema),
  attacker: demoAttackerSchema,
  /** Null when the web app could not start (the device simulation runs without it). */
  webApp: demoWebAppSchema.nullable(),
});
export type DemoState = z.infer<typeof demoStateSchema>;

/**
 * What the running demo world offers the engine's admin handlers (`Engine.attachDemo`). The engine cannot
 * import the demo world (it is a client of the transport), so the world hands this in at start-up.
 */
export interface DemoControl {
  getState(): DemoState;
  setPaused(paused: boolean): { paused: boolean };
  stealRefreshToken(deviceId: string): Promise<DemoAttacker>;
}
