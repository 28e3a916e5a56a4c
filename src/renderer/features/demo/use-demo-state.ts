import { useEffect, useRef } from 'react';
import { useAdminQuery, useLiveEvents, type QueryState } from '../../api';
import type { AdminOutput } from '../../../shared/admin-api';

/** How long after the last live event the panel reads the state once more (catches 401s that follow it). */
const TRAILING_MS = 800;

/**
 * The demo state, kept fresh without a polling loop: every engine event (sign-ins, refreshes, revocations,
 * feed acknowledgements) triggers a refetch, at most twice a second, plus one trailing read shortly after the
 * last event, because a device's first 401 lands a few milliseconds after the revocation event that caused it.
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
  useEffect(() => () => clearTimeout(trailing.current), []);
  return query;
}
