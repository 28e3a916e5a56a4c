/**
 * One simulated device: it signs in through the real token endpoint, calls the demo API on a steady
 * rhythm, refreshes when its access token nears expiry, and records every response. A 401 or a refused
 * refresh logs it out; it signs in again after a while (and keeps failing while its user is blocked).
 *
 * Propagation: when an admin action names this device (`expectRevocation`), it probes the API every few
 * milliseconds for a short window, so the recorded "first 401 after the action" measures how fast the
 * revocation reached the API, not the calling rhythm.
 */
import type { DemoDevice, DemoDeviceState, DemoPropagation } from '../../shared/demo';
import type { CastDevice } from './roster';
import { GrantRefused, withAbort, type DeviceTokens, type TokenClient } from './token-client';

export interface DeviceEnv {
  apiUrl: string;
  tokens: TokenClient;
  password: string;
  /** Runs routine work (refreshes, regular calls) under the world's concurrency bound… */
  limit<T>(work: () => Promise<T>): Promise<T>;
  /** …and sign-ins under a tighter one: password hashing is deliberately expensive. */
  limitLogins<T>(work: () => Promise<T>): Promise<T>;
  paused(): boolean;
  callIntervalMs: number;
  probeIntervalMs: number;
  probeWindowMs: number;
  /** Refresh when the access token has less than this left. */
  refreshMarginMs: number;
  reloginDelayMs: number;
  /** Wall clock (ms since the epoch) for display; `perf` (monotonic, fractional ms) for measurements. */
  now(): number;
  perf(): number;
  signal: AbortSignal;
}

interface Pending {
  action: string;
  at: number;
  atPerf: number;
  probeUntil: number;
}

export class SimulatedDevice {
  userId: string;
  private state: DemoDeviceState = 'starting';
  private tokens: DeviceTokens | null = null;
  private sessionId: string | null = null;
  private lastStatus: number | null = null;
  private lastCallAt: number | null = null;
  private refreshCount = 0;
  private calls = 0;
  private failures = 0;
  private note: string | null = null;
  private reloginAt: number | null = null;
  private propagation: DemoPropagation | null = null;
  private pending: Pending | null = null;
  private busy = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private rotateSoon = false;
  private rotationWaiters: Array<(ok: boolean) => void> = [];
  private work: Promise<void> = Promise.resolve();

  constructor(
    readonly cast: CastDevice,
    userId: string,
    private readonly env: DeviceEnv,
  ) {
    this.userId = userId;
  }

  get id(): string {
    return this.cast.id;
  }

  get currentSessionId(): string | null {
    return this.state === 'active' ? this.sessionId : null;
  }

  /** The refresh token a thief could copy right now (null unless signed in). */
  get currentRefreshToken(): string | null {
    return this.state === 'active' ? (this.tokens?.refreshToken ?? null) : null;
  }

  start(delayMs: number): void {
    this.schedule(delayMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const waiter of this.rotationWaiters.splice(0)) waiter(false);
  }

  /** Resume after a pause: act now rather than at the end of a long wait. */
  wake(): void {
    if (!this.busy) this.schedule(Math.random() * 200);
  }

  /** An admin action that should end this device's access committed at `at` / `atPerf`. */
  expectRevocation(action: string, at: number, atPerf: number): void {
    if (this.state !== 'active' || this.stopped) return;
    this.pending = { action, at, atPerf, probeUntil: atPerf + this.env.probeWindowMs };
    this.propagation = { action, at, ms: null };
    if (!this.busy) this.schedule(0);
  }

  /** Rotates the refresh token at the next opportunity; resolves true once it has (false if it could not). */
  rotateNow(): Promise<boolean> {
    return new Promise((resolve) => {
      this.rotationWaiters.push(resolve);
      this.rotateSoon = true;
      if (!this.busy) this.schedule(0);
    });
  }

  snapshot(): DemoDevice {
    return {
      id: this.cast.id,
      userId: this.userId,
      username: this.cast.user.username,
      displayName: this.cast.user.displayName,
      deviceName: this.cast.deviceName,
      kind: this.cast.kind,
      clientId: this.cast.clientId,
      rememberMe: this.cast.rememberMe,
      sessionId: this.sessionId,
      state: this.env.paused() && this.state === 'active' ? 'paused' : this.state,
      lastStatus: this.lastStatus,
      lastCallAt: this.lastCallAt,
      accessTokenExpiresAt: this.state === 'active' ? (this.tokens?.expiresAt ?? null) : null,
      refreshCount: this.refreshCount,
      calls: this.calls,
      failures: this.failures,
      note: this.note,
      reloginAt: this.state === 'logged_out' ? this.reloginAt : null,
      propagation: this.propagation,
    };
  }

  /** Read through a method: TypeScript would otherwise keep a narrowing that an await has made stale. */
  private signedIn(): boolean {
    return this.state === 'active';
  }

  /** Work that waited in a queue does not start once the device has been stopped. */
  private unlessStopped(work: () => Promise<void>): Promise<void> {
    return this.stopped ? Promise.resolve() : work();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), Math.max(0, delayMs));
  }

  private nextDelay(): number {
    if (this.pending && this.env.perf() < this.pending.probeUntil) return this.env.probeIntervalMs;
    if (this.state === 'logged_out' && this.reloginAt !== null) return Math.max(0, this.reloginAt - this.env.now());
    const jitter = (Math.random() - 0.5) * 0.4 * this.env.callIntervalMs;
    return this.env.callIntervalMs + jitter;
  }

  private tick(): void {
    if (this.stopped || this.busy) return;
    this.busy = true;
    this.work = this.step();
  }

  /** Resolves once the device's current request (if any) has finished: the service can then close cleanly. */
  settled(): Promise<void> {
    return this.work;
  }

  private async step(): Promise<void> {
    try {
      const probing = this.pending !== null && this.env.perf() < this.pending.probeUntil;
      if (this.env.paused() && !probing) {
        // Paused: nothing happens until wake(); a long idle wait keeps the timer cheap.
        this.failRotationWaiters();
        return this.schedule(60_000);
      }
      if (this.state === 'starting' || (this.state === 'logged_out' && (this.reloginAt ?? 0) <= this.env.now())) {
        await this.env.limitLogins(() => this.unlessStopped(() => this.login()));
        // The first call follows the sign-in at once (not queued behind other sign-ins), so the panel,
        // refreshed by the sign-in event, sees it.
        if (this.signedIn()) await this.callApi();
      } else if (this.state === 'active') {
        if (this.rotateSoon || (this.tokens && this.tokens.expiresAt - this.env.now() < this.env.refreshMarginMs)) {
          await this.env.limit(() => this.unlessStopped(() => this.refresh()));
        }
        if (this.state === 'active') await (probing ? this.callApi() : this.env.limit(() => this.unlessStopped(() => this.callApi())));
      }
    } catch (error) {
      if (this.stopped) return;
      // A network fault (the service closing, a dropped socket): count it and try again on the rhythm.
      this.failures += 1;
      this.note = error instanceof Error ? error.message.slice(0, 80) : 'network error';
    } finally {
      this.busy = false;
    }
    this.schedule(this.nextDelay());
  }

  private async login(): Promise<void> {
    const { user, clientId, deviceName, userAgent, rememberMe } = this.cast;
    try {
      const tokens = await this.env.tokens.login({ username: user.username, password: this.env.password, clientId, deviceName, userAgent, rememberMe });
      this.tokens = tokens;
      this.sessionId = tokens.sessionId;
      this.state = 'active';
      this.note = null;
      this.reloginAt = null;
    } catch (error) {
      if (!(error instanceof GrantRefused)) throw error;
      this.loggedOut(`sign-in refused (${error.description || error.error})`);
    }
  }

  private async refresh(): Promise<void> {
    if (!this.tokens) return;
    try {
      this.tokens = await this.env.tokens.refresh({ refreshToken: this.tokens.refreshToken, clientId: this.cast.clientId, userAgent: this.cast.userAgent });
      this.refreshCount += 1;
      this.rotateSoon = false;
      for (const waiter of this.rotationWaiters.splice(0)) waiter(true);
    } catch (error) {
      if (!(error instanceof GrantRefused)) throw error;
      this.failures += 1;
      this.loggedOut(`refresh refused (${error.description || error.error})`);
    }
  }

  private async callApi(): Promise<void> {
    if (!this.tokens) return;
    const token = this.tokens.accessToken;
    const response = await withAbort(this.env.signal, async (signal) => {
      const reply = await fetch(this.env.apiUrl, { headers: { authorization: `Bearer ${token}`, 'user-agent': this.cast.userAgent }, signal });
      await reply.arrayBuffer();
      return reply;
    });
    const receivedPerf = this.env.perf();
    this.calls += 1;
    this.lastStatus = response.status;
    this.lastCallAt = this.env.now();
    if (response.status === 200) return;
    this.failures += 1;
    if (response.status === 401) {
      if (this.pending && this.propagation) {
        // Rounded to 0.1 ms: the panel shows whole milliseconds, the tests and benchmark want more.
        this.propagation = { ...this.propagation, ms: Math.max(0, Math.round((receivedPerf - this.pending.atPerf) * 10) / 10) };
        this.pending = null;
      }
      this.loggedOut('401 from the demo API');
    }
  }

  private loggedOut(note: string): void {
    this.state = 'logged_out';
    this.note = note;
    this.tokens = null;
    this.rotateSoon = false;
    this.reloginAt = this.env.now() + this.env.reloginDelayMs;
    this.failRotationWaiters();
  }

  private failRotationWaiters(): void {
    for (const waiter of this.rotationWaiters.splice(0)) waiter(false);
  }
}
