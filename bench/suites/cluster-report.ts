/** The cluster suite's table rows and notes (./cluster.ts measures; this says what the figures mean). */
import { boundRow, ratioRow, type BenchRow } from '../lib/report';
import type { Measured } from '../lib/refresh-load';
import { latencySummary } from '../lib/stats';
import type { PropagationTimes } from './cluster-propagation';
import type { Config } from './cluster';

const SUITE = 'cluster';
const P99_TARGET_MS = 50;
const PROPAGATION_TARGET_MS = 25;

const rps = (r: Measured) => ({ value: Math.round(r.rps), unit: 'req/s' });
const lat = (r: Measured) => `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`;
const micros = (value: number) => ({ value: Math.round(value), unit: 'µs' });

/** CPU per refresh of a run's serving processes: its main process (all threads) and every other one it names. */
export function cpuParts(run: Measured): { server: number; others: Record<string, number>; total: number } | null {
  if (!run.cpu || Object.values(run.othersUs).some((us) => us === null)) return null;
  const server = run.cpu.mainUs + run.cpu.otherUs;
  const others = run.othersUs as Record<string, number>;
  return { server, others, total: server + Object.values(others).reduce((sum, us) => sum + us, 0) };
}

/** "instance 1 180 µs + instance 2 170 µs + PostgreSQL 150 µs" */
function cpuText(run: Measured, first: string): string {
  const parts = cpuParts(run);
  if (!parts) return '';
  return [[first, parts.server] as const, ...Object.entries(parts.others)].map(([name, us]) => `${name} ${Math.round(us)} µs`).join(' + ');
}

/** A lower-is-better figure whose target is the reference itself (at most the peer's). */
function atMostRow(metric: string, ours: number, reference: { label: string; value: number }): BenchRow {
  const row = boundRow(SUITE, metric, micros(ours), null, { label: reference.label, ...micros(reference.value) });
  const met = ours <= reference.value;
  return { ...row, target: `≤ ${reference.label}`, met, margin: ours > 0 ? reference.value / ours : null };
}

/** Cross-instance times with each timed-out trial counted at the bound (so the percentile is a lower bound). */
export function crossWithTimeouts(p: PropagationTimes, timeoutMs: number): number[] {
  return [...p.cross, ...Array.from({ length: p.timeouts.cross }, () => timeoutMs)];
}

export function clusterRows(c: Record<Config, Measured>, p: PropagationTimes, timeoutMs: number): BenchRow[] {
  const rows: BenchRow[] = [
    ratioRow(SUITE, `refresh grant, PostgreSQL, 1 instance, 50 conn (${lat(c.pg1)})`, rps(c.pg1), { label: `SQLite, 1 instance (${lat(c.sqlite)})`, ...rps(c.sqlite) }, null),
    ratioRow(SUITE, `refresh grant, PostgreSQL, 2 instances, 50 conn (${lat(c.pg2)})`, rps(c.pg2), { label: 'PostgreSQL, 1 instance', ...rps(c.pg1) }, null),
    ratioRow(SUITE, 'refresh grant, PostgreSQL, 2 instances vs the peer', rps(c.pg2), { label: `oidc-provider, in-memory store (${lat(c.peer)})`, ...rps(c.peer) }, null),
    boundRow(SUITE, 'refresh grant, PostgreSQL, 1 instance: p99 at 50 connections', { value: c.pg1.p99Ms, unit: 'ms' }, P99_TARGET_MS),
    boundRow(SUITE, 'refresh grant, PostgreSQL, 2 instances: p99 at 50 connections', { value: c.pg2.p99Ms, unit: 'ms' }, P99_TARGET_MS),
  ];
  const peer = cpuParts(c.peer);
  const pg1 = cpuParts(c.pg1);
  const pg2 = cpuParts(c.pg2);
  const sqlite = cpuParts(c.sqlite);
  if (peer && pg1 && pg2 && sqlite) {
    const reference = { label: "oidc-provider's", value: peer.total };
    rows.push(
      atMostRow(`CPU per refresh, PostgreSQL, 1 instance: ${cpuText(c.pg1, 'instance')}`, pg1.total, reference),
      atMostRow(`CPU per refresh, PostgreSQL, 2 instances: ${cpuText(c.pg2, 'instance 1')}`, pg2.total, reference),
      boundRow(SUITE, 'CPU per refresh, SQLite, 1 instance (all threads)', micros(sqlite.total), null, { label: 'oidc-provider (all threads)', ...micros(peer.total) }),
    );
  }
  const cross = latencySummary(crossWithTimeouts(p, timeoutMs));
  const same = latencySummary(p.same);
  const missed = p.timeouts.cross > 0 ? `, ${p.timeouts.cross} of ${p.trials} trials not applied within ${timeoutMs} ms, counted as ${timeoutMs} ms${p.gaveUp ? ', trials stopped early' : ''}` : '';
  rows.push(
    boundRow(SUITE, `force logout on instance 1 → kit on instance 2 rejects: p99 (p50 ${cross.p50.toFixed(2)} ms, max ${cross.max.toFixed(1)} ms, ${p.trials} trials${missed})`, { value: cross.p99, unit: 'ms' }, PROPAGATION_TARGET_MS, {
      label: `kit on instance 1 (p50 ${Number.isFinite(same.p50) ? same.p50.toFixed(2) : '—'} ms)`,
      value: Number.isFinite(same.p99) ? same.p99 : 0,
      unit: 'ms',
    }),
  );
  return rows;
}

export interface ClusterContext {
  connections: number;
  timing: { warmupSec: number; durationSec: number };
  rounds: number;
  quick: boolean;
  cores: number;
  postgres: string;
  trialTimeoutMs: number;
}

export function clusterNotes(c: Record<Config, Measured>, runs: Record<Config, Measured[]>, p: PropagationTimes, ctx: ClusterContext): string[] {
  const every = (config: Config) => runs[config].map((r) => Math.round(r.rps)).join(', ');
  const generator = (config: Config) => (c[config].generatorUs === null ? '?' : c[config].generatorUs!.toFixed(0));
  const cpu = (config: Config, first: string) => {
    const parts = cpuParts(c[config]);
    return parts ? `${Math.round(parts.total)} µs (${cpuText(c[config], first)})` : 'not read (no /proc)';
  };
  return [
    ...(ctx.quick ? ['QUICK RUN (TW_BENCH_CLUSTER_QUICK=1): runs and trials shortened; a smoke test, not a figure to quote.'] : []),
    `autocannon, ${ctx.connections} connections, ${ctx.timing.durationSec} s each after a ${ctx.timing.warmupSec} s warm-up, each connection rotating its own refresh chain; every server in its own process, the load generator in the bench process, on ${ctx.cores} cores. Order PostgreSQL ×2, ×1, oidc-provider, SQLite, then the reverse; each row shows the slower of a server's ${ctx.rounds} runs (every run: PostgreSQL ×2 ${every('pg2')} req/s; ×1 ${every('pg1')}; oidc-provider ${every('peer')}; SQLite ${every('sqlite')}). Two instances: connection i goes to instance i mod 2 (round-robin, as a load balancer spreads connections); the second instance is stopped (SIGTERM) for every other run. Every instance runs with --log-level warn (no line per request; the token suite measures the default).`,
    `The deployment is test/helpers/cluster.ts: headless service processes (src/main/headless.ts, what npm run serve runs) with --database on one database, --key-store database with one master key, one --admin-token-file and one --issuer. PostgreSQL ${ctx.postgres} is a throwaway cluster on a loopback port started by the test set-up's code (test/helpers/postgres.ts) but with PostgreSQL's default durability (bench/lib/bench-postgres.ts: fsync, full-page writes, synchronous_commit on, wal_level replica, shared_buffers 128MB): a durable commit such as a force logout waits for the log's flush, while the engine's routine commits, refreshes among them, ask for synchronous_commit=off (src/main/store/pg/db.ts), as SQLite's run with synchronous=NORMAL.`,
    `CPU per refresh, from /proc during each measured run: each instance's process (all threads), and PostgreSQL's whole cluster: the postmaster, every process it started (backends, WAL writer, checkpointer, autovacuum) and those it reaped during the run. PostgreSQL ×1: ${cpu('pg1', 'instance')}; ×2: ${cpu('pg2', 'instance 1')}; SQLite: ${cpu('sqlite', 'instance')}; oidc-provider: ${cpu('peer', 'process')}. The load generator spent ${generator('pg1')} µs (×1), ${generator('pg2')} µs (×2), ${generator('sqlite')} µs (SQLite), ${generator('peer')} µs (oidc-provider) per refresh.`,
    `Propagation: ${p.trials} trials, one force logout every 100 ms through instance 1's admin API; one kit (@token-warden/verifier) follows the feed through instance 1, another through instance 2 (its fetch pinned to that instance, as a load balancer would pin it); the clock starts before the admin call and stops when the kit has applied the event and refuses the token. ${p.timeouts.cross === 0 ? 'Every trial reached both kits.' : `The kit on instance 2 missed ${p.timeouts.cross} (no event within ${ctx.trialTimeoutMs} ms)${p.gaveUp ? ', and the trials stopped after three misses in a row' : ''}; the kit on instance 1 missed ${p.timeouts.same}.`}`,
  ];
}
