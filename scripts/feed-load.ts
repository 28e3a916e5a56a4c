/**
 * Feed load, informative (not a test): C confidential clients open K feed connections each, all at once,
 * and every connection replays M revocations, while one refresh chain keeps asking the token endpoint.
 * Prints how many connections were accepted and refused, how long the replay took, the refresh latencies
 * while it ran, and the service's memory (VmRSS before, VmHWM peak after).
 *
 *   node --import tsx scripts/feed-load.ts [--clients 1] [--per-client 500] [--events 300]
 *
 * The service runs in its own process (bench/lib/warden-process.ts), on 127.0.0.1, with a throwaway data
 * directory; every wait is bounded.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { inBatches, SERVICE_PASSWORD, startWardenProcess } from '../bench/lib/warden-process';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '1' }, 'per-client': { type: 'string', default: '500' }, events: { type: 'string', default: '300' } } });
const clients = Number(values.clients);
const perClient = Number(values['per-client']);
const events = Number(values.events);
const DEADLINE_MS = 120_000;

function memory(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`)) ?? '';
  return Math.round(Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024);
}

/** One feed connection: resolves with the status (0: a network error), and for a 200 once `: ready` arrived. */
function connect(url: string, authorization: string, sockets: http.ClientRequest[]): Promise<{ status: number; readyAt?: number }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, headers: { authorization, 'last-event-id': '0' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        return;
      }
      let tail = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        tail = (tail + chunk).slice(-64);
        if (/\n: ready \d+\n/.test(tail)) resolve({ status: 200, readyAt: performance.now() });
      });
      // A stream that ends before its ready marker counts as accepted without a replay time.
      res.on('close', () => resolve({ status: 200 }));
    });
    req.on('error', () => resolve({ status: 0 }));
    sockets.push(req);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

async function main(): Promise<void> {
  const warden = await startWardenProcess();
  const sockets: http.ClientRequest[] = [];
  try {
    const pid = warden.child.proc.pid!;
    const app = 'feed-load-app';
    await warden.admin('createClient', { clientId: app, kind: 'public', name: 'Feed load app', grantTypes: ['password', 'refresh_token'] });
    await warden.admin('createUser', { username: 'feed-load-user', password: SERVICE_PASSWORD });
    const victim = await warden.admin('createUser', { username: 'feed-load-victim', password: SERVICE_PASSWORD });
    await inBatches(Array.from({ length: events }, (_, i) => i), 8, () => warden.admin('forceLogout', { userId: victim.id, reason: 'feed load' }));
    const auths = await inBatches(Array.from({ length: clients }, (_, i) => i), 4, async (i) => {
      const created = await warden.admin('createClient', { clientId: `feed-load-api-${i}`, kind: 'confidential', name: `Feed load API ${i}`, grantTypes: [] });
      return `Basic ${Buffer.from(`feed-load-api-${i}:${created.clientSecret}`).toString('base64')}`;
    });
    let refreshToken = (await warden.login('feed-load-user', app)).refresh_token;
    const rssBefore = memory(pid, 'VmRSS');

    const started = performance.now();
    const attempts = Promise.all(auths.flatMap((auth) => Array.from({ length: perClient }, () => connect(`${warden.issuer}/events`, auth, sockets))));
    let done = false;
    void attempts.finally(() => (done = true));
    const latencies: number[] = [];
    while (!done && performance.now() - started < DEADLINE_MS) {
      const t0 = performance.now();
      const answer = await warden.token({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: app }).catch(() => undefined);
      latencies.push(performance.now() - t0);
      if (!answer) {
        // The client gives up after 10 s; the chain cannot go on without knowing whether it rotated.
        console.log(`a refresh got no answer within ${(performance.now() - t0).toFixed(0)} ms`);
        break;
      }
      const { status, body } = answer;
      if (status !== 200) throw new Error(`refresh failed: ${status} ${JSON.stringify(body)}`);
      refreshToken = body.refresh_token as string;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const results = await attempts;
    const accepted = results.filter((r) => r.status === 200);
    const refused = new Map<number, number>();
    for (const r of results) if (r.status !== 200) refused.set(r.status, (refused.get(r.status) ?? 0) + 1);
    const replayMs = Math.max(...accepted.map((r) => (r.readyAt ?? Number.NaN) - started));
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`${clients} client(s) × ${perClient} connections, ${events} events each`);
    console.log(`accepted ${accepted.length}, refused ${JSON.stringify(Object.fromEntries(refused))}`);
    console.log(`replay complete on every accepted connection after ${replayMs.toFixed(0)} ms`);
    console.log(`refreshes during it: ${sorted.length}, p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`);
    console.log(`service memory: ${rssBefore} MiB before, peak ${memory(pid, 'VmHWM')} MiB`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await warden.stop();
  }
}

await main();
