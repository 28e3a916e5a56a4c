/**
 * A client app's back-channel logout endpoint on 127.0.0.1, verifying each logout token the way OpenID Connect
 * Back-Channel Logout 1.0 §2.6 tells a receiver to: signature against the issuer's JWKS (jose, fetched like
 * any RP fetches it), alg as registered, `typ` logout+jwt, iss, aud, iat, exp, jti, an `events` member whose
 * value is a JSON object, sid and/or sub, and no nonce; a jti seen before is not applied again. It answers
 * 200 when it applied the token and 400 when it could not, as §2.8 asks, unless a test tells it otherwise:
 * `hold` keeps requests unanswered until released (or dropped), `answer` forces a status.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface Arrival {
  /** The raw logout_token parameter. */
  token: string | undefined;
  /** The verified claims, or why the token was refused. */
  claims?: JWTPayload;
  error?: string;
  /** True when its jti had been applied already (a redelivery). */
  repeat: boolean;
  status: number;
}

export interface ReceiverOptions {
  issuer: string;
  clientId: string;
  alg: string;
}

export interface BackchannelReceiver {
  url: string;
  arrivals: Arrival[];
  /** jti → claims of each token applied (a repeat is answered 200 and not applied twice). */
  applied: Map<string, JWTPayload>;
  /** Resolves once `count` requests have arrived (verified or not), whatever was answered. */
  waitForArrivals(count: number, timeoutMs?: number): Promise<Arrival[]>;
  /** Keep answering nothing until `release()`; the requests held so far are answered then. */
  hold(): void;
  release(): void;
  /** Closes the held requests without applying them: the sender went away before the app finished. */
  drop(): void;
  /** Answer every later request with this status instead of verifying (null: verify again). */
  answer(status: number | null): void;
  /** Requests being held right now. */
  held(): number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 64_000) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** §2.6 steps 3-7 beyond what jwtVerify already checks (signature, alg, typ, iss, aud, iat, exp). */
function checkLogoutClaims(payload: JWTPayload): void {
  const events = payload.events as Record<string, unknown> | undefined;
  const member = events?.[LOGOUT_EVENT];
  if (typeof member !== 'object' || member === null || Array.isArray(member)) throw new Error('no back-channel logout event member');
  if (typeof payload.sid !== 'string' && typeof payload.sub !== 'string') throw new Error('neither sid nor sub');
  if ('nonce' in payload) throw new Error('a logout token must not carry a nonce');
  if (typeof payload.jti !== 'string' || payload.jti.length === 0) throw new Error('no jti');
}

export async function startBackchannelReceiver(options: ReceiverOptions): Promise<BackchannelReceiver> {
  // Like any RP: the key set's address comes from the issuer's metadata (RFC 8414).
  const metadata = (await (await fetch(`${options.issuer}/.well-known/oauth-authorization-server`)).json()) as { jwks_uri: string };
  const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
  const arrivals: Arrival[] = [];
  const applied = new Map<string, JWTPayload>();
  const waiters: (() => void)[] = [];
  const heldResponses: { res: ServerResponse; finish: () => void }[] = [];
  let holding = false;
  let forced: number | null = null;

  const notify = () => waiters.splice(0).forEach((waiter) => waiter());

  async function verify(token: string | undefined): Promise<Omit<Arrival, 'token'>> {
    if (!token) return { error: 'no logout_token', repeat: false, status: 400 };
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.clientId,
        algorithms: [options.alg],
        typ: 'logout+jwt',
        requiredClaims: ['iat', 'exp', 'jti', 'events'],
        maxTokenAge: '5 minutes',
      });
      checkLogoutClaims(payload);
      const repeat = applied.has(payload.jti!);
      if (!repeat) applied.set(payload.jti!, payload);
      return { claims: payload, repeat, status: 200 };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error), repeat: false, status: 400 };
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
        res.writeHead(400).end();
        return;
      }
      const token = new URLSearchParams(await readBody(req)).get('logout_token') ?? undefined;
      const finish = async () => {
        const arrival: Arrival = forced !== null ? { token, repeat: false, status: forced, error: 'forced by the test' } : { token, ...(await verify(token)) };
        arrivals.push(arrival);
        notify();
        res.writeHead(arrival.status, { 'cache-control': 'no-store' }).end();
      };
      if (holding) {
        // Arrived, but unanswered: what a slow app looks like from the sender.
        heldResponses.push({ res, finish: () => void finish() });
        arrivals.push({ token, repeat: false, status: 0, error: 'held' });
        notify();
        return;
      }
      await finish();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/backchannel-logout`,
    arrivals,
    applied,
    waitForArrivals(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${arrivals.length} of ${count} logout requests arrived: ${JSON.stringify(arrivals.map((a) => a.error ?? a.status))}`)), timeoutMs);
        const check = () => {
          if (arrivals.length >= count) {
            clearTimeout(timer);
            resolve(arrivals);
          } else waiters.push(check);
        };
        check();
      });
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      // Answered as if they had just been read (verified now); their 'held' arrival entries stay as records.
      for (const held of heldResponses.splice(0)) held.finish();
    },
    drop() {
      holding = false;
      for (const held of heldResponses.splice(0)) held.res.destroy();
    },
    answer(status) {
      forced = status;
    },
    held: () => heldResponses.length,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
