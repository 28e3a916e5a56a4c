/**
 * cluster: the refresh grant on PostgreSQL with one and with two instances of the service (real headless
 * processes, as `npm run serve` runs them, on one database: test/helpers/cluster.ts), beside the same grant on
 * SQLite and oidc-provider's (in-memory store) in the same run, POST /oauth/token under autocannon at 50
 * connections, every connection rotating its own refresh chain (../lib/refresh-load.ts). Beside requests/s and
 * latency, the CPU per refresh of every process that serves it: the instances, and the whole PostgreSQL cluster
 * (the postmaster and all it started: backends, WAL writer, checkpointer, autovacuum; ../lib/cpu.ts). Then
 * force-logout propagation with the feed subscriber on another instance than the admin call
 * (./cluster-propagation.ts).
 *
 * Two instances: connection i goes to instance i mod 2, as a round-robin load balancer spreads connections. The
 * second instance runs only for the two-instance runs (SIGTERM before a one-instance run, started again after),
 * so a one-instance run pays for nothing else. Runs: PostgreSQL ×2, ×1, oidc-provider, SQLite, then the same in
 * reverse (ABBA, so a drift of the shared machine weighs on all alike); each row shows the slower of a server's
 * two runs. Targets: CPU per refresh (instances + PostgreSQL) ≤ oidc-provider's; p99 < 50 ms; propagation
 * across instances p99 < 25 ms. TW_BENCH_CLUSTER_QUICK=1 shortens every run (a smoke run, not a figure).
 */
import os from 'node:os';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServiceCluster, type ServiceCluster } from '../../test/helpers/cluster';
import type { TestUser } from '../../test/helpers/warden';
import { startBenchPostgres } from '../lib/bench-postgres';
import { onAbnormalExit, spawnTs, waitForMessage, type ChildServer } from '../lib/child';
import { sampleProcessCpu } from '../lib/cpu';
import { checkRotation, measure, medianRun, refreshChainRun, seedsFrom, type CpuReader, type Measured } from '../lib/refresh-load';
import { check, type Suite } from '../lib/report';
import { latencySummary } from '../lib/stats';
import { inBatches, SERVICE_PASSWORD, startWardenProcess, type WardenProcess } from '../lib/warden-process';
import { crossInstancePropagation, TRIAL_TIMEOUT_MS } from './cluster-propagation';
import { clusterNotes, clusterRows } from './cluster-report';

const QUICK = process.env.TW_BENCH_CLUSTER_QUICK === '1';
export const CONNECTIONS = 50;
const TIMING = QUICK ? { warmupSec: 1, durationSec: 2 } : { warmupSec: 2, durationSec: 10 };
/** ABBA: the order below, then reversed. */
const ROUNDS = 2;
const ORDER = ['pg2', 'pg1', 'peer', 'sqlite'] as const;
export type Config = (typeof ORDER)[number];
/** Seeds per warm-up or measured run of ours (a connection whose refresh fails takes a fresh one). */
const SEEDS_PER_RUN = CONNECTIONS + 10;
const SEEDS = SEEDS_PER_RUN * 2 * ROUNDS;
/** The peer's in-memory adapter is an LRU of 1 000 entries: its seeds are issued just before each run. */
const PEER_SEEDS_PER_RUN = CONNECTIONS + 20;
const CLIENT_ID = 'bench-app';
/** Sessions of this many users, as in the token suite; the propagation trials force-log out each once, at the end. */
const USERS = QUICK ? 20 : 100;
const username = (i: number) => `bench.user.${i % USERS}`;
/** Every instance, SQLite's too, as the cluster helper starts them: no per-request log line (the peer writes none). */
const LOG_ARGS = ['--log-level', 'warn'];

const tokenUrl = (base: string) => `${base}/oauth/token`;
/** TW_BENCH_PROFILE_DIR (docs/benchmarks.md) reaches the instances through a preload: ../lib/child.ts's --cpu-prof cannot. */
const PROFILE_ENV: NodeJS.ProcessEnv = process.env.TW_BENCH_PROFILE_DIR ? { NODE_OPTIONS: `--import ${fileURLToPath(new URL('../lib/cpu-profile-preload.mjs', import.meta.url))}` } : {};

/** The cluster's processes are detached (their own process group): if the bench dies half way, they go too. */
function guardCluster(cluster: ServiceCluster): () => void {
  return onAbnormalExit(() => {
    for (const i of [0, 1]) {
      const pid = cluster.instance(i)?.child.pid;
      try {
        if (pid) process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(path.dirname(cluster.adminTokenFile), { recursive: true, force: true });
  });
}

async function seedSqlite(service: WardenProcess): Promise<string[]> {
  await service.admin('createClient', { clientId: CLIENT_ID, kind: 'public', name: 'Bench app', grantTypes: ['password', 'refresh_token'] });
  await inBatches(Array.from({ length: USERS }, (_, i) => i), 8, (i) => service.admin('createUser', { username: username(i), password: SERVICE_PASSWORD }));
  return (await inBatches(Array.from({ length: SEEDS + 1 }, (_, i) => i), 8, (i) => service.login(username(i), CLIENT_ID))).map((t) => t.refresh_token);
}

/** Users and chains on the deployment, the logins (scrypt) spread over both instances. */
async function seedCluster(cluster: ServiceCluster): Promise<{ users: TestUser[]; pg1: string[]; pg2: string[] }> {
  await cluster.createPublicClient(CLIENT_ID);
  const users = await inBatches(Array.from({ length: USERS }, (_, i) => i), 8, (i) => cluster.createUser(username(i), SERVICE_PASSWORD));
  const seeds = (await inBatches(Array.from({ length: 2 * SEEDS + 1 }, (_, i) => i), 8, (i) => cluster.login(users[i % USERS]!, CLIENT_ID, i % 2))).map((t) => t.refresh_token);
  return { users, pg1: seeds.splice(0, SEEDS), pg2: seeds };
}

export const clusterSuite: Suite = {
  name: 'cluster',
  describe: 'refresh grant on PostgreSQL with 1 and 2 instances beside SQLite and oidc-provider (req/s, CPU per refresh with the database), force-logout propagation across instances',
  async run({ log }) {
    const pg = await startBenchPostgres();
    if ('unavailable' in pg) return { rows: [], figures: {}, notes: [], skipped: pg.unavailable };
    const children: ChildServer[] = [];
    let sqlite: WardenProcess | undefined;
    let cluster: ServiceCluster | undefined;
    let unguard = () => {};
    try {
      const peer = spawnTs('bench/servers/oidc-peer.ts');
      children.push(peer);
      const started = performance.now();
      // Started side by side; whatever did start is stopped below even when the other failed.
      const [single, several] = await Promise.allSettled([startWardenProcess({ args: LOG_ARGS }), startServiceCluster({ instances: 2, database: pg.url, env: PROFILE_ENV })]);
      if (single.status === 'fulfilled') sqlite = single.value;
      if (several.status === 'fulfilled') {
        cluster = several.value;
        unguard = guardCluster(cluster);
      }
      if (single.status === 'rejected') throw single.reason;
      if (several.status === 'rejected') throw several.reason;
      if (!sqlite || !cluster) throw new Error('unreachable: both started');
      const peerUrl = `http://127.0.0.1:${(await waitForMessage<{ port: number }>(peer.proc, 'ready', 30_000)).port}/token`;
      log(`PostgreSQL ${pg.version} (a throwaway cluster, pid ${pg.postmasterPid}), two instances, SQLite service and oidc-provider up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const deployment = cluster;
      const sqliteService = sqlite;

      const seeding = performance.now();
      const [sqliteSeeds, { users, pg1: pg1Seeds, pg2: pg2Seeds }] = await Promise.all([seedSqlite(sqliteService), seedCluster(deployment)]);
      log(`seeded ${SEEDS} refresh chains for SQLite and ${2 * SEEDS} for PostgreSQL (${USERS} users each, password logins) in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
      const peerSeeds = seedsFrom('oidc-provider', peer);

      const [urlA, urlB] = deployment.urls.map(tokenUrl) as [string, string];
      await checkRotation('SQLite', tokenUrl(sqliteService.issuer), CLIENT_ID, sqliteSeeds.pop()!);
      await checkRotation('PostgreSQL (rotated on instance 1, reused on instance 2)', urlA, CLIENT_ID, pg2Seeds.pop()!, urlB);
      await checkRotation('oidc-provider', peerUrl, CLIENT_ID, (await peerSeeds(1))[0]!);
      log('answers checked (rotation returns new tokens; a rotated token is refused and its reuse revokes the family; on PostgreSQL, by the other instance)');

      const second = async (up: boolean) => {
        if (up && !deployment.alive(1)) await deployment.restart(1);
        if (!up && deployment.alive(1)) await deployment.kill(1, 'SIGTERM');
      };
      const instanceCpu = (i: number): CpuReader => () => sampleProcessCpu(deployment.instance(i)?.child.pid)?.totalMs ?? null;
      const database: CpuReader = () => pg.cpuMs();
      const chains = (url: string | string[], seeds: () => Promise<string[]>) => refreshChainRun(url, CLIENT_ID, CONNECTIONS, seeds);
      const ours = (seeds: string[]) => async () => seeds.splice(0, SEEDS_PER_RUN);
      const runOne: Record<Config, () => Promise<Measured>> = {
        async pg2() {
          await second(true);
          return measure('PostgreSQL, 2 instances', log, TIMING, deployment.instance(0)?.child.pid, chains([urlA, urlB], ours(pg2Seeds)), { 'instance 2': instanceCpu(1), PostgreSQL: database });
        },
        async pg1() {
          await second(false);
          return measure('PostgreSQL, 1 instance', log, TIMING, deployment.instance(0)?.child.pid, chains(urlA, ours(pg1Seeds)), { PostgreSQL: database });
        },
        peer: () => measure('oidc-provider (in-memory store)', log, TIMING, peer.proc.pid, chains(peerUrl, () => peerSeeds(PEER_SEEDS_PER_RUN))),
        sqlite: () => measure('SQLite, 1 instance', log, TIMING, sqliteService.child.proc.pid, chains(tokenUrl(sqliteService.issuer), ours(sqliteSeeds))),
      };
      const runs: Record<Config, Measured[]> = { pg2: [], pg1: [], peer: [], sqlite: [] };
      for (let round = 0; round < ROUNDS; round += 1) {
        log(`round ${round + 1} of ${ROUNDS}`);
        for (const config of round % 2 === 0 ? ORDER : [...ORDER].reverse()) {
          const run = await runOne[config]();
          // A connection refused or reset (an instance gone half way) is no non-2xx answer: it must not pass either.
          check(run.errors <= Math.max(1, run.ok2xx * 0.001), `${config}: ${run.errors} connection errors under load (of ${run.ok2xx} 2xx)`);
          check(config !== 'pg2' || deployment.alive(1), `${config}: instance 2 exited during the run:\n${deployment.output(1)}`);
          runs[config].push(run);
        }
      }

      await second(true);
      log(`propagation: ${USERS} force logouts through instance 1, kits on instance 1 and instance 2`);
      const propagation = await crossInstancePropagation(deployment, users, CLIENT_ID, log);
      const cross = latencySummary(propagation.cross);
      const same = latencySummary(propagation.same);
      log(`propagation: other instance p50 ${cross.p50} ms, p99 ${cross.p99} ms (${propagation.timeouts.cross} timed out); same instance p50 ${same.p50} ms, p99 ${same.p99} ms (${propagation.timeouts.same} timed out)`);

      const chosen = { pg2: medianRun(runs.pg2), pg1: medianRun(runs.pg1), peer: medianRun(runs.peer), sqlite: medianRun(runs.sqlite) };
      const context = { connections: CONNECTIONS, timing: TIMING, rounds: ROUNDS, quick: QUICK, cores: os.availableParallelism(), postgres: pg.version, trialTimeoutMs: TRIAL_TIMEOUT_MS };
      return {
        rows: clusterRows(chosen, propagation, TRIAL_TIMEOUT_MS),
        figures: { ...context, ...chosen, propagation: { ...propagation, crossSummary: cross, sameSummary: same }, everyRun: runs },
        notes: clusterNotes(chosen, runs, propagation, context),
      };
    } finally {
      // Each step runs whatever the one before did: PostgreSQL must go even when an instance would not stop.
      const report = (what: string) => (error: unknown) => log(`stopping ${what}: ${error instanceof Error ? error.message : String(error)}`);
      await cluster?.stopAll().catch(report('the instances'));
      unguard();
      await sqlite?.stop().catch(report('the SQLite service'));
      await Promise.all(children.map((c) => c.stop()));
      await pg.stop();
    }
  },
};
