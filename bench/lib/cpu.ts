/**
 * CPU time per request, beside each throughput figure. Throughput alone cannot say why a server stops where
 * it does: a server whose main thread is busy the whole run is bound by that thread (work moved to other
 * threads or removed raises it); one that is not is waiting on something else. On a machine whose cores the
 * load generator shares, the generator's own cost per request matters too, so it is measured as well.
 *
 * Servers are read from /proc (Linux): the process's total and its main thread's (whose tid is the pid),
 * in clock ticks. The load generator is this process (process.cpuUsage()). Elsewhere the figures are null.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface CpuSample {
  /** ms of CPU, all threads (exited ones included: the kernel keeps their time in the process total) */
  totalMs: number;
  /** ms of CPU on the main thread, where JavaScript, the HTTP parser and SQLite's statements run */
  mainMs: number;
}

export interface CpuPerRequest {
  /** µs per 2xx response on the main thread */
  mainUs: number;
  /** µs per 2xx response on every other thread (WAL checkpoints, libuv's pool, GC helpers, crypto workers) */
  otherUs: number;
  /** share of the run's wall time the main thread was on a core, 0–1 */
  mainBusy: number;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a /proc stat file, in ms; the command name may hold spaces, so fields count from ')'. */
function statCpuMs(file: string): number {
  const text = readFileSync(file, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After ')': state is field 3 of proc(5); utime and stime are fields 14 and 15, i.e. indexes 11 and 12 here.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
}

/** The process's CPU so far; null where /proc is not there (macOS, Windows) or the process is gone. */
export function sampleProcessCpu(pid: number | undefined): CpuSample | null {
  if (pid === undefined || process.platform !== 'linux') return null;
  try {
    return { totalMs: statCpuMs(`/proc/${pid}/stat`), mainMs: statCpuMs(`/proc/${pid}/task/${pid}/stat`) };
  } catch {
    return null;
  }
}

/** Per-request figures between two samples of the same process. */
export function perRequest(before: CpuSample | null, after: CpuSample | null, requests: number, wallMs: number): CpuPerRequest | null {
  if (!before || !after || requests <= 0 || wallMs <= 0) return null;
  const mainMs = after.mainMs - before.mainMs;
  const otherMs = after.totalMs - before.totalMs - mainMs;
  return { mainUs: (mainMs * 1000) / requests, otherUs: (Math.max(0, otherMs) * 1000) / requests, mainBusy: mainMs / wallMs };
}

/** µs of CPU this process (the load generator) spent per request between `since` and now. */
export function generatorUsPerRequest(since: NodeJS.CpuUsage, requests: number): number | null {
  if (requests <= 0) return null;
  const used = process.cpuUsage(since);
  return (used.user + used.system) / requests;
}
