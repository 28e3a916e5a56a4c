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
import { readdirSync, readFileSync } from 'node:fs';

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

/** The fields of a /proc stat file after the command name (which may hold spaces): index 0 is state (field 3 of proc(5)). */
function statFields(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

const ticksToMs = (...ticks: Array<string | undefined>) => (ticks.reduce((sum, t) => sum + Number(t), 0) * 1000) / clockTicks();

/** utime + stime of a /proc stat file, in ms; the command name may hold spaces, so fields count from ')'. */
function statCpuMs(file: string): number {
  const fields = statFields(file);
  // After ')': state is field 3 of proc(5); utime and stime are fields 14 and 15, i.e. indexes 11 and 12 here.
  return ticksToMs(fields[11], fields[12]);
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

/**
 * ms of CPU a server made of processes has used so far: `rootPid` (e.g. a PostgreSQL postmaster) with its
 * reaped children (cutime, cstime) and each live child (its utime and stime, and its own reaped children), so a
 * backend that exits between two samples still counts. Read from /proc (Linux): null elsewhere or when the root
 * is gone. The root is read first: a child reaped between the two reads is missed rather than counted twice.
 */
export function sampleProcessTreeCpuMs(rootPid: number | undefined): number | null {
  if (rootPid === undefined || process.platform !== 'linux') return null;
  let total: number;
  try {
    // After the name: ppid 1, utime 11, stime 12, cutime 13, cstime 14.
    const root = statFields(`/proc/${rootPid}/stat`);
    total = ticksToMs(root[11], root[12], root[13], root[14]);
  } catch {
    return null;
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(`/proc/${entry}/stat`);
      if (Number(fields[1]) === rootPid) total += ticksToMs(fields[11], fields[12], fields[13], fields[14]);
    } catch {
      // Exited between the listing and the read.
    }
  }
  return total;
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
