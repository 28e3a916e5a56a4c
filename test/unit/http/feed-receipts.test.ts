/**
 * FeedReceipts (src/main/http/feed-receipts.ts): an acknowledgement received here is recorded and handed to
 * the listeners (which audit it); one the deployment already audited (`heard`, any instance's
 * `feed.acknowledged`) is kept for the console without reaching a listener, so it is audited once.
 */
import { describe, expect, it } from 'vitest';
import { FeedReceipts } from '../../../src/main/http/feed-receipts';
import type { LiveEvent } from '../../../src/shared/events';

const acknowledged = (data: Record<string, unknown>, type = 'feed.acknowledged'): LiveEvent =>
  ({ type, actor: `client:${String(data.clientId)}`, userId: null, data, seq: 7 }) as unknown as LiveEvent;

describe('FeedReceipts', () => {
  it('keeps an audited acknowledgement heard from the deployment without calling a listener', () => {
    const receipts = new FeedReceipts();
    const audited: number[] = [];
    receipts.onReceipt((id) => audited.push(id));
    receipts.heard(acknowledged({ clientId: 'api-b', feedEventId: 4, appliedAt: 10, receivedAt: 12, latencyMs: 3 }));
    expect(receipts.receiptsFor(4)).toEqual([{ clientId: 'api-b', appliedAt: 10, receivedAt: 12 }]);
    expect(audited).toEqual([]);
    // Received here afterwards (the kit acknowledged twice, on two instances): known, so not audited again.
    receipts.record(4, { clientId: 'api-b', appliedAt: 11, receivedAt: 13 });
    expect(audited).toEqual([]);
    expect(receipts.receiptsFor(4)).toEqual([{ clientId: 'api-b', appliedAt: 10, receivedAt: 12 }]);
  });

  it('hears its own audited receipt once more without a second entry', () => {
    const receipts = new FeedReceipts();
    const audited: number[] = [];
    receipts.onReceipt((id) => audited.push(id));
    receipts.record(5, { clientId: 'api-a', appliedAt: 1, receivedAt: 2 });
    receipts.heard(acknowledged({ clientId: 'api-a', feedEventId: 5, appliedAt: 1, receivedAt: 2 }));
    expect(audited).toEqual([5]);
    expect(receipts.receiptsFor(5)).toHaveLength(1);
  });

  it('ignores other events and malformed acknowledgements', () => {
    const receipts = new FeedReceipts();
    receipts.heard(acknowledged({ clientId: 'api-a', feedEventId: 6, appliedAt: 1, receivedAt: 2 }, 'user.created'));
    receipts.heard(acknowledged({ clientId: 'api-a', feedEventId: '6', appliedAt: 1, receivedAt: 2 }));
    receipts.heard(acknowledged({ clientId: '', feedEventId: 6, appliedAt: 1, receivedAt: 2 }));
    receipts.heard(acknowledged({ feedEventId: 6, appliedAt: 1, receivedAt: 2 }));
    expect(receipts.receiptsFor(6)).toEqual([]);
  });
});
