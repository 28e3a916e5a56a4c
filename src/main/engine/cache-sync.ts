/**
 * What the engine keeps in memory that mirrors rows another instance may change (several instances on one
 * PostgreSQL, docs/postgres.md "Several instances"): the settings (`ctx.settings`) and the key ring (active, next
 * and retiring keys, the JWKS, the access-token algorithm). Every transaction that changes them announces its
 * topic ('settings', 'keys'; ./settings.ts, ./key-plan.ts, ./key-lifecycle.ts), which every instance hears once
 * it has committed; here each instance then RE-READS both from the store (the signal carries no data to trust)
 * and only then changes its memory. 'resync' (the listening connection was lost and is back: signals may have
 * been missed) re-reads the same way. The engine caches no client rows (every grant reads its client from the
 * store, whose own cache, if any, answers for itself), so a client change needs nothing here.
 *
 * Re-reads are coalesced: signals that arrive while one runs make one more. Each runs after the key lifecycle
 * steps queued before it (KeyRing.refresh), so it never interleaves with this instance's own key change; the
 * instance hears its own announcements too, which re-reads what it already holds (cheap: no vault read for
 * keys the ring has).
 */
import type { EngineContext } from './context';
import { loadSettings } from './settings';

const TOPICS: ReadonlySet<string> = new Set(['settings', 'keys', 'resync']);

/** Follows other instances' changes on a shared store; returns the unsubscribe (nothing to follow on SQLite). */
export function followChanges(ctx: EngineContext, onError: (error: unknown) => void): () => void {
  if (!ctx.store.changes.shared) return () => {};
  let running = false;
  let again = false;
  const reread = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const settings = await loadSettings(ctx.store);
        await ctx.keys.refresh(settings.signingAlg, () => {
          ctx.settings = settings;
        });
      } while (again && !ctx.keys.closed);
    } catch (error) {
      // The store closing under a re-read is no fault; anything else is reported, and the next signal retries.
      if (!ctx.keys.closed) onError(error);
    } finally {
      running = false;
    }
  };
  return ctx.store.changes.subscribe((topic) => {
    if (TOPICS.has(topic) && !ctx.keys.closed) void reread();
  });
}
