/**
 * React hooks over the gateway: live events and queries that refetch when a matching live event arrives.
 * No polling: a view is refreshed by the event that changed its data (or by the stream reconnecting).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AdminInput, AdminMethod, AdminOutput } from '../../shared/admin-api';
import type { LiveEvent } from '../../shared/events';
import { ApiError, toApiError } from './api-error';
import { callAdmin } from './client';
import { getBridge, onReconnect } from './gateway';

/** Calls `handler` for every live event that passes `filter`. Both may change between renders. */
export function useLiveEvents(filter: (event: LiveEvent) => boolean, handler: (event: LiveEvent) => void): void {
  const ref = useRef({ filter, handler });
  useEffect(() => {
    ref.current = { filter, handler };
  });
  useEffect(
    () =>
      getBridge().onEvent((event) => {
        if (ref.current.filter(event)) ref.current.handler(event);
      }),
    [],
  );
}

export interface QueryOptions {
  /** Refetch when a live event matches. */
  refreshOn?: (event: LiveEvent) => boolean;
  /** At most one refetch per this many ms (bursts of events coalesce). Default 250. */
  throttleMs?: number;
  /** Skip the call entirely while false. Default true. */
  enabled?: boolean;
  /** Keep showing the previous input's data while the new one loads (paging). Default false. */
  keepPrevious?: boolean;
}

export interface QueryState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Refetch now, skipping the throttle (after the user's own action). */
  refetch: () => void;
  /** Replace the data with a value a mutation just returned (no round trip, no flash of old values). */
  setData: (data: T) => void;
}

/** Fetches `method(input)` and keeps it fresh from live events. `input` is compared by value. */
export function useAdminQuery<M extends AdminMethod>(
  method: M,
  input: AdminInput<M>,
  options: QueryOptions = {},
): QueryState<AdminOutput<M>> {
  const { throttleMs = 250, enabled = true, keepPrevious = false } = options;
  const key = JSON.stringify(input);
  const [state, setState] = useState<Omit<QueryState<AdminOutput<M>>, 'refetch' | 'setData'>>({
    data: undefined,
    error: undefined,
    loading: enabled,
  });
  const refreshOn = useRef(options.refreshOn);
  useEffect(() => {
    refreshOn.current = options.refreshOn;
  });
  const refetchRef = useRef<() => void>(() => {});

  useEffect(() => {
    if (!enabled) {
      setState({ data: undefined, error: undefined, loading: false });
      return;
    }
    const parsedInput = JSON.parse(key) as AdminInput<M>;
    let disposed = false;
    let inFlight = false;
    let pending = false;
    let lastStart = -Infinity;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const fetchNow = async (): Promise<void> => {
      inFlight = true;
      pending = false;
      lastStart = performance.now();
      try {
        const data = await callAdmin(method, parsedInput);
        if (!disposed) setState({ data, error: undefined, loading: false });
      } catch (error) {
        if (!disposed) setState((previous) => ({ data: previous.data, error: toApiError(error), loading: false }));
      } finally {
        inFlight = false;
        if (pending && !disposed) schedule();
      }
    };
    const schedule = (immediate = false): void => {
      if (disposed) return;
      if (inFlight) {
        pending = true;
        return;
      }
      if (timer !== undefined && !immediate) return;
      clearTimeout(timer);
      const wait = immediate ? 0 : Math.max(0, lastStart + throttleMs - performance.now());
      timer = setTimeout(() => {
        timer = undefined;
        void fetchNow();
      }, wait);
    };

    refetchRef.current = () => schedule(true);
    setState((previous) => ({ data: keepPrevious ? previous.data : undefined, error: undefined, loading: true }));
    void fetchNow();
    const offEvent = getBridge().onEvent((event) => {
      if (refreshOn.current?.(event)) schedule();
    });
    const offReconnect = onReconnect(() => schedule());
    return () => {
      disposed = true;
      clearTimeout(timer);
      offEvent();
      offReconnect();
    };
  }, [method, key, enabled, throttleMs, keepPrevious]);

  const refetch = useCallback(() => refetchRef.current(), []);
  const setData = useCallback((data: AdminOutput<M>) => setState({ data, error: undefined, loading: false }), []);
  return { ...state, refetch, setData };
}

export interface ActionState {
  busy: boolean;
  error: ApiError | undefined;
  /** Clears a shown error (e.g. when a dialog is reopened). */
  reset: () => void;
}

/**
 * Wraps a mutation for a button: tracks busy/error and resolves to the result, or to undefined when it
 * failed (the error is then in state, to show inline).
 */
export function useAction<A extends unknown[], R>(run: (...args: A) => Promise<R>): [(...args: A) => Promise<R | undefined>, ActionState] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const runRef = useRef(run);
  useEffect(() => {
    runRef.current = run;
  });
  const execute = useCallback(async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await runRef.current(...args);
    } catch (caught) {
      setError(toApiError(caught));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const reset = useCallback(() => setError(undefined), []);
  return [execute, { busy, error, reset }];
}
