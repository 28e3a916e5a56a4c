import { useEffect, useRef } from 'react';
import { useAdminQuery, useLiveEvents, type QueryState } from '../../api';
import type { AdminOutput } from '../../../shared/admin-api';

/** How long after the last live event the panel reads the state once more (catches 401s that follow it). */
const TRAILING_MS = 800;
/** How often the panel re-reads while a device is still changing state without an engine event. */
const SETTLE_MS = 1_000;

/**
 * The demo state, kept fresh without a polling loop: every engine event (sign-ins, refreshes, revocations,
 * feed acknowledgements) triggers a refetch, at most twice a second, plus one trailing read shortly after the
 * last event, because a device's first 401 lands a few milliseconds after the revocation event that caused it.
 * Every status change of a device follows an engine event (sign-in, refresh, revocation), so this is enough.
 */
export function useDemoState(): QueryState<AdminOutput<'getDemoState'>> {
  const query = useAdminQuery('getDemoState', {}, { refreshOn: () => true, throttleMs: 500, keepPrevious: true });
  const trailing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const { refetch } = query;
  useLiveEvents(
    () => true,
    () => {
      clearTimeout(trailing.current);
      trailing.current = setTimeout(refetch, TRAILING_MS);
    },
  );
  // While something is still in transition (a device signing in, a 401 not yet seen after an action, the
  // attacker waiting), read once more a second later; this stops by itself once the world has settled.
  const settling =
    query.data !== undefined &&
    (query.data.attacker.state === 'waiting' || query.data.devices.some((d) => d.state === 'starting' || (d.propagation !== null && d.propagation.ms === null)));
  useEffect(() => {
    if (!settling) return;
    const timer = setTimeout(refetch, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [settling, query.data, refetch]);
  useEffect(() => () => clearTimeout(trailing.current), []);
  return query;
}
