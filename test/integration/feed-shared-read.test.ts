/**
 * The feed's connections woken by one revocation share one read of the log (RevocationFeed.readAfter): on
 * PostgreSQL every read is a round trip, and a revocation wakes every connection at once. Each connection still
 * gets the event exactly once, and a revocation committed after a shared read began is read afresh.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { openFeed, type Stream } from '../helpers/feed-stream';
import { startTestWarden, type TestWarden } from '../helpers/warden';

const CONNECTIONS = 6;

let t: TestWarden;
const streams: Stream[] = [];
beforeAll(async () => {
  t = await startTestWarden();
});
afterAll(async () => {
  for (const stream of streams) stream.close();
  await t.close();
});

it('reads the log once for all the connections a revocation wakes, and each sends it once', async () => {
  const app = await t.createPublicClient();
  const api = await t.createConfidentialClient();
  const users = [await t.createUser(), await t.createUser()];
  for (const user of users) await t.login(user, app);
  for (let k = 0; k < CONNECTIONS; k++) streams.push(await openFeed(t.baseUrl, api));
  const reads = vi.spyOn(t.warden.engine, 'revocationsAfter');
  try {
    await t.admin('forceLogout', { userId: users[0]!.id });
    for (const stream of streams) await stream.waitFor('the first revocation', () => stream.messages.length >= 1);
    expect(reads).toHaveBeenCalledTimes(1);
    // The next one: a new signal, a new read (never the finished one's rows again).
    await t.admin('forceLogout', { userId: users[1]!.id });
    for (const stream of streams) await stream.waitFor('the second revocation', () => stream.messages.length >= 2);
    expect(reads).toHaveBeenCalledTimes(2);
    for (const stream of streams) {
      const ids = stream.messages.map((m) => Number(m.id));
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
      expect(ids).toHaveLength(2);
    }
  } finally {
    reads.mockRestore();
  }
});
