/**
 * kill -9 of one instance under refresh load (issue 17, "Must show"): two real instances on one PostgreSQL,
 * several clients refreshing their sessions through both, an admin revoking sessions through both, and feed
 * subscribers connected to the instance that dies. Instance 0 gets SIGKILL in the middle of it. Then:
 *
 * - nothing committed is lost: every refresh answered 200 is in the database as answered (the presented token
 *   is used and its successor is the token the client got), and each client's last token still refreshes, also
 *   on instance 0 once it is back (restart);
 * - no refresh token is used twice successfully: at most one 200 per presented token, and a client that lost its
 *   answer in the kill and presents the token again gets either the one rotation (it had not committed) or the
 *   reuse refusal (it had), never a second rotation;
 * - the subscribers of the dead instance resume on the other with their Last-Event-ID and end with exactly the
 *   revocation log: every event once, in order, none missing.
 *
 * No timing is asserted: the kill is triggered by progress (a count of answered refreshes), every wait is bounded.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refreshTokenKey } from '../../src/main/engine/issue';
import { startServiceCluster, type ServiceCluster } from '../helpers/cluster';
import { subscribeFeed, type FeedSubscriber } from '../helpers/feed-subscriber';
import { describePg } from '../helpers/postgres';

const CLIENTS = 6;
const ITERATIONS = 24;
/** Answered refreshes (all clients) before the kill. */
const KILL_AFTER = CLIENTS * 6;
const REVOCATIONS = 8;

type Attempt = { kind: 'answer'; status: number; body: { refresh_token?: string; access_token?: string; error?: string } } | { kind: 'refused' } | { kind: 'uncertain'; why: string };

describePg('kill -9 of one instance under refresh load', () => {
  let cluster: ServiceCluster;
  beforeAll(async () => {
    cluster = await startServiceCluster({ instances: 2 });
  }, 240_000);
  afterAll(async () => {
    await cluster?.stopAll();
  }, 60_000);

  it('loses nothing committed, uses no token twice, and its subscribers resume on the other instance', async () => {
    const app = await cluster.createPublicClient();
    const api = await cluster.createConfidentialClient();
    const user = await cluster.createUser();
    const victim = await cluster.createUser();
    const sessions: string[] = [];
    for (let k = 0; k < REVOCATIONS; k++) await cluster.login(victim, app, k % 2);
    for (const session of (await cluster.admin('listSessions', { userId: victim.id, offset: 0, limit: 100 })).items) sessions.push(session.id);

    // Subscribers on instance 0 (the one that dies), failing over to instance 1.
    const subscribers: FeedSubscriber[] = [0, 1].map(() => subscribeFeed({ targets: [cluster.urls[0]!, cluster.urls[1]!], clientId: api.clientId, clientSecret: api.clientSecret }));
    try {
      await Promise.all(subscribers.map((subscriber) => subscriber.ready()));

      const attempt = async (i: number, token: string): Promise<Attempt> => {
        try {
          const response = await cluster.postForm(i, '/oauth/token', { grant_type: 'refresh_token', refresh_token: token, client_id: app });
          return { kind: 'answer', status: response.status, body: (await response.json()) as Extract<Attempt, { kind: 'answer' }>['body'] };
        } catch (error) {
          const code = (error as { cause?: { code?: string } }).cause?.code;
          // Refused: the request never reached a server, so it changed nothing. Anything else: it may have committed.
          return code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'uncertain', why: `${String(error)} ${code ?? ''}` };
        }
      };

      const successes = new Map<string, number>();
      const answered: Array<{ presented: string; returned: string }> = [];
      const log: string[] = [];
      let answeredCount = 0;
      // Set once every client is done: a client that ended early (reuse) must not leave a wait hanging.
      let clientsDone = false;
      const progressWaiters = new Set<() => void>();
      const onProgress = () => progressWaiters.forEach((check) => check());
      const progressed = (count: number) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (answeredCount < count && !clientsDone) return;
            progressWaiters.delete(check);
            resolve();
          };
          progressWaiters.add(check);
          check();
        });

      const runClient = async (k: number) => {
        let token = (await cluster.login(user, app, k % 2)).refresh_token;
        for (let n = 0; n < ITERATIONS; n++) {
          const preferred = (k + n) % 2;
          let result = await attempt(preferred, token);
          let via = preferred;
          if (result.kind === 'refused') {
            via = 1 - preferred;
            result = await attempt(via, token);
          }
          if (result.kind === 'uncertain') {
            // The answer was lost in the kill: present the same token to the other instance.
            log.push(`client ${k}: uncertain on ${via} (${result.why}), retried`);
            via = 1 - via;
            result = await attempt(via, token);
            if (result.kind === 'answer' && result.status === 400) {
              // It had committed: the retry is reuse, which revokes this session. Correct; this client is done.
              expect(result.body.error, `client ${k}`).toBe('invalid_grant');
              log.push(`client ${k}: the lost refresh had committed; reuse refused`);
              return { k, token: undefined };
            }
          }
          if (result.kind !== 'answer' || result.status !== 200) throw new Error(`client ${k}, refresh ${n} on ${via}: ${JSON.stringify(result)}\n${log.join('\n')}\n${cluster.output()}`);
          successes.set(token, (successes.get(token) ?? 0) + 1);
          answered.push({ presented: token, returned: result.body.refresh_token! });
          token = result.body.refresh_token!;
          answeredCount += 1;
          onProgress();
        }
        return { k, token };
      };

      const revoker = async () => {
        for (let r = 0; r < REVOCATIONS; r++) {
          await progressed(Math.floor(((r + 1) * CLIENTS * ITERATIONS) / (REVOCATIONS + 2)));
          const via = cluster.alive(r % 2) ? r % 2 : 1 - (r % 2);
          await cluster.admin('revokeSession', { sessionId: sessions[r]!, reason: 'kill test' }, via);
        }
      };

      const running = Promise.all(Array.from({ length: CLIENTS }, (_, k) => runClient(k))).finally(() => {
        clientsDone = true;
        onProgress();
      });
      const revoking = revoker();
      await progressed(KILL_AFTER);
      expect(await cluster.kill(0, 'SIGKILL')).toBe(null);
      const clients = await running;
      await revoking;

      // No token rotated twice, as the clients saw it…
      expect([...successes.values()].filter((count) => count > 1)).toEqual([]);
      // …and as the database recorded it: each answered rotation is there, into exactly the token answered.
      const db = new pg.Client({ connectionString: cluster.database });
      await db.connect();
      try {
        const rows = await db.query<{ hash: string; successor_hash: string | null; used_at: string | null }>(
          'SELECT hash, successor_hash, used_at FROM refresh_tokens WHERE hash = ANY($1::text[])',
          [answered.flatMap(({ presented, returned }) => [refreshTokenKey(presented)!, refreshTokenKey(returned)!])],
        );
        const byHash = new Map(rows.rows.map((row) => [row.hash, row]));
        for (const { presented, returned } of answered) {
          const row = byHash.get(refreshTokenKey(presented)!);
          expect(row?.used_at, 'an answered rotation is committed').not.toBeNull();
          expect(row?.successor_hash).toBe(refreshTokenKey(returned));
          expect(byHash.has(refreshTokenKey(returned)!), 'the answered successor exists').toBe(true);
        }
      } finally {
        await db.end();
      }

      // Instance 0 comes back; every surviving client's last token refreshes there.
      await cluster.restart(0);
      for (const { k, token } of clients) {
        if (token === undefined) continue;
        const result = await attempt(0, token);
        expect(result.kind === 'answer' && result.status, `client ${k}: ${JSON.stringify(result)}`).toBe(200);
      }
      expect(clients.filter((client) => client.token !== undefined).length, log.join('\n')).toBeGreaterThan(0);

      // The whole revocation log, read afresh from the other instance, is what every subscriber has: each event
      // once, in order.
      const reference = subscribeFeed({ targets: [cluster.urls[1]!], clientId: api.clientId, clientSecret: api.clientSecret });
      try {
        await reference.ready();
        const all = reference.ids.slice();
        expect(all.length).toBeGreaterThanOrEqual(REVOCATIONS);
        for (const subscriber of subscribers) {
          await subscriber.reached(all[all.length - 1]!);
          expect(subscriber.duplicates).toEqual([]);
          expect(subscriber.ids).toEqual(all);
          // It was on the killed instance and resumed on the other.
          expect(subscriber.connections.slice(0, 2), subscriber.breaks.join(' | ')).toEqual([cluster.urls[0], cluster.urls[1]]);
        }
      } finally {
        reference.stop();
      }
    } finally {
      subscribers.forEach((subscriber) => subscriber.stop());
    }
  }, 240_000);
});
