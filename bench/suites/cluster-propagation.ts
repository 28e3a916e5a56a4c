/**
 * The cluster suite's propagation part: force logout through the admin API of instance 1 while two kits
 * (@token-warden/verifier, as ./propagation.ts uses them) follow the feed, one through instance 1 (the same
 * instance) and one through instance 2 (another instance: the event must cross the database). For each trial
 * the clock starts before the admin call and stops, per kit, when that kit has applied the event and refuses the
 * token (./propagation.ts allRejected). A trial a kit does not finish within TRIAL_TIMEOUT_MS counts as a
 * timeout; after GIVE_UP_AFTER timeouts in a row the trials stop (a deployment whose instances do not wake
 * each other would otherwise spend the whole bound waiting).
 */
import { createVerifier, type Verifier } from '@token-warden/verifier';
import type { ServiceCluster } from '../../test/helpers/cluster';
import type { TestUser } from '../../test/helpers/warden';
import { within } from '../lib/in-process-warden';
import { BenchCheckError, check } from '../lib/report';
import { inBatches } from '../lib/warden-process';
import { allRejected, TRIAL_INTERVAL_MS } from './propagation';

export const TRIAL_TIMEOUT_MS = 1_000;
const GIVE_UP_AFTER = 3;

export interface PropagationTimes {
  /** ms per finished trial, the kit on the admin call's instance. */
  same: number[];
  /** ms per trial, the kit on the other instance; timed-out trials are not in it. */
  cross: number[];
  trials: number;
  /** Trials in which a kit did not apply the event within TRIAL_TIMEOUT_MS (same, cross). */
  timeouts: { same: number; cross: number };
  /** Set when the trials stopped early. */
  gaveUp: boolean;
}

/**
 * A fetch that sends the deployment's URLs (`issuer`, the balancer every instance names as its issuer) to one
 * instance, as a load balancer that pinned this client to it would: discovery, JWKS, the feed, receipts.
 */
function pinnedFetch(issuer: string, instanceUrl: string): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const routed = url.startsWith(`${issuer}/`) ? `${instanceUrl}${url.slice(issuer.length)}` : url;
    return fetch(typeof input === 'string' || input instanceof URL ? routed : new Request(routed, input), init);
  };
}

/** The instance's tw_feed_subscribers gauge (GET /metrics, Prometheus text). */
async function feedSubscribers(instanceUrl: string): Promise<number> {
  const text = await (await fetch(`${instanceUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  const line = text.split('\n').find((l) => l.startsWith('tw_feed_subscribers '));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}

/** Whether a rejection of allRejected is its bound (a timeout) rather than a wrong answer. */
function timedOut(result: PromiseSettledResult<unknown>): boolean {
  if (result.status === 'fulfilled') return false;
  if (result.reason instanceof BenchCheckError) throw result.reason;
  return true;
}

export async function crossInstancePropagation(cluster: ServiceCluster, users: TestUser[], clientId: string, log: (line: string) => void): Promise<PropagationTimes> {
  const api = await cluster.createConfidentialClient('bench-rs');
  const kits: Verifier[] = [0, 1].map((i) => createVerifier({ issuer: cluster.url, audience: 'token-warden-api', ...api, fetch: pinnedFetch(cluster.url, cluster.urls[i]!) }));
  try {
    await Promise.all(kits.map((kit, i) => within(kit.start(), 10_000, `the kit on instance ${i + 1} syncing with the feed`)));
    for (const i of [0, 1]) {
      const subscribers = await feedSubscribers(cluster.urls[i]!);
      check(subscribers === 1, `instance ${i + 1} serves ${subscribers} feed subscribers, not its one kit: the kits are not pinned to their instances`);
    }
    const tokens = await inBatches(users.map((user, i) => ({ user, i })), 8, ({ user, i }) => cluster.login(user, clientId, i % 2));
    const times: PropagationTimes = { same: [], cross: [], trials: 0, timeouts: { same: 0, cross: 0 }, gaveUp: false };
    let inARow = 0;
    let nextStart = performance.now();
    for (let trial = 0; trial < users.length; trial += 1) {
      const wait = nextStart - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      nextStart = performance.now() + TRIAL_INTERVAL_MS;
      const token = tokens[trial]!.access_token;
      const userId = users[trial]!.id;
      for (const [i, kit] of kits.entries()) {
        const verdict = await kit.verify(token);
        check(verdict.active, `the kit on instance ${i + 1} refused a fresh token before the force logout: ${JSON.stringify(verdict)}`);
      }
      let started = 0;
      const same = allRejected([kits[0]!], userId, token, () => started, TRIAL_TIMEOUT_MS);
      const cross = allRejected([kits[1]!], userId, token, () => started, TRIAL_TIMEOUT_MS);
      started = performance.now();
      const receipt = cluster.admin('forceLogout', { userId, reason: 'bench propagation' }, 0);
      const [sameResult, crossResult] = await Promise.allSettled([same, cross, receipt]);
      await receipt;
      times.trials += 1;
      if (timedOut(sameResult!)) times.timeouts.same += 1;
      else times.same.push((sameResult as PromiseFulfilledResult<{ last: number }>).value.last);
      if (timedOut(crossResult!)) {
        times.timeouts.cross += 1;
        inARow += 1;
      } else {
        times.cross.push((crossResult as PromiseFulfilledResult<{ last: number }>).value.last);
        inARow = 0;
      }
      if (inARow >= GIVE_UP_AFTER) {
        times.gaveUp = true;
        log(`propagation: the kit on instance 2 missed ${GIVE_UP_AFTER} force logouts in a row (none within ${TRIAL_TIMEOUT_MS} ms): stopping after ${times.trials} trials`);
        break;
      }
    }
    return times;
  } finally {
    for (const kit of kits) kit.stop();
  }
}
