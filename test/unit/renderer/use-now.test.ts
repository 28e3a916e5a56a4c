import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadRenderer } from './load-renderer';

// What useNow hands React's useSyncExternalStore on each "render" (a hook call outside React here).
type Subscribe = (listener: () => void) => () => void;
const handed: { subscribe: Subscribe; getSnapshot: () => number }[] = [];
vi.mock('react', async (importOriginal) => ({
  ...(await importOriginal<Record<string, unknown>>()),
  useSyncExternalStore: (subscribe: Subscribe, getSnapshot: () => number) => {
    handed.push({ subscribe, getSnapshot });
    return getSnapshot();
  },
}));

const { useNow } = await loadRenderer<{ useNow(periodMs?: number): number }>('lib/use-now.ts');

afterEach(() => {
  handed.length = 0;
  vi.useRealTimers();
});

describe('useNow', () => {
  it('hands React the same subscribe function on every render of a period', () => {
    // A new function per render made React unsubscribe and resubscribe each time; a lone watcher then
    // restarted the clock, saw a new snapshot and re-rendered again: "maximum update depth exceeded".
    useNow(1_000);
    useNow(1_000);
    useNow(250);
    expect(handed[1]!.subscribe).toBe(handed[0]!.subscribe);
    expect(handed[2]!.subscribe).not.toBe(handed[0]!.subscribe);
  });

  it('ticks every period while watched and stops when nobody watches', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    useNow(500);
    const { subscribe, getSnapshot } = handed[0]!;
    const heard: number[] = [];
    const stop = subscribe(() => heard.push(getSnapshot()));
    vi.advanceTimersByTime(1_500);
    expect(heard).toEqual([1_000_500, 1_001_000, 1_001_500]);
    stop();
    vi.advanceTimersByTime(1_500);
    expect(heard).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });
});
