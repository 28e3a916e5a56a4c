import { describe, expect, it } from 'vitest';
import type { BackchannelDelivery } from '../../../src/shared/admin-api';
import { loadRenderer } from './load-renderer';

interface ReceiptFormat {
  after(at: number, since: number): string;
  describeDelivery(delivery: BackchannelDelivery, since: number): string;
}
const { after, describeDelivery } = await loadRenderer<ReceiptFormat>('features/actions/receipt-format.ts');

const AT = 1_767_225_600_000;
const base: BackchannelDelivery = {
  id: 1, clientId: 'shop', sessionId: 'ses_1', uri: 'https://shop.example/bcl', state: 'pending', queuedAt: AT, attempts: 0,
  deliveredAt: null, failedAt: null, nextAttemptAt: AT, lastStatus: null, lastError: null,
};

describe('receipt wording', () => {
  it('times propagation from the action: ms under 10 s, then seconds; never negative (clock skew)', () => {
    expect(after(AT + 8, AT)).toBe('+8 ms');
    expect(after(AT + 9_999, AT)).toBe('+9999 ms');
    expect(after(AT + 12_400, AT)).toBe('+12 s');
    expect(after(AT - 5, AT)).toBe('+0 ms');
  });

  it('says where each back-channel logout stands', () => {
    expect(describeDelivery(base, AT)).toBe('queued');
    expect(describeDelivery({ ...base, state: 'delivered', deliveredAt: AT + 14, lastStatus: 204, attempts: 1, nextAttemptAt: null }, AT)).toBe('logged out +14 ms (HTTP 204, attempt 1)');
    expect(describeDelivery({ ...base, attempts: 2, lastStatus: 503 }, AT)).toMatch(/^retrying at .+ \(2 attempts; last: HTTP 503\)$/);
    expect(describeDelivery({ ...base, attempts: 1, lastError: 'no answer within 5000 ms' }, AT)).toMatch(/last: no answer within 5000 ms\)$/);
    expect(describeDelivery({ ...base, state: 'failed', failedAt: AT + 30, attempts: 1, lastStatus: 400, lastError: 'HTTP 400', nextAttemptAt: null }, AT)).toBe('gave up +30 ms after 1 attempt: HTTP 400');
  });
});
