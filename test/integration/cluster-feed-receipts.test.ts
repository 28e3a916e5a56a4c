/**
 * The console's receipt across real instances on one PostgreSQL database (docs/postgres.md "Several
 * instances", receipts): an admin's force logout through instance A, a resource server (the verifier kit)
 * subscribed and acknowledging on instance B. listFeedReceipts through A lists B's subscriber (its presence
 * row) and, once it acknowledged, its receipt, once; the audit holds exactly one `feed.acknowledged` per
 * acknowledgement (audited by B alone, A only keeps what it heard); a console on A refetching on the live
 * `feed.acknowledged` event finds the receipt. Once B is killed (SIGKILL), its subscriber leaves A's list
 * within the presence expiry, A's own subscriber stays, and the receipt stays; stopped cleanly (SIGTERM), at once.
 * An acknowledgement posted to the instance that does not hold the client's stream counts too, audited once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createVerifier, type Verifier } from '@token-warden/verifier';
import { readSse } from '../../packages/verifier/src/sse-reader';
import type { AdminOutput } from '../../src/shared/admin-api';
import type { LiveEvent } from '../../src/shared/events';
import { startServiceCluster, type ServiceCluster } from '../helpers/cluster';
import { subscribeFeed, type FeedSubscriber } from '../helpers/feed-subscriber';
import { describePg } from '../helpers/postgres';
import { basicAuth } from '../helpers/warden';

/** The heartbeat period is 5 s and a row lives three periods (src/main/http/feed-presence.ts): bounds with room. */
const APPEARS_WITHIN_MS = 20_000;
const EXPIRES_WITHIN_MS = 40_000;

/** Polls `read` until `done` holds (each poll is an admin call; bounded), returning the last value. */
async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, boundMs: number): Promise<T> {
  const deadline = Date.now() + boundMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${boundMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

/** GET /admin/events on one instance: calls `onEvent` for each live event, resolves once the stream is live. */
async function openEvents(baseUrl: string, token: string, onEvent: (event: LiveEvent) => void): Promise<() => void> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/admin/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  expect(response.status).toBe(200);
  await new Promise<void>((resolve, reject) => {
    readSse(response.body!, {
      onMessage: (message) => onEvent(JSON.parse(message.data) as LiveEvent),
      onComment: (comment) => {
        if (comment.trim() === 'live') resolve();
      },
      onActivity: () => undefined,
    }).then(() => reject(new Error('the admin event stream ended')), (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
  });
  return () => controller.abort();
}

describePg('the console receipt across instances', () => {
  let cluster: ServiceCluster;
  let kit: Verifier | undefined;
  let watcher: FeedSubscriber | undefined;
  const closers: Array<() => void> = [];
  beforeAll(async () => {
    cluster = await startServiceCluster({ instances: 2 });
  }, 240_000);
  afterAll(async () => {
    kit?.stop();
    watcher?.stop();
    closers.forEach((close) => close());
    await cluster?.stopAll();
  }, 60_000);

  it("believes an acknowledgement that reaches another instance than the stream's (a balancer's choice), and audits it once", async () => {
    const api = await cluster.createConfidentialClient();
    const app = await cluster.createPublicClient();
    const user = await cluster.createUser();
    await cluster.login(user, app, 1);
    const onB = subscribeFeed({ targets: [cluster.urls[1]!], ...api });
    closers.push(() => onB.stop());
    await onB.ready();
    const { feedEventId } = await cluster.admin('forceLogout', { userId: user.id }, 1);
    await onB.reached(feedEventId!);
    // The acknowledgement's own connection went to A, which sent this client nothing.
    const ack = async (ids: number[], appliedAt: number[]) => {
      const response = await fetch(`${cluster.urls[0]}/events/ack`, { method: 'POST', headers: { authorization: basicAuth(api.clientId, api.clientSecret), 'content-type': 'application/json' }, body: JSON.stringify({ ids, appliedAt }) });
      expect(response.status).toBe(200);
      return (await response.json()) as { accepted: number };
    };
    // An id the deployment's log does not hold is still not believed.
    expect(await ack([feedEventId! + 1000], [1])).toEqual({ accepted: 0 });
    expect(await ack([feedEventId!], [4242])).toEqual({ accepted: 1 });
    const listed = await until(
      `the receipt of ${feedEventId} through B`,
      () => cluster.admin('listFeedReceipts', { feedEventId: feedEventId! }, 1),
      (value) => value.receipts.length > 0,
      APPEARS_WITHIN_MS,
    );
    expect(listed.receipts).toEqual([{ clientId: api.clientId, appliedAt: 4242, receivedAt: expect.any(Number) }]);
    expect((await cluster.admin('listFeedReceipts', { feedEventId: feedEventId! }, 0)).receipts).toEqual(listed.receipts);
    const { items } = await cluster.admin('listAudit', { types: ['feed.acknowledged'], actor: `client:${api.clientId}`, limit: 50 }, 1);
    expect(items.map((entry) => entry.data.feedEventId)).toEqual([feedEventId]);
  }, 120_000);

  it("lists B's subscriber and its acknowledgement through A, audited once; after B dies its subscriber leaves A's list", async () => {
    const api = await cluster.createConfidentialClient();
    const other = await cluster.createConfidentialClient();
    const app = await cluster.createPublicClient();
    const users = [await cluster.createUser(), await cluster.createUser()];
    for (const user of users) await cluster.login(user, app, 0);

    // The kit talks to instance B only (discovery, JWKS, the feed and its acknowledgements), as an API whose
    // balancer pinned it there; the bare subscriber sits on A and never acknowledges.
    const toB = (input: string | URL | Request) => String(input instanceof Request ? input.url : input).replace(cluster.url, cluster.urls[1]!);
    kit = createVerifier({ issuer: cluster.url, audience: 'token-warden-api', ...api, ackDelayMs: 5, fetch: (input, init) => fetch(toB(input), init) });
    await kit.start();
    watcher = subscribeFeed({ targets: [cluster.urls[0]!], ...other });
    await watcher.ready();

    // A console on A: the moment it hears `feed.acknowledged` for a feed event, it refetches that receipt.
    const refetched = new Map<number, Promise<AdminOutput<'listFeedReceipts'>>>();
    closers.push(await openEvents(cluster.urls[0]!, cluster.adminToken, (event) => {
      const id = event.data.feedEventId;
      if (event.type === 'feed.acknowledged' && typeof id === 'number' && !refetched.has(id)) refetched.set(id, cluster.admin('listFeedReceipts', { feedEventId: id }, 0));
    }));

    const receiptIds: number[] = [];
    for (const user of users) {
      const { feedEventId } = await cluster.admin('forceLogout', { userId: user.id, reason: 'receipt across instances' }, 0);
      expect(feedEventId).not.toBeNull();
      receiptIds.push(feedEventId!);
      const listed = await until(
        `B's subscriber and receipt through A for event ${feedEventId}`,
        () => cluster.admin('listFeedReceipts', { feedEventId: feedEventId! }, 0),
        (value) => value.receipts.some((r) => r.clientId === api.clientId) && value.subscribers.some((s) => s.clientId === api.clientId),
        APPEARS_WITHIN_MS,
      );
      // Once each, with B's times; A's own subscriber listed too (not acknowledged).
      expect(listed.receipts).toEqual([{ clientId: api.clientId, appliedAt: expect.any(Number), receivedAt: expect.any(Number) }]);
      expect(listed.subscribers.filter((s) => s.clientId === api.clientId)).toHaveLength(1);
      expect(listed.subscribers.some((s) => s.clientId === other.clientId)).toBe(true);
      // The same receipt read through B, which received the acknowledgement.
      expect((await cluster.admin('listFeedReceipts', { feedEventId: feedEventId! }, 1)).receipts).toEqual(listed.receipts);
    }

    // The live refresh on A found the receipt already there.
    for (const id of receiptIds) {
      await until(`the console's refetch of ${id}`, async () => refetched.get(id), (value) => value !== undefined, APPEARS_WITHIN_MS);
      expect((await refetched.get(id))!.receipts.map((r) => r.clientId)).toEqual([api.clientId]);
    }

    // Audited once per acknowledgement, by B: A heard them and did not audit them again (read after the second
    // acknowledgement's round, so an echo of the first would be in by now; both instances agree).
    for (const i of [0, 1]) {
      const { items } = await cluster.admin('listAudit', { types: ['feed.acknowledged'], actor: `client:${api.clientId}`, limit: 50 }, i);
      const perEvent = receiptIds.map((id) => items.filter((entry) => entry.data.feedEventId === id).length);
      expect(perEvent).toEqual([1, 1]);
      // The kit replayed the log from its start and acknowledged earlier events too: each once as well.
      const acked = items.map((entry) => entry.data.feedEventId);
      expect(new Set(acked).size).toBe(acked.length);
    }

    // B dies without a word (the kit still subscribed there): its presence rows expire, A's own subscriber
    // stays, the receipt stays.
    await cluster.kill(1);
    const after = await until(
      "B's subscriber gone from A's list",
      () => cluster.admin('listFeedReceipts', { feedEventId: receiptIds[1]! }, 0),
      (value) => !value.subscribers.some((s) => s.clientId === api.clientId),
      EXPIRES_WITHIN_MS,
    );
    expect(after.subscribers.some((s) => s.clientId === other.clientId)).toBe(true);
    expect(after.receipts.map((r) => r.clientId)).toEqual([api.clientId]);
  }, 180_000);

  it("a stopped instance's subscribers leave the other's list at once (its rows removed on the way out)", async () => {
    await cluster.restart(1);
    const api = await cluster.createConfidentialClient();
    const onB = subscribeFeed({ targets: [cluster.urls[1]!], ...api, maxReconnects: 0 });
    closers.push(() => onB.stop());
    await onB.ready();
    const user = await cluster.createUser();
    const app = await cluster.createPublicClient();
    await cluster.login(user, app, 0);
    const { feedEventId } = await cluster.admin('forceLogout', { userId: user.id }, 0);
    await until("B's new subscriber through A", () => cluster.admin('listFeedReceipts', { feedEventId: feedEventId! }, 0), (value) => value.subscribers.some((s) => s.clientId === api.clientId), APPEARS_WITHIN_MS);
    // SIGTERM: the drain ends the streams, then the presence rows go before the process exits.
    expect(await cluster.kill(1, 'SIGTERM')).toBe(0);
    const listed = await cluster.admin('listFeedReceipts', { feedEventId: feedEventId! }, 0);
    expect(listed.subscribers.some((s) => s.clientId === api.clientId)).toBe(false);
  }, 180_000);
});
