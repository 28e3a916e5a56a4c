/**
 * propagation: force logout → the first moment resource servers built on the kit reject the user's token.
 * The token service runs in its own process; N resource servers (node:http + the kit's middleware, each
 * with its own feed subscription and client) run in the bench process. For each of 200 trials: a fresh
 * token is accepted by every server, the admin API's forceLogout is called, and the clock stops when the
 * last of the N kits has applied the feed event and its verify rejects the token. Target p99 < 25 ms.
 * Beside it: the peers' figure, a self-contained access token living until exp (the configured lifetime).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier, type Verifier } from '@token-warden/verifier';
import { within } from '../lib/in-process-warden';
import { BenchCheckError, boundRow, check, type BenchRow, type Suite } from '../lib/report';
import { latencySummary } from '../lib/stats';
import { inBatches, SERVICE_PASSWORD, startWardenProcess, type WardenProcess } from '../lib/warden-process';

const TRIALS = 200;
const FLEETS = [1, 20];
export const TARGET_P99_MS = 25;
const TRIAL_TIMEOUT_MS = 3_000;
/**
 * Force logouts arrive one every 100 ms (start to start). Back to back, a trial would queue behind the
 * previous one's acknowledgements (each kit acks 20 ms after applying, and every ack is an audited write), which
 * measures the bench's own echo rather than propagation.
 */
export const TRIAL_INTERVAL_MS = 100;
const CLIENT_ID = 'bench-app';

interface ResourceServer {
  kit: Verifier;
  server: Server;
  url: string;
}

async function startResourceServer(service: WardenProcess, index: number, fleet: number): Promise<ResourceServer> {
  const created = await service.admin('createClient', { clientId: `rs-${fleet}-${index}`, kind: 'confidential', name: `Bench API ${index}`, grantTypes: [] });
  if (!created.clientSecret) throw new Error('a confidential client must get a secret');
  const kit = createVerifier({ issuer: service.issuer, audience: 'token-warden-api', clientId: created.clientId, clientSecret: created.clientSecret });
  await within(kit.start(), 10_000, `resource server ${index} syncing with the feed`);
  const middleware = kit.middleware();
  const server = createServer((req, res) => middleware(req, res, () => res.end('ok')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { kit, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

async function status(url: string, token: string): Promise<number> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return response.status;
}

/** Resolves with the ms from `t0` until every kit has applied the force logout of `userId` and refuses `token`. */
export function allRejected(kits: Verifier[], userId: string, token: string, t0: () => number, timeoutMs = TRIAL_TIMEOUT_MS): Promise<{ last: number; first: number }> {
  const offs: Array<() => void> = [];
  const times: number[] = [];
  const done = new Promise<{ last: number; first: number }>((resolve, reject) => {
    for (const kit of kits) {
      const off = kit.on('revocation', (event) => {
        if (event.subject.kind !== 'user' || event.subject.id !== userId) return;
        const verdict = kit.verify(token);
        if (verdict instanceof Promise || verdict.active) {
          reject(new BenchCheckError(`a kit applied the force logout but still accepts the token: ${JSON.stringify(verdict)}`));
          return;
        }
        times.push(performance.now() - t0());
        off();
        if (times.length === kits.length) resolve({ last: Math.max(...times), first: Math.min(...times) });
      });
      offs.push(off);
    }
  });
  return within(done, timeoutMs, `every kit rejecting ${userId}'s token`).finally(() => offs.forEach((off) => off()));
}

async function runFleet(service: WardenProcess, fleet: number, log: (line: string) => void): Promise<{ last: number[]; first: number[] }> {
  const servers: ResourceServer[] = [];
  try {
    for (let i = 0; i < fleet; i += 1) servers.push(await startResourceServer(service, i, fleet));
    const users = Array.from({ length: TRIALS }, (_, i) => `prop.${fleet}.${i}`);
    const ids = await inBatches(users, 8, (username) => service.admin('createUser', { username, password: SERVICE_PASSWORD }));
    const tokens = await inBatches(users, 8, (username) => service.login(username, CLIENT_ID));
    const last: number[] = [];
    const first: number[] = [];
    let nextStart = performance.now();
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const wait = nextStart - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      nextStart = performance.now() + TRIAL_INTERVAL_MS;
      const token = tokens[trial]!.access_token;
      const userId = ids[trial]!.id;
      for (const rs of servers) {
        const verdict = await rs.kit.verify(token);
        check(verdict.active, `resource server refused a fresh token before the force logout: ${JSON.stringify(verdict)}`);
      }
      if (trial === 0) {
        for (const rs of servers) check((await status(rs.url, token)) === 200, 'a resource server answered non-200 to a fresh token');
      }
      let started = 0;
      const rejected = allRejected(servers.map((rs) => rs.kit), userId, token, () => started);
      started = performance.now();
      const receipt = service.admin('forceLogout', { userId, reason: 'bench propagation' });
      const [times] = await Promise.all([rejected, receipt]);
      last.push(times.last);
      first.push(times.first);
      if (trial === 0) {
        for (const rs of servers) check((await status(rs.url, token)) === 401, 'a resource server still answers 200 after the force logout');
      }
    }
    const summary = latencySummary(last);
    log(`${fleet} resource server(s): all rejected after p50 ${summary.p50} ms, p99 ${summary.p99} ms, max ${summary.max} ms`);
    return { last, first };
  } finally {
    for (const rs of servers) {
      rs.kit.stop();
      rs.server.closeAllConnections();
      rs.server.close();
    }
  }
}

export const propagationSuite: Suite = {
  name: 'propagation',
  describe: 'force logout → rejection at 1 and 20 kit-based resource servers on the feed',
  async run({ log }) {
    const service = await startWardenProcess();
    try {
      await service.admin('createClient', { clientId: CLIENT_ID, kind: 'public', name: 'Bench app', grantTypes: ['password', 'refresh_token'] });
      const settings = await service.admin('getSettings', {});
      const lifetimeMs = settings.accessTokenTtlSeconds * 1000;
      const rows: BenchRow[] = [];
      const figures: Record<string, unknown> = { trials: TRIALS, accessTokenLifetimeMs: lifetimeMs };
      for (const fleet of FLEETS) {
        const { last, first } = await runFleet(service, fleet, log);
        const all = latencySummary(last);
        figures[`servers${fleet}`] = { allRejected: all, firstRejected: latencySummary(first) };
        rows.push(
          boundRow('propagation', `force logout → rejected at all ${fleet} resource server(s): p99 (p50 ${all.p50.toFixed(2)} ms, max ${all.max.toFixed(1)} ms)`, { value: all.p99, unit: 'ms' }, TARGET_P99_MS, {
            label: "peers: token lives until exp (configured lifetime)",
            value: lifetimeMs,
            unit: 'ms',
          }),
        );
      }
      return {
        rows,
        figures,
        notes: [
          `${TRIALS} trials per fleet, one force logout every ${TRIAL_INTERVAL_MS} ms; the clock starts before the admin forceLogout request and stops when the last kit has applied the feed event and refuses the token. All resource servers share the bench process (one event loop, each with its own feed connection), the token service runs in another. The ratio column is how many times sooner than the peers' approach (a self-contained token accepted until exp).`,
        ],
      };
    } finally {
      await service.stop();
    }
  },
};
