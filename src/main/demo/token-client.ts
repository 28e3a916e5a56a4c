/**
 * How a simulated device talks to the token service: the real OAuth token endpoint over HTTP, exactly as a
 * first-party app would (password grant to sign in, refresh_token grant to rotate).
 */
import { z } from 'zod';

const tokenResponseSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  expires_in: z.number(),
});

const errorResponseSchema = z.object({ error: z.string(), error_description: z.string().optional() }).partial();

export interface DeviceTokens {
  accessToken: string;
  refreshToken: string;
  /** ms since the epoch */
  expiresAt: number;
  sessionId: string | null;
  userId: string | null;
}

/** A refused grant: the HTTP status and the OAuth error, e.g. 400 `invalid_grant`. */
export class GrantRefused extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${status} ${error}${description ? `: ${description}` : ''}`);
  }
}

/** The `sid` and `sub` claims, read without verifying (the device only labels itself with them). */
function claimsOf(jwt: string): { sid: string | null; sub: string | null } {
  try {
    const payload: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const parsed = z.object({ sid: z.string().optional(), sub: z.string().optional() }).safeParse(payload);
    return { sid: parsed.success ? (parsed.data.sid ?? null) : null, sub: parsed.success ? (parsed.data.sub ?? null) : null };
  } catch {
    return { sid: null, sub: null };
  }
}

/**
 * The requests in flight under one parent signal, aborted together by one listener on it. A listener per
 * request on the parent (or the parent handed to every fetch, which undici listens to) passes Node's limit of
 * 10 listeners on an EventTarget as soon as more than 10 requests are in flight: the demo's devices run 16 at
 * once, so every demo start printed a MaxListenersExceededWarning.
 */
class AbortScope {
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly parent: AbortSignal) {
    parent.addEventListener('abort', () => {
      for (const own of this.inFlight) own.abort(parent.reason);
      this.inFlight.clear();
    }, { once: true });
  }

  async run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const own = new AbortController();
    if (this.parent.aborted) own.abort(this.parent.reason);
    else this.inFlight.add(own);
    try {
      return await work(own.signal);
    } finally {
      this.inFlight.delete(own);
    }
  }
}

const scopes = new WeakMap<AbortSignal, AbortScope>();

/**
 * Runs one request with its own abort signal that follows `parent` (its own, so undici's listeners stay on a
 * signal that is collected with the request); however many run at once, `parent` carries one listener.
 */
export async function withAbort<T>(parent: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  let scope = scopes.get(parent);
  if (!scope) {
    scope = new AbortScope(parent);
    scopes.set(parent, scope);
  }
  return scope.run(work);
}

export interface TokenClient {
  login(input: { username: string; password: string; clientId: string; deviceName: string; userAgent: string; rememberMe: boolean }): Promise<DeviceTokens>;
  refresh(input: { refreshToken: string; clientId: string; userAgent: string }): Promise<DeviceTokens>;
}

/** A client of `issuer`'s token endpoint; `now` stamps expiry times. */
export function tokenClient(issuer: string, now: () => number, signal: AbortSignal): TokenClient {
  const post = async (params: Record<string, string>, userAgent: string): Promise<DeviceTokens> => {
    const { response, body } = await withAbort(signal, async (own) => {
      const response = await fetch(`${issuer}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent },
        body: new URLSearchParams(params).toString(),
        signal: own,
      });
      const body: unknown = await response.json().catch(() => ({}));
      return { response, body };
    });
    if (response.status !== 200) {
      const parsed = errorResponseSchema.safeParse(body);
      const error = parsed.success ? parsed.data : {};
      throw new GrantRefused(response.status, error.error ?? 'error', error.error_description ?? '');
    }
    const tokens = tokenResponseSchema.parse(body);
    const claims = claimsOf(tokens.access_token);
    return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: now() + tokens.expires_in * 1000, sessionId: claims.sid, userId: claims.sub };
  };
  return {
    login: (input) =>
      post(
        {
          grant_type: 'password',
          username: input.username,
          password: input.password,
          client_id: input.clientId,
          device_name: input.deviceName,
          remember_me: String(input.rememberMe),
        },
        input.userAgent,
      ),
    refresh: (input) => post({ grant_type: 'refresh_token', refresh_token: input.refreshToken, client_id: input.clientId }, input.userAgent),
  };
}
