/**
 * Leases hold under real concurrency: four threads, each with its own connection to one database file (as
 * several service processes sharing an outbox would), claim the same due rows at once. Every row is leased
 * exactly once, and each claim counted one attempt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/main/store/index';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const ROWS = 400;
const dir = mkdtempSync(join(tmpdir(), 'warden-outbox-claims-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function claimer(path: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../helpers/outbox-claimer-boot.mjs', import.meta.url), {
      workerData: { path, now: T0, batch: 3 },
    });
    worker.once('message', (ids: number[]) => resolve(ids));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`claimer exited with ${code}`));
    });
  });
}

describe('back-channel outbox leases across connections', () => {
  it('four concurrent claimers lease each due row exactly once', async () => {
    const path = join(dir, 'warden.db');
    const store = openStore(path);
    await store.insertClient({
      clientId: 'web', kind: 'confidential', name: 'Web', secretHash: null, createdAt: T0, redirectUris: [], postLogoutRedirectUris: [],
      backchannelLogoutUri: 'https://web.example/bcl', grantTypes: ['authorization_code'], idTokenSignedResponseAlg: 'RS256', updatedAt: null,
    });
    await store.transaction(async () => {
      for (let i = 0; i < ROWS; i += 1) {
        await store.backchannelOutbox.insert({ jti: `blt_${i}`, clientId: 'web', uri: 'https://web.example/bcl', sessionId: `ses_${i}`, userId: 'usr_1', revocationId: null, createdAt: T0, nextAttemptAt: T0, giveUpAt: T0 + 3_600_000 });
      }
    });
    await store.close();

    const results = await Promise.all([claimer(path), claimer(path), claimer(path), claimer(path)]);
    const all = results.flat();
    expect(all).toHaveLength(ROWS);
    expect(new Set(all).size).toBe(ROWS);
    // One attempt counted per row: no claim was lost or doubled.
    const check = openStore(path);
    try {
      for (let id = 1; id <= ROWS; id += 1) expect((await check.backchannelOutbox.get(id))!.attempts).toBe(1);
    } finally {
      await check.close();
    }
  });
});
