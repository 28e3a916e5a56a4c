/**
 * A worker thread that claims back-channel outbox rows from a shared database file until none is due, as one
 * of several service processes would (issue 17). Posts the ids it leased. Used by backchannel-outbox-claims.test.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../src/main/store/index';

const { path, now, batch } = workerData as { path: string; now: number; batch: number };
const store = openStore(path);
const claimed: number[] = [];
try {
  // Bounded: each pass leases at least one row or ends the loop.
  for (let pass = 0; pass < 10_000; pass += 1) {
    const rows = await store.transaction(() => store.backchannelOutbox.claimDue(now, now + 60_000, batch));
    if (rows.length === 0) break;
    claimed.push(...rows.map((row) => row.id));
  }
} finally {
  await store.close();
}
parentPort!.postMessage(claimed);
