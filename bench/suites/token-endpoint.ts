/**
 * token: POST /oauth/token under autocannon at 50 connections for a fixed time, each server in its own
 * process: a bare node:http fixed-JSON server (the ceiling), the rotation floor (the least a rotating refresh
 * grant can do: ../servers/rotation-floor.ts), our refresh_token grant (every request rotates its
 * connection's own chain), our password grant (scrypt included), and oidc-provider's refresh_token grant
 * with rotation (the peer). Targets: refresh ≥ 0.15× the ceiling; refresh ≥ 3× the peer. Ceiling, floor,
 * ours and the peer take turns for ROUNDS rounds and each row shows a server's median run; beside the
 * throughput, the CPU each server and the load generator spent per request (see ../lib/cpu.ts).
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { spawnTs, waitForMessage, type ChildServer } from '../lib/child';
import type { CpuPerRequest } from '../lib/cpu';
import { runLoad, type LoadResult } from '../lib/load';
import { checkRotation, measure as measureRun, medianRun, postForm, refreshChainRun, seedsFrom, type Measured, type PreparedRun } from '../lib/refresh-load';
import { boundRow, check, ratioRow, type BenchRow, type Suite } from '../lib/report';
import { inBatches, SERVICE_PASSWORD, startWardenProcess, type WardenProcess } from '../lib/warden-process';

const CONNECTIONS = 50;
const DURATION_SEC = 10;
const WARMUP_SEC = 2;
/** Rounds of ceiling → floor → ours → peer, one after the other: each row shows a server's median run, so one
 * slow moment of a shared machine cannot decide a ratio. */
const ROUNDS = 3;
/** Chains for every warm-up and measured run of ours, plus the correctness checks and spares. */
const SEEDS = (CONNECTIONS + 10) * 2 * ROUNDS + 40;
/** Per run for the peer (and the floor), issued just before it: its in-memory adapter is an LRU of 1 000 entries, so seeds
 * issued long before a run would be evicted by the rotations of the run before. */
const PEER_SEEDS_PER_RUN = CONNECTIONS + 20;
const CLIENT_ID = 'bench-app';
/** The refresh chains are sessions of this many users, a few devices each, as real traffic is: one user's
 * sessions share index pages that different users' do not (about 10% more refreshes/s with one user). */
const USERS = 100;
const username = (i: number) => `bench.user.${i % USERS}`;
/** The password grant's load signs in as one of them. */
const USERNAME = username(0);

const TIMING = { warmupSec: WARMUP_SEC, durationSec: DURATION_SEC };
const measure = (who: string, log: (line: string) => void, pid: number | undefined, prepare: PreparedRun) => measureRun(who, log, TIMING, pid, prepare);

export const tokenEndpointSuite: Suite = {
  name: 'token',
  describe: 'POST /oauth/token at 50 connections: ceiling, rotation floor, refresh grant, password grant, oidc-provider refresh grant',
  async run({ log }) {
    const children: ChildServer[] = [];
    let service: WardenProcess | undefined;
    try {
      const ceiling = spawnTs('bench/servers/ceiling.ts');
      children.push(ceiling);
      const peer = spawnTs('bench/servers/oidc-peer.ts');
      children.push(peer);
      const floor = spawnTs('bench/servers/rotation-floor.ts');
      children.push(floor);
      service = await startWardenProcess();
      const ceilingPort = (await waitForMessage<{ port: number }>(ceiling.proc, 'ready', 20_000)).port;
      const peerPort = (await waitForMessage<{ port: number }>(peer.proc, 'ready', 30_000)).port;
      const floorPort = (await waitForMessage<{ port: number }>(floor.proc, 'ready', 20_000)).port;
      const ceilingUrl = `http://127.0.0.1:${ceilingPort}/`;
      const peerUrl = `http://127.0.0.1:${peerPort}/token`;
      const oursUrl = `${service.issuer}/oauth/token`;
      const floorUrl = `http://127.0.0.1:${floorPort}/token`;

      await service.admin('createClient', { clientId: CLIENT_ID, kind: 'public', name: 'Bench app', grantTypes: ['password', 'refresh_token'] });
      const started = performance.now();
      const svc = service;
      await inBatches(Array.from({ length: USERS }, (_, i) => i), 8, (i) => svc.admin('createUser', { username: username(i), password: SERVICE_PASSWORD }));
      const ours = (await inBatches(Array.from({ length: SEEDS }, (_, i) => i), 8, (i) => svc.login(username(i), CLIENT_ID))).map((t) => t.refresh_token);
      const peerSeeds = seedsFrom('oidc-provider', peer);
      const floorSeeds = seedsFrom('the rotation floor', floor);
      log(`seeded ${SEEDS} refresh chains for ours (${USERS} users, password logins) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

      const ceilingCheck = await fetch(ceilingUrl, { signal: AbortSignal.timeout(5_000) });
      check(ceilingCheck.status === 200 && typeof ((await ceilingCheck.json()) as { access_token?: unknown }).access_token === 'string', 'the ceiling server does not answer its JSON');
      await checkRotation('ours', oursUrl, CLIENT_ID, ours.pop()!);
      await checkRotation('oidc-provider', peerUrl, CLIENT_ID, (await peerSeeds(1))[0]!);
      await checkRotation('the rotation floor', floorUrl, CLIENT_ID, (await floorSeeds(1))[0]!);
      const login = await postForm(oursUrl, `grant_type=password&username=${USERNAME}&password=${SERVICE_PASSWORD}&client_id=${CLIENT_ID}`);
      check(login.status === 200 && typeof login.body.refresh_token === 'string', `ours: the password grant answered ${login.status}`);
      log('answers checked (rotation returns new tokens; a rotated token is refused and its reuse revokes the family, for all three)');

      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const chainRun = (url: string, seeds: () => Promise<string[]>) => refreshChainRun(url, CLIENT_ID, CONNECTIONS, seeds);
      const runs = { ceiling: [] as Measured[], floor: [] as Measured[], ours: [] as Measured[], peer: [] as Measured[] };
      for (let round = 1; round <= ROUNDS; round++) {
        log(`round ${round} of ${ROUNDS}`);
        runs.ceiling.push(await measure('ceiling (bare node:http, fixed JSON)', log, ceiling.proc.pid, async (d) => () => runLoad({ url: ceilingUrl, connections: CONNECTIONS, durationSec: d, method: 'GET' })));
        runs.floor.push(await measure('rotation floor (lookup, mark used, insert, sign)', log, floor.proc.pid, chainRun(floorUrl, () => floorSeeds(PEER_SEEDS_PER_RUN))));
        runs.ours.push(await measure('ours refresh_token grant', log, svc.child.proc.pid, chainRun(oursUrl, async () => ours.splice(0, CONNECTIONS + 10))));
        runs.peer.push(await measure('oidc-provider refresh_token grant', log, peer.proc.pid, chainRun(peerUrl, () => peerSeeds(PEER_SEEDS_PER_RUN))));
      }
      const top = medianRun(runs.ceiling);
      const floorRefresh = medianRun(runs.floor);
      const refresh = medianRun(runs.ours);
      const peerRefresh = medianRun(runs.peer);
      const password = await measure('ours password grant', log, svc.child.proc.pid, async (d) => () =>
        runLoad({ url: oursUrl, connections: CONNECTIONS, durationSec: d, headers: form, body: `grant_type=password&username=${USERNAME}&password=${SERVICE_PASSWORD}&client_id=${CLIENT_ID}` }),
      );

      const rps = (r: LoadResult) => ({ value: Math.round(r.rps), unit: 'req/s' });
      const lat = (r: LoadResult) => `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`;
      const rows: BenchRow[] = [
        ratioRow('token', `refresh_token grant with rotation, ${CONNECTIONS} conn (${lat(refresh)})`, rps(refresh), { label: `bare node:http ceiling (${lat(top)})`, ...rps(top) }, 0.15),
        ratioRow('token', 'refresh_token grant vs the peer', rps(refresh), { label: `oidc-provider refresh + rotation (${lat(peerRefresh)})`, ...rps(peerRefresh) }, 3),
        ratioRow('token', `rotation floor: the least a rotating refresh grant does (${lat(floorRefresh)})`, rps(floorRefresh), { label: 'bare node:http ceiling', ...rps(top) }, null),
        ratioRow('token', 'refresh_token grant vs the rotation floor', rps(refresh), { label: 'rotation floor', ...rps(floorRefresh) }, null),
        ratioRow('token', `password grant (scrypt), ${CONNECTIONS} conn (${lat(password)})`, rps(password), { label: 'bare node:http ceiling', ...rps(top) }, null),
        ...cpuRows(refresh, peerRefresh, floorRefresh),
      ];
      return {
        rows,
        figures: { connections: CONNECTIONS, durationSec: DURATION_SEC, warmupSec: WARMUP_SEC, rounds: ROUNDS, ceiling: top, floor: floorRefresh, refresh, peerRefresh, password, everyRun: runs },
        notes: [
          `autocannon, ${CONNECTIONS} connections, ${DURATION_SEC} s each after a ${WARMUP_SEC} s warm-up, every server in its own process (the load generator in a third); ${ROUNDS} rounds of ceiling → floor → ours → peer, each row showing that server's median run (refresh grant, every run: ours ${runs.ours.map((r) => Math.round(r.rps)).join(', ')} req/s; rotation floor ${runs.floor.map((r) => Math.round(r.rps)).join(', ')}; oidc-provider ${runs.peer.map((r) => Math.round(r.rps)).join(', ')}). Each connection rotates its own refresh chain (ours: sessions of ${USERS} users). The peer is oidc-provider ${peerVersion()} (in-memory adapter, rotateRefreshToken: true, JWT access tokens signed with EdDSA).`,
          `The rotation floor (bench/servers/rotation-floor.ts) is the least a rotating refresh grant can do, on the same node:http and better-sqlite3: per turn one transaction that looks each token up with its family, marks it used and inserts its successor (reuse revokes the family), then an Ed25519 signature and a JSON answer. It has no users, sessions, idle expiry, access-token records, counters or events; the gap between it and ours is what those cost.`,
          ...cpuNotes(top, refresh, peerRefresh, floorRefresh),
        ],
      };
    } finally {
      await Promise.all(children.map((c) => c.stop()));
      await service?.stop();
    }
  },
};

const micros = (value: number) => ({ value: Math.round(value), unit: 'µs' });
const busy = (cpu: CpuPerRequest) => `busy ${Math.round(cpu.mainBusy * 100)}% of the run`;

/** CPU per refresh beside the peer's (informative: lower is better, the ratio is how many times less). */
function cpuRows(refresh: Measured, peer: Measured, floor: Measured): BenchRow[] {
  if (!refresh.cpu || !peer.cpu) return [];
  return [
    ...(floor.cpu ? [boundRow('token', `rotation floor: main-thread CPU per request (${busy(floor.cpu)})`, micros(floor.cpu.mainUs), null, null)] : []),
    boundRow('token', `refresh grant: main-thread CPU per request (${busy(refresh.cpu)})`, micros(refresh.cpu.mainUs), null, { label: `oidc-provider (${busy(peer.cpu)})`, ...micros(peer.cpu.mainUs) }),
    boundRow('token', 'refresh grant: CPU per request, all threads', micros(refresh.cpu.mainUs + refresh.cpu.otherUs), null, { label: 'oidc-provider', ...micros(peer.cpu.mainUs + peer.cpu.otherUs) }),
  ];
}

/** What the CPU figures say about the refresh targets on this machine. */
function cpuNotes(top: Measured, refresh: Measured, peer: Measured, floor: Measured): string[] {
  if (!refresh.cpu || !peer.cpu || refresh.generatorUs === null) return [];
  const target = Math.max(0.15 * top.rps, 3 * peer.rps);
  const budget = 1e6 / target;
  const floorText = floor.cpu ? ` The rotation floor spent ${floor.cpu.mainUs.toFixed(0)} µs, which leaves ${(budget - floor.cpu.mainUs).toFixed(0)} µs per refresh for everything beyond it (ours spends ${(refresh.cpu.mainUs - floor.cpu.mainUs).toFixed(0)} µs there).` : '';
  return [
    `CPU per request is read from /proc for each server process during its measured run (the main thread, and all its other threads) and from process.cpuUsage() for the load generator, which shares this machine's ${os.availableParallelism()} cores: ${refresh.generatorUs.toFixed(0)} µs per refresh. Meeting both refresh targets here takes ${Math.round(target).toLocaleString('en-US')} req/s, i.e. at most ${budget.toFixed(0)} µs of main-thread time per refresh; ours spent ${refresh.cpu.mainUs.toFixed(0)} µs (and ${refresh.cpu.otherUs.toFixed(0)} µs on other threads), oidc-provider ${peer.cpu.mainUs.toFixed(0)} µs.${floorText}`,
  ];
}

function peerVersion(): string {
  const manifest = createRequire(import.meta.url)('oidc-provider/package.json') as { version: string };
  return manifest.version;
}
