/**
 * Delivers OpenID Connect back-channel logout tokens from the outbox (src/main/engine/backchannel.ts owns the
 * rules and the rows; this module only POSTs). It wakes when a session is revoked (after that commit), when
 * it starts (rows a previous process left), and when the earliest pending row falls due. At most
 * `concurrency` POSTs are in flight; each has a timeout; everything runs off the request path, so a slow or
 * dead receiver never holds up the token endpoint. Rows are leased while attempted: several processes on one
 * database (issue 17) each take different rows, and a process that dies mid-attempt leaves its rows to
 * whoever comes next once their leases end. Every instance runs a worker; a row queued or rescheduled on one
 * is announced ('outbox', after its commit) and wakes them all, and the first to claim it delivers it.
 */
import type { Engine } from '../engine/engine';
import { claimDueLogouts, nextLogoutDueAt, recordLogoutAttempt, type DueLogout } from '../engine/backchannel';

export interface BackchannelDeliveryOptions {
  /** POSTs in flight at once (default 4). */
  concurrency?: number;
  /** A receiver must answer within this (default 5 000 ms). */
  timeoutMs?: number;
  /** Where faults go (a failed commit of an outcome, say). */
  logFault: (where: string, fault: unknown) => void;
}

export const DEFAULT_BACKCHANNEL_CONCURRENCY = 4;
export const DEFAULT_BACKCHANNEL_TIMEOUT_MS = 5_000;
/** A lease outlives the attempt's timeout by this much, so a live attempt is always settled inside its lease. */
const LEASE_MARGIN_MS = 5_000;
/** The due-row timer never sleeps longer than this (a row another process scheduled is found by then). */
const MAX_SLEEP_MS = 60_000;
/** How soon to look again when a due row was claimed by another instance first. */
const CONTENDED_RETRY_MS = 50;

export interface BackchannelDelivery {
  /** Look for due rows now (coalesced: many wakes in one turn make one look). */
  wake(): void;
  /** Stops looking, aborts attempts in flight (their rows stay leased and are retried later) and waits for them. */
  stop(): Promise<void>;
}

export function startBackchannelDelivery(engine: Engine, options: BackchannelDeliveryOptions): BackchannelDelivery {
  const ctx = engine.ctx;
  const concurrency = options.concurrency ?? DEFAULT_BACKCHANNEL_CONCURRENCY;
  const timeoutMs = options.timeoutMs ?? DEFAULT_BACKCHANNEL_TIMEOUT_MS;
  const leaseMs = timeoutMs + LEASE_MARGIN_MS;
  const inFlight = new Set<Promise<void>>();
  const aborts = new Set<AbortController>();
  let stopped = false;
  let scheduled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function attempt({ row, logoutToken }: DueLogout): Promise<void> {
    const abort = new AbortController();
    aborts.add(abort);
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(row.uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ logout_token: logoutToken }).toString(),
        // §2.5 names one URI; following a redirect could hand the token to another host.
        redirect: 'manual',
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]),
      });
      status = response.status;
      await response.body?.cancel();
    } catch (fault) {
      error = describeFailure(fault, timeoutMs);
    } finally {
      aborts.delete(abort);
    }
    // Stopping: the store is about to close. The row keeps its lease and is attempted again after it.
    if (stopped) return;
    const latencyMs = Math.round(performance.now() - started);
    await recordLogoutAttempt(ctx, row, { status, error, latencyMs });
  }

  async function pump(): Promise<void> {
    scheduled = false;
    if (stopped) return;
    try {
      const free = concurrency - inFlight.size;
      let claimed = free <= 0;
      if (free > 0) {
        for (const due of await claimDueLogouts(ctx, free, leaseMs)) {
          claimed = true;
          const run = attempt(due)
            .catch((fault: unknown) => options.logFault('back-channel logout', fault))
            .finally(() => {
              inFlight.delete(run);
              wake();
            });
          inFlight.add(run);
        }
      }
      // Every slot busy: a finishing attempt wakes the pump (a timer now could spin on rows already due).
      // Nothing claimed although a row looked due: another instance is claiming it right now; look again
      // shortly (its committed lease then moves the row's due time on) rather than at once.
      if (inFlight.size < concurrency) await arm(undefined, claimed ? 0 : CONTENDED_RETRY_MS);
      else clearTimeout(timer);
    } catch (fault) {
      options.logFault('back-channel logout', fault);
      // Look again later rather than never: the outbox keeps its rows whatever went wrong here.
      await arm(MAX_SLEEP_MS);
    }
  }

  /** Sleeps until the earliest pending row falls due (or `fallback`; at least `floor`), unless slots are all busy. */
  async function arm(fallback?: number, floor = 0): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (stopped) return;
    let delay = fallback;
    if (delay === undefined) {
      const due = await nextLogoutDueAt(ctx);
      if (due === undefined) return;
      delay = Math.max(floor, due - ctx.now());
    }
    timer = setTimeout(wake, Math.min(delay, MAX_SLEEP_MS));
    timer.unref();
  }

  function wake(): void {
    if (stopped || scheduled) return;
    scheduled = true;
    // Off the current turn: a revocation's caller is answered before any claiming or signing happens.
    setImmediate(() => void pump()); // pump reports its own faults
  }

  const stopListening = engine.onEvent((event) => {
    if (event.type === 'session.revoked') wake();
  });
  // Rows queued or rescheduled by another instance on the same database ('outbox'), or possibly missed ('resync').
  const stopHearing = ctx.store.changes.subscribe((topic) => {
    if (topic === 'outbox' || topic === 'resync') wake();
  });
  wake();

  return {
    wake,
    async stop() {
      stopped = true;
      stopListening();
      stopHearing();
      clearTimeout(timer);
      for (const abort of aborts) abort.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}

function describeFailure(fault: unknown, timeoutMs: number): string {
  if (fault instanceof DOMException && fault.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (fault instanceof DOMException && fault.name === 'AbortError') return 'aborted: the service was stopping';
  const cause = fault instanceof Error && fault.cause instanceof Error ? fault.cause : fault;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  if (code) return `connection failed (${code})`;
  return fault instanceof Error ? fault.message.slice(0, 200) : 'the request failed';
}
