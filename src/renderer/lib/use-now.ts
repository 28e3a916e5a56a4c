/**
 * One shared ticking clock per period: every countdown on screen re-renders from the same interval, and the
 * interval only runs while something is watching it.
 */
import { useSyncExternalStore } from 'react';

interface Ticker {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | undefined;
}

const tickers = new Map<number, Ticker>();

function ticker(periodMs: number): Ticker {
  let found = tickers.get(periodMs);
  if (!found) {
    found = { now: Date.now(), listeners: new Set(), timer: undefined };
    tickers.set(periodMs, found);
  }
  return found;
}

function subscribe(periodMs: number, listener: () => void): () => void {
  const t = ticker(periodMs);
  t.listeners.add(listener);
  if (t.timer === undefined) {
    t.now = Date.now();
    t.timer = setInterval(() => {
      t.now = Date.now();
      t.listeners.forEach((l) => l());
    }, periodMs);
  }
  return () => {
    t.listeners.delete(listener);
    if (t.listeners.size === 0 && t.timer !== undefined) {
      clearInterval(t.timer);
      t.timer = undefined;
    }
  };
}

/** The current time in ms, re-rendering every `periodMs`. */
export function useNow(periodMs = 1_000): number {
  return useSyncExternalStore(
    (listener) => subscribe(periodMs, listener),
    () => ticker(periodMs).now,
  );
}
