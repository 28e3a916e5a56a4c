/**
 * The refresh grant under load, as the token and cluster suites time it: form bodies for per-connection
 * refresh chains, the correctness check every server passes before it is timed, and one measured run (a
 * warm-up, then the timed run with the CPU each process spent on it, read before and after).
 */
import type { ChildServer } from './child';
import { generatorUsPerRequest, perRequest, sampleProcessCpu, type CpuPerRequest } from './cpu';
import { runLoad, TokenChains, type LoadResult } from './load';
import { check } from './report';

export const refreshBody = (clientId: string) => (token: string) => `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}&client_id=${clientId}`;

/** The rotated refresh token of a 200 answer's body, or undefined when it is not a token response. */
export function rotatedToken(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { refresh_token?: unknown; access_token?: unknown };
    return typeof parsed.refresh_token === 'string' && typeof parsed.access_token === 'string' ? parsed.refresh_token : undefined;
  } catch {
    return undefined;
  }
}

export async function postForm(url: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * One rotation works and returns new tokens; the rotated token cannot be used again (and its reuse kills the
 * family). `reuseUrl` (default `url`) is where the reuse and the successor are tried: another instance of the
 * same deployment must refuse them too.
 */
export async function checkRotation(who: string, url: string, clientId: string, seed: string, reuseUrl = url): Promise<void> {
  const body = refreshBody(clientId);
  const first = await postForm(url, body(seed));
  check(first.status === 200, `${who}: a refresh answered ${first.status} ${JSON.stringify(first.body)}`);
  const next = first.body.refresh_token;
  check(typeof next === 'string' && next !== seed, `${who}: the refresh token was not rotated`);
  check(typeof first.body.access_token === 'string' && first.body.access_token.split('.').length === 3, `${who}: no JWT access token in the response`);
  const reuse = await postForm(reuseUrl, body(seed));
  check(reuse.status === 400 && reuse.body.error === 'invalid_grant', `${who}: a rotated refresh token was accepted again (${reuse.status})`);
  const successor = await postForm(reuseUrl, body(next));
  check(successor.status === 400, `${who}: after reuse, the successor still works (${successor.status}): reuse did not revoke the family`);
}

export function assertClean(who: string, result: LoadResult): void {
  check(result.ok2xx > 0, `${who}: no successful response under load`);
  // Requests cut off when the run ends are not counted; anything else refused means the figure is wrong.
  check(result.non2xx <= Math.max(1, result.ok2xx * 0.001), `${who}: ${result.non2xx} non-2xx responses under load (of ${result.ok2xx} 2xx)`);
}

/**
 * A measured run with the CPU each side spent on it: the server process (`pid`), the load generator (us),
 * and every other process named in `others` (µs per 2xx response each; null where it could not be read).
 */
export interface Measured extends LoadResult {
  cpu: CpuPerRequest | null;
  generatorUs: number | null;
  othersUs: Record<string, number | null>;
}

/** Gets a run ready (e.g. issues its seed tokens) and resolves with what starts the load: set-up is not timed. */
export type PreparedRun = (durationSec: number) => Promise<() => Promise<LoadResult>>;

/**
 * A run of refresh chains against `url` (several: connections spread round-robin), every connection rotating
 * its own chain from the seeds `seeds()` gives just before the run.
 */
export function refreshChainRun(url: string | string[], clientId: string, connections: number, seeds: () => Promise<string[]>): PreparedRun {
  return async (durationSec) => {
    const chain = new TokenChains(await seeds(), refreshBody(clientId), rotatedToken);
    return () => runLoad({ url, connections, durationSec, headers: { 'content-type': 'application/x-www-form-urlencoded' }, chain });
  };
}

/** Refresh tokens from a server child that issues its own (`{type:'seeds', count}` over IPC: ../servers). */
export const seedsFrom = (who: string, server: ChildServer) => async (count: number): Promise<string[]> => {
  const reply = await server.request<{ tokens?: string[]; error?: string }>({ type: 'seeds', count }, 'seeds', 30_000);
  check(reply.tokens && reply.tokens.length === count, `${who} issued no refresh tokens: ${reply.error ?? ''}`);
  return reply.tokens;
};

export interface RunTiming {
  warmupSec: number;
  durationSec: number;
}

/** ms of CPU a process (or a group of them) has used so far, or null where it cannot be read. */
export type CpuReader = () => number | null;

export async function measure(who: string, log: (line: string) => void, timing: RunTiming, pid: number | undefined, prepare: PreparedRun, others: Record<string, CpuReader> = {}): Promise<Measured> {
  await (await prepare(timing.warmupSec))();
  const start = await prepare(timing.durationSec);
  const names = Object.keys(others);
  const othersBefore = names.map((name) => others[name]!());
  const before = sampleProcessCpu(pid);
  const generatorSince = process.cpuUsage();
  const started = performance.now();
  const result = await start();
  const wallMs = performance.now() - started;
  const generatorUs = generatorUsPerRequest(generatorSince, result.ok2xx);
  const cpu = perRequest(before, sampleProcessCpu(pid), result.ok2xx, wallMs);
  const othersUs = Object.fromEntries(
    names.map((name, i) => {
      const [from, to] = [othersBefore[i], others[name]!()];
      return [name, from == null || to == null || result.ok2xx <= 0 ? null : ((to - from) * 1000) / result.ok2xx];
    }),
  );
  assertClean(who, result);
  const othersText = names.map((name) => `, ${name} ${othersUs[name]?.toFixed(0) ?? '?'} µs`).join('');
  const cpuText = cpu ? `; CPU per request: ${cpu.mainUs.toFixed(0)} µs main thread (busy ${(cpu.mainBusy * 100).toFixed(0)}%) + ${cpu.otherUs.toFixed(0)} µs other threads${othersText}, load generator ${generatorUs?.toFixed(0)} µs` : '';
  log(`${who}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (${result.ok2xx} ok, ${result.non2xx} non-2xx, ${result.errors} errors)${cpuText}`);
  return { ...result, cpu, generatorUs, othersUs };
}

/** The run with the median throughput (a real run, so its latencies and CPU figures belong to it). */
export function medianRun(list: Measured[]): Measured {
  return [...list].sort((a, b) => a.rps - b.rps)[Math.floor((list.length - 1) / 2)]!;
}
