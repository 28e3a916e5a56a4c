/**
 * The audit chain and the console's live events across real instances on one PostgreSQL database (issue 17,
 * item 2; docs/postgres.md "Several instances"):
 * - three instances writing audited actions at the same time keep ONE valid chain (no fork): each unit chains
 *   onto the head it reads under the audit lock, not onto one it remembered;
 * - a console's event stream (GET /admin/events) on one instance shows what another committed, once, with its
 *   audit seq, and the instance's own events once too (not again from the tail).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/shared/events';
import { startServiceCluster, type ServiceCluster } from '../helpers/cluster';
import { openSseStream } from '../helpers/feed-stream';
import { describePg } from '../helpers/postgres';

const INSTANCES = 3;
const USERS_PER_INSTANCE = 12;

interface EventStream {
  readonly events: Array<LiveEvent & { sseId: string | undefined }>;
  waitFor(what: string, done: () => boolean): Promise<void>;
  close(): void;
}

/** GET /admin/events on one instance (its own URL), with the bootstrap admin token, read once it is live. */
async function openEvents(baseUrl: string, token: string): Promise<EventStream> {
  const stream = await openSseStream(`${baseUrl}/admin/events`, { authorization: `Bearer ${token}` }, (comment) => comment.trim() === 'live');
  return {
    get events() {
      return stream.messages.map((message) => ({ ...(JSON.parse(message.data) as LiveEvent), sseId: message.id }));
    },
    waitFor: stream.waitFor,
    close: stream.close,
  };
}

describePg('the audit chain and live events across instances', () => {
  let cluster: ServiceCluster;
  const streams: EventStream[] = [];
  beforeAll(async () => {
    cluster = await startServiceCluster({ instances: INSTANCES });
  }, 240_000);
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await cluster?.stopAll();
  }, 60_000);

  it('stays one valid chain while three instances append at the same time', async () => {
    const before = await cluster.admin('verifyAuditChain', {}, 0);
    // Every instance creates users concurrently (each one audited), several requests in flight on each.
    const created = await Promise.all(Array.from({ length: INSTANCES * USERS_PER_INSTANCE }, (_, k) =>
      cluster.admin('createUser', { username: `chain-${k}-${Date.now().toString(36)}`, password: `password-${k}-long-enough` }, k % INSTANCES)));
    expect(created).toHaveLength(INSTANCES * USERS_PER_INSTANCE);
    for (let i = 0; i < INSTANCES; i++) {
      const verdict = await cluster.admin('verifyAuditChain', {}, i);
      expect(verdict, cluster.output()).toEqual({ ok: true, entries: before.entries + INSTANCES * USERS_PER_INSTANCE, brokenAtSeq: null });
    }
  }, 120_000);

  it("shows a console on one instance what another committed, each event once with its seq, its own too", async () => {
    const onOne = await openEvents(cluster.urls[1]!, cluster.adminToken);
    streams.push(onOne);
    const remote = await cluster.admin('createUser', { username: `remote-${Date.now().toString(36)}`, password: 'remote-password-1' }, 0);
    const local = await cluster.admin('createUser', { username: `local-${Date.now().toString(36)}`, password: 'local-password-1' }, 1);
    const created = (userId: string) => onOne.events.filter((event) => event.type === 'user.created' && event.userId === userId);
    await onOne.waitFor('both user.created events', () => created(remote.id).length > 0 && created(local.id).length > 0);
    // A marker committed after both, through the other instance: once it is here, any duplicate would be too.
    const marker = await cluster.admin('createUser', { username: `marker-${Date.now().toString(36)}`, password: 'marker-password-1' }, 2);
    await onOne.waitFor('the marker', () => created(marker.id).length > 0);
    expect(created(remote.id)).toHaveLength(1);
    expect(created(local.id)).toHaveLength(1);
    const audited = onOne.events.filter((event) => event.seq !== null);
    // Audited events carry their seq as the SSE id; no seq twice.
    for (const event of audited) expect(event.sseId).toBe(String(event.seq));
    expect(new Set(audited.map((event) => event.seq)).size).toBe(audited.length);
    expect(created(remote.id)[0]!.actor).toMatch(/^admin/);
  }, 120_000);
});
