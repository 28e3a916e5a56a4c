/**
 * The revocation feed across real instances on one PostgreSQL database (issue 17, item 2): a revocation
 * committed through one instance reaches a feed subscriber connected to another (woken by the change signal,
 * docs/postgres.md "Several instances"), event ids are monotonic for the whole deployment whichever instance
 * committed them, and `Last-Event-ID` resumes on another instance with exactly the events after it. A key
 * revoked on one instance is on the feed of the other, and no SET signed by that key is sent there afterwards.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SseMessage } from '../../packages/verifier/src/sse-reader';
import { startServiceCluster, type ServiceCluster } from '../helpers/cluster';
import { openFeed, type Stream } from '../helpers/feed-stream';
import { describePg } from '../helpers/postgres';
import { basicAuth } from '../helpers/warden';

const claimsOf = (set: string) => JSON.parse(Buffer.from(set.split('.')[1]!, 'base64url').toString()) as {
  jti: string; events: Record<string, { subject: { kind: string; id: string } }>;
};
const headerOf = (set: string) => JSON.parse(Buffer.from(set.split('.')[0]!, 'base64url').toString()) as { kid: string };
const subjectOf = (message: SseMessage) => Object.values(claimsOf(message.data).events)[0]!.subject;

describePg('the revocation feed across instances', () => {
  let cluster: ServiceCluster;
  const streams: Stream[] = [];
  beforeAll(async () => {
    cluster = await startServiceCluster({ instances: 2 });
  }, 240_000);
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await cluster?.stopAll();
  }, 60_000);
  const open = async (i: number, client: { clientId: string; clientSecret: string }, lastEventId?: number) => {
    const stream = await openFeed(cluster.urls[i]!, client, lastEventId);
    streams.push(stream);
    return stream;
  };

  it('delivers a revocation committed on one instance to subscribers of both, with deployment-wide ids', async () => {
    const server = await cluster.createConfidentialClient();
    const app = await cluster.createPublicClient();
    const onZero = await open(0, server);
    const onOne = await open(1, server);
    const users = await Promise.all([0, 1, 2, 3].map(() => cluster.createUser()));
    for (const user of users) await cluster.login(user, app, 0);
    // Force logouts alternate between the instances; each is heard on both streams.
    for (const [k, user] of users.entries()) {
      const through = k % 2;
      await cluster.admin('forceLogout', { userId: user.id }, through);
      for (const stream of [onZero, onOne]) {
        await stream.waitFor(`user ${k}'s revocation`, () => stream.messages.some((m) => subjectOf(m).kind === 'user' && subjectOf(m).id === user.id));
      }
    }
    const ids = (stream: Stream) => stream.messages.map((m) => Number(m.id));
    // The same events in the same order on both instances: one log, ids increasing whoever committed them.
    expect(ids(onOne)).toEqual(ids(onZero));
    expect(ids(onZero)).toEqual([...ids(onZero)].sort((a, b) => a - b));
    expect(new Set(ids(onZero)).size).toBe(ids(onZero).length);
    const userEvents = (stream: Stream) => stream.messages.filter((m) => subjectOf(m).kind === 'user').map((m) => subjectOf(m).id);
    expect(userEvents(onOne)).toEqual(users.map((user) => user.id));
    // Each event's SSE id is its SET's jti.
    for (const message of onOne.messages) expect(claimsOf(message.data).jti).toBe(message.id);
  }, 120_000);

  it('resumes with Last-Event-ID on the other instance: exactly the events after it, none twice', async () => {
    const server = await cluster.createConfidentialClient();
    const app = await cluster.createPublicClient();
    const first = await open(0, server);
    const users = await Promise.all([0, 1, 2].map(() => cluster.createUser()));
    for (const user of users) await cluster.login(user, app, 1);
    await cluster.admin('forceLogout', { userId: users[0]!.id }, 0);
    await first.waitFor('the first revocation', () => first.messages.some((m) => subjectOf(m).id === users[0]!.id));
    const seen = Number(first.messages.at(-1)!.id);
    first.close();
    // While disconnected: two more, one through each instance.
    await cluster.admin('forceLogout', { userId: users[1]!.id }, 1);
    await cluster.admin('forceLogout', { userId: users[2]!.id }, 0);
    const resumed = await open(1, server, seen);
    await resumed.waitFor('the missed revocations', () => resumed.messages.some((m) => subjectOf(m).id === users[2]!.id));
    const ids = resumed.messages.map((m) => Number(m.id));
    expect(ids.every((id) => id > seen)).toBe(true);
    expect(resumed.messages.filter((m) => subjectOf(m).kind === 'user').map((m) => subjectOf(m).id)).toEqual([users[1]!.id, users[2]!.id]);
    expect(new Set(ids).size).toBe(ids.length);
  }, 120_000);

  it('takes an acknowledgement on another instance than the stream (behind a load balancer), but not of an unknown event', async () => {
    const server = await cluster.createConfidentialClient();
    const app = await cluster.createPublicClient();
    const onOne = await open(1, server);
    const user = await cluster.createUser();
    await cluster.login(user, app, 0);
    await cluster.admin('forceLogout', { userId: user.id }, 0);
    await onOne.waitFor('the revocation', () => onOne.messages.some((m) => subjectOf(m).id === user.id));
    const id = Number(onOne.messages.at(-1)!.id);
    const ack = async (i: number, ids: number[]) => {
      const response = await fetch(`${cluster.urls[i]}/events/ack`, {
        method: 'POST', headers: { authorization: basicAuth(server.clientId, server.clientSecret), 'content-type': 'application/json' },
        body: JSON.stringify({ ids, appliedAt: ids.map(() => Date.now()) }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { accepted: number }).accepted;
    };
    // Delivered by instance 1, acknowledged through instance 0: the event is the deployment's.
    expect(await ack(0, [id])).toBe(1);
    // An id no instance has committed yet is not believed, on either instance.
    expect(await ack(0, [id + 1000])).toBe(0);
    expect(await ack(1, [id + 1000])).toBe(0);
    // The instance that took it lists the receipt at once.
    const receipts = await cluster.admin('listFeedReceipts', { feedEventId: id }, 0);
    expect(receipts.receipts.map((r) => r.clientId)).toEqual([server.clientId]);
  }, 120_000);

  it('a key revoked on one instance reaches the feed on the other, and no SET signed by it follows there', async () => {
    const server = await cluster.createConfidentialClient();
    const app = await cluster.createPublicClient();
    const onOne = await open(1, server);
    const user = await cluster.createUser();
    await cluster.login(user, app, 0);
    await cluster.admin('forceLogout', { userId: user.id }, 1);
    await onOne.waitFor('a revocation signed before', () => onOne.messages.some((m) => subjectOf(m).id === user.id));
    const oldKid = headerOf(onOne.messages.at(-1)!.data).kid;
    // Revoking the active key promotes the pre-published next one (on every instance).
    await cluster.admin('revokeSigningKey', { kid: oldKid, reason: 'compromised in test' }, 0);
    await onOne.waitFor('the key revocation', () => onOne.messages.some((m) => subjectOf(m).kind === 'key' && subjectOf(m).id === oldKid));
    const after = onOne.messages.length;
    const later = await cluster.createUser();
    await cluster.login(later, app, 1);
    await cluster.admin('forceLogout', { userId: later.id }, 0);
    await onOne.waitFor('a revocation after the key revocation', () => onOne.messages.some((m) => subjectOf(m).id === later.id));
    for (const message of onOne.messages.slice(after)) expect(headerOf(message.data).kid).not.toBe(oldKid);
  }, 120_000);
});
