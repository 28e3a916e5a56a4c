/** The receipt's words for propagation: pure functions, so they are unit-tested without a DOM. */
import type { BackchannelDelivery } from '../../../shared/admin-api';
import { formatAbsolute } from '../../lib/time';

/** "+12 ms" after the action: how long propagation took, which is what the receipt proves. */
export function after(at: number, since: number): string {
  const ms = Math.max(0, at - since);
  return ms < 10_000 ? `+${ms} ms` : `+${Math.round(ms / 1000)} s`;
}

/** One back-channel logout delivery, as the receipt lists it. */
export function describeDelivery(delivery: BackchannelDelivery, since: number): string {
  const last = delivery.lastError ?? (delivery.lastStatus !== null ? `HTTP ${delivery.lastStatus}` : null);
  switch (delivery.state) {
    case 'delivered':
      return `logged out ${delivery.deliveredAt !== null ? after(delivery.deliveredAt, since) : ''} (HTTP ${delivery.lastStatus ?? '?'}, attempt ${delivery.attempts})`;
    case 'failed':
      return `gave up${delivery.failedAt !== null ? ` ${after(delivery.failedAt, since)}` : ''} after ${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}: ${last ?? 'no answer'}`;
    case 'pending':
      if (delivery.attempts === 0 || last === null) return 'queued';
      return `retrying${delivery.nextAttemptAt !== null ? ` at ${formatAbsolute(delivery.nextAttemptAt)}` : ''} (${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}; last: ${last})`;
  }
}
