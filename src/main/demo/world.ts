/**
 * The demo world: seeded users and clients, the demo API, the simulated devices and the attacker, plus the
 * propagation measurement (from an admin action's commit to each affected device's first 401). Started by
 * `startWarden` in demo mode; it talks to the service over loopback HTTP like any outside app, and reads the
 * engine only to seed it and to hear when an action committed.
 */
import { performance } from 'node:perf_hooks';
import type { DemoControl, DemoState } from '../../shared/demo';
import { WardenError } from '../../shared/errors';
import type { LiveEvent } from '../../shared/events';
import type { Engine } from '../engine/engine';
import { Attacker } from './attacker';
import { startDemoApi, type DemoApi } from './demo-api';
import { SimulatedDevice, type DeviceEnv } from './device';
import { buildCast, DEMO_CLIENTS, DEMO_PASSWORD } from './roster';
import { tokenClient } from './token-client';
import { DEMO_WEB_APP, listenDemoWebApp } from './web-app';

/** Short access tokens so rotation is visible within a minute. */
export const DEMO_ACCESS_TOKEN_TTL_SECONDS = 60;
export const DEFAULT_DEMO_DEVICES = 12;
export const MAX_DEMO_DEVICES = 500;

export interface DemoWorldOptions {
  engine: Engine;
  issuer: string;
  deviceCount?: number;
  /** Overrides for tests. */
  callIntervalMs?: number;
  reloginDelayMs?: number;
}

export interface DemoWorld {
  control: DemoControl;
  apiUrl: string;
  /** Stops every device, the attacker's requests, the demo API and its verifier. */
  stop(): Promise<void>;
}

const SYSTEM = { actor: 'system', role: 'owner' as const, adminId: null };

/** At most `max` of the returned function's jobs run at once; the rest wait their turn in order. */
function limiter(max: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: Array<() => void> = [];
  return async (work) => {
    if (running >= max) await new Promise<void>((resolve) => queue.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      queue.shift()?.();
    }
  };
}

/** Which devices an event's revocation reaches, and how the panel names the action. */
function affected(event: LiveEvent, devices: SimulatedDevice[]): { action: string; devices: SimulatedDevice[] } | null {
  const data = event.data;
  // Only events that reach the feed end API access; session revocations inside a force logout carry none.
  if (data.feedEventId === null || data.feedEventId === undefined) return null;
  switch (event.type) {
    case 'user.forced_out':
      return { action: data.cause === 'block' ? 'block' : 'force logout', devices: devices.filter((d) => d.userId === event.userId) };
    case 'session.revoked':
      return { action: data.cause === 'reuse' ? 'reuse detection' : 'session revoke', devices: devices.filter((d) => d.currentSessionId !== null && d.currentSessionId === event.sessionId) };
    case 'access_token.revoked':
      return { action: 'token revoke', devices: devices.filter((d) => d.currentSessionId !== null && d.currentSessionId === event.sessionId) };
    case 'key.revoked':
      return { action: 'signing key revoke', devices };
    default:
      return null;
  }
}

/** Seeds the world and starts the simulation. */
export async function startDemoWorld(options: DemoWorldOptions): Promise<DemoWorld> {
  const { engine, issuer } = options;
  const deviceCount = Math.min(Math.max(1, options.deviceCount ?? DEFAULT_DEMO_DEVICES), MAX_DEMO_DEVICES);
  const admin = engine.admin;

  const settings = await admin.updateSettings({ accessTokenTtlSeconds: DEMO_ACCESS_TOKEN_TTL_SECONDS }, SYSTEM);
  for (const kind of ['web', 'phone', 'desktop'] as const) {
    await admin.createClient({ clientId: DEMO_CLIENTS[kind].clientId, kind: 'public', name: DEMO_CLIENTS[kind].name, grantTypes: ['password', 'refresh_token'] }, SYSTEM);
  }
  const api = await admin.createClient({ clientId: DEMO_CLIENTS.api.clientId, kind: 'confidential', name: DEMO_CLIENTS.api.name, grantTypes: [] }, SYSTEM);
  if (!api.clientSecret) throw new WardenError('internal_error', 'The demo API client has no secret.');

  const cast = buildCast(deviceCount);
  const userIds = new Map<string, string>();
  // Password hashing is deliberately slow; a few at a time keeps start-up responsive.
  const seedLimit = limiter(4);
  await Promise.all(
    cast.users.map((user) =>
      seedLimit(async () => {
        const { id } = await admin.createUser({ username: user.username, password: DEMO_PASSWORD }, SYSTEM);
        userIds.set(user.username, id);
      }),
    ),
  );

  // The web app signs in through the hosted page; its URIs name its port, so it listens before it registers.
  const actionPerf = new Map<string, number>();
  const sinceAction = (userId: string, sid: string) => {
    const at = Math.max(actionPerf.get(`user:${userId}`) ?? -Infinity, actionPerf.get(`session:${sid}`) ?? -Infinity);
    return Number.isFinite(at) ? performance.now() - at : null;
  };
  const webApp = await listenDemoWebApp({ issuer, now: () => Date.now(), sinceAction, onError: (where, error) => console.error(`[token-warden] ${where}: ${error instanceof Error ? error.message : String(error)}`) });
  const webClient = await admin.createClient(
    { clientId: DEMO_WEB_APP.clientId, kind: 'confidential', name: DEMO_WEB_APP.name, redirectUris: [`${webApp.url}/callback`], postLogoutRedirectUris: [`${webApp.url}/`], backchannelLogoutUri: `${webApp.url}/backchannel-logout` },
    SYSTEM,
  );
  if (!webClient.clientSecret) throw new WardenError('internal_error', 'The demo web app client has no secret.');
  webApp.start(webClient.clientSecret);

  const demoApi: DemoApi = await startDemoApi({ issuer, audience: settings.audience, clientId: DEMO_CLIENTS.api.clientId, clientSecret: api.clientSecret });

  const abort = new AbortController();
  const tokens = tokenClient(issuer, () => Date.now(), abort.signal);
  let paused = false;
  // About 100 routine API calls a second at most, whatever the size: a few hundred devices call less often.
  const callIntervalMs = options.callIntervalMs ?? Math.max(500, deviceCount * 10);
  const env: DeviceEnv = {
    apiUrl: demoApi.url,
    tokens,
    password: DEMO_PASSWORD,
    limit: limiter(16),
    limitLogins: limiter(4),
    paused: () => paused,
    callIntervalMs,
    probeIntervalMs: 5,
    probeWindowMs: 1_000,
    refreshMarginMs: 10_000,
    reloginDelayMs: options.reloginDelayMs ?? 20_000,
    now: () => Date.now(),
    perf: () => performance.now(),
    signal: abort.signal,
  };
  const devices = cast.devices.map((device) => new SimulatedDevice(device, userIds.get(device.user.username)!, env));
  const byId = new Map(devices.map((device) => [device.id, device]));
  const attacker = new Attacker(tokens, () => Date.now());

  const stopListening = engine.onEvent((event) => {
    if (event.type === 'user.forced_out' && event.userId) actionPerf.set(`user:${event.userId}`, performance.now());
    if (event.type === 'session.revoked' && event.sessionId) actionPerf.set(`session:${event.sessionId}`, performance.now());
    const hit = affected(event, devices);
    if (!hit) return;
    // The listener runs right after the commit: this is the instant the action took effect.
    const atPerf = performance.now();
    for (const device of hit.devices) device.expectRevocation(hit.action, event.at, atPerf);
  });
  devices.forEach((device) => device.start(Math.random() * Math.min(callIntervalMs, 1_000)));

  const control: DemoControl = {
    getState(): DemoState {
      return {
        paused,
        apiUrl: demoApi.url,
        callIntervalMs,
        probeIntervalMs: env.probeIntervalMs,
        probeWindowMs: env.probeWindowMs,
        accessTokenTtlSeconds: DEMO_ACCESS_TOKEN_TTL_SECONDS,
        devices: devices.map((device) => device.snapshot()),
        attacker: attacker.snapshot(),
        webApp: webApp.snapshot(),
      };
    },
    setPaused(value) {
      const resumed = paused && !value;
      paused = value;
      if (resumed) devices.forEach((device) => device.wake());
      return { paused };
    },
    stealRefreshToken(deviceId) {
      const device = byId.get(deviceId);
      if (!device) return Promise.reject(new WardenError('not_found', `No simulated device "${deviceId.slice(0, 40)}".`));
      return attacker.steal(device);
    },
  };

  let stopping: Promise<void> | undefined;
  return {
    control,
    apiUrl: demoApi.url,
    stop() {
      stopping ??= (async () => {
        stopListening();
        devices.forEach((device) => device.stop());
        // Let requests already inside the service finish (a sign-in is mid-hash), so none of them meets a
        // closed store; whatever is still open after a short bound is aborted.
        let bound: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.allSettled(devices.map((device) => device.settled())),
          new Promise<void>((resolve) => (bound = setTimeout(resolve, 3_000))),
        ]);
        clearTimeout(bound);
        abort.abort();
        await Promise.all([demoApi.close(), webApp.close()]);
      })();
      return stopping;
    },
  };
}
