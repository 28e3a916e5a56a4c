/**
 * A throwaway PostgreSQL cluster for a suite: the test set-up's own (test/helpers/postgres.ts startCluster:
 * initdb into a temporary directory, a free loopback port, run as the postgres user when we are root) but with
 * PostgreSQL's default durability (BENCH_SETTINGS, checked once started), one fresh database on it, and the CPU of the whole cluster (the postmaster and every process it started:
 * backends, WAL writer, checkpointer, autovacuum; ./cpu.ts). Stopped by `stop()`, and also when the bench
 * dies half way (the postmaster gets SIGQUIT, PostgreSQL's immediate shutdown, and its directory is removed).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { destroyCluster, freshDatabase, startCluster, unavailableReason } from '../../test/helpers/postgres';
import { onAbnormalExit } from './child';
import { sampleProcessTreeCpuMs } from './cpu';

/**
 * PostgreSQL's own defaults for everything the test set-up turns off to go fast: a deployment's server fsyncs
 * its log, writes full pages and keeps a replica-capable log; a durable commit (a force logout) waits for the
 * flush, while the engine's routine commits ask for synchronous_commit=off themselves (src/main/store/pg/db.ts).
 * shared_buffers at its default too (the data set fits either way).
 */
export const BENCH_SETTINGS: Record<string, string> = {
  fsync: 'on',
  full_page_writes: 'on',
  synchronous_commit: 'on',
  wal_level: 'replica',
  max_wal_senders: '10',
  max_wal_size: '1GB',
  checkpoint_timeout: '5min',
  shared_buffers: '128MB',
};

export interface BenchPostgres {
  /** A superuser URL of a fresh, empty database on the cluster. */
  url: string;
  postmasterPid: number;
  /** ms of CPU the cluster has used since it started, all its processes; null off Linux. */
  cpuMs(): number | null;
  /** The server's version string, for the notes. */
  version: string;
  stop(): Promise<void>;
}

/** Starts the cluster, or says why PostgreSQL cannot run here (the suite then skips). */
export async function startBenchPostgres(): Promise<BenchPostgres | { unavailable: string }> {
  const reason = unavailableReason();
  if (reason) return { unavailable: reason };
  const cluster = await startCluster(BENCH_SETTINGS);
  let forget = () => {};
  try {
    // The first line of postmaster.pid is the postmaster's pid (PostgreSQL's own lock file).
    const postmasterPid = Number(readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (!Number.isInteger(postmasterPid) || postmasterPid <= 0) throw new Error('no postmaster pid in postmaster.pid');
    forget = onAbnormalExit(() => {
      try {
        process.kill(postmasterPid, 'SIGQUIT');
      } catch {
        // Already gone.
      }
      rmSync(cluster.dir, { recursive: true, force: true });
    });
    const url = await freshDatabase(cluster.urlFor('postgres'));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const version = ((await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? 'unknown').split(' ')[0]!;
    for (const [name, value] of Object.entries(BENCH_SETTINGS)) {
      const shown = (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name];
      if (shown !== value) throw new Error(`PostgreSQL runs with ${name}=${shown}, not ${value}: its figures would not be a deployment's`);
    }
    await client.end();
    return {
      url,
      postmasterPid,
      version,
      cpuMs: () => sampleProcessTreeCpuMs(postmasterPid),
      async stop() {
        await destroyCluster(cluster);
        forget();
      },
    };
  } catch (error) {
    await destroyCluster(cluster);
    forget();
    throw error;
  }
}
