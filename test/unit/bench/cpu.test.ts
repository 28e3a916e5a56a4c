import { describe, expect, it } from 'vitest';
import { perRequest, sampleProcessCpu } from '../../../bench/lib/cpu';

describe('bench CPU figures', () => {
  it.runIf(process.platform === 'linux')('reads a live process from /proc, main thread within the total', () => {
    const before = sampleProcessCpu(process.pid)!;
    const until = Date.now() + 120;
    let spin = 0;
    while (Date.now() < until) spin += Math.sqrt(spin + 1);
    const after = sampleProcessCpu(process.pid)!;
    expect(after.mainMs).toBeGreaterThan(before.mainMs);
    expect(after.totalMs).toBeGreaterThanOrEqual(after.mainMs);
    expect(spin).toBeGreaterThan(0);
  });

  it('is null where there is nothing to read', () => {
    expect(sampleProcessCpu(undefined)).toBeNull();
    expect(sampleProcessCpu(2 ** 30)).toBeNull();
  });

  it('divides the CPU between two samples by the requests served', () => {
    const figures = perRequest({ totalMs: 1_000, mainMs: 800 }, { totalMs: 3_000, mainMs: 2_400 }, 10_000, 2_000);
    expect(figures).toEqual({ mainUs: 160, otherUs: 40, mainBusy: 0.8 });
    expect(perRequest(null, { totalMs: 1, mainMs: 1 }, 1, 1)).toBeNull();
    expect(perRequest({ totalMs: 1, mainMs: 1 }, { totalMs: 2, mainMs: 2 }, 0, 1)).toBeNull();
  });
});
