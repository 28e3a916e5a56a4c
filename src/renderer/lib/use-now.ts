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

/**
 * One subscribe function per period, the same on every render. useSyncExternalStore resubscribes whenever
 * it is handed a new function; with a fresh closure per render, a lone watcher unsubscribed (stopping the
 * interval), resubscribed (restarting it with a new `now`), saw its snapshot change and re-rendered — over
 * and over whenever a millisecond passed in between: React's "maximum update depth exceeded", a blank
 * console, mostly on slow machines.
 */
const subscribers = new Map<number, (listener: () => void) => () => void>();

function subscriberFor(periodMs: number): (listener: () => void) => () => void {
  let found = subscribers.get(periodMs);
  if (!found) {
    found = (listener) => subscribe(periodMs, listener);
    subscribers.set(periodMs, found);
  }
  return found;
}

/** The current time in ms, re-rendering every `periodMs`. */
export function useNow(periodMs = 1_000): number {
  return useSyncExternalStore(subscriberFor(periodMs), () => ticker(periodMs).now);
}
