/**
 * A bounded drain (SIGTERM, `--drain-timeout`): the instance leaves the load balancer's rotation without
 * cutting anyone off mid-request.
 *
 * 1. Stop accepting: the listening socket closes (new connections are refused), idle kept-alive connections
 *    close, and a request that still arrives on a busy one is answered 503 with `Connection: close`; /readyz
 *    says `accepting: fail`.
 * 2. End the event streams (revocation feed, console events) after an SSE `retry:` hint: EventSource clients
 *    and the kit reconnect — through the balancer, to another instance — resuming from their Last-Event-ID.
 * 3. Wait for the requests in flight to finish, at most `timeoutMs`; whatever is still open then is cut by
 *    the close that follows (the caller closes the server, the engine and the store).
 */
import type { Server } from 'node:http';
import type { TokenService } from '../http/service';
import type { FrontDoor } from './front-door';
import type { Logger } from './logger';

/** What ended streams are told: reconnect after this long (another instance answers by then). */
export const DRAIN_RETRY_MS = 1_000;

export interface DrainResult {
  /** Every request in flight finished within the time. */
  finished: boolean;
  /** Requests still open when the time ran out (cut by the close that follows). */
  cut: number;
  elapsedMs: number;
}

export async function drain(parts: { door: FrontDoor; server: Server; service: TokenService; logger?: Logger }, timeoutMs: number): Promise<DrainResult> {
  const started = performance.now();
  const { door, server, service, logger } = parts;
  door.startDrain();
  logger?.info({ inFlight: door.inFlightCount, timeoutMs }, 'draining');
  // close() stops listening at once; its callback (all connections gone) is not awaited: the wait below is bounded.
  server.close();
  server.closeIdleConnections();
  service.close(DRAIN_RETRY_MS);
  const finished = await door.whenIdle(timeoutMs);
  const result = { finished, cut: door.inFlightCount, elapsedMs: Math.round(performance.now() - started) };
  if (finished) logger?.info(result, 'drained');
  else logger?.warn(result, 'drain timed out: closing the requests still in flight');
  return result;
}
