/**
 * The client page's confirmable actions, described once in words an administrator can act on (the shared
 * confirmation dialog takes a reason, runs them and shows the receipt).
 */
import type { ClientInfo } from '../../../shared/dto';
import { api } from '../../api';
import type { ActionSpec } from '../actions/use-confirm-action';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function disableClientSpec(client: ClientInfo, liveSessions: number): ActionSpec {
  return {
    title: `Disable ${client.name}`,
    description: `Its ${plural(liveSessions, 'live session')} end now, each published on the revocation feed so resource servers refuse their access tokens at once. Until it is enabled again, the app cannot sign anyone in, refresh, exchange codes, authenticate, introspect or read the feed.`,
    target: null,
    confirmLabel: 'Disable client',
    run: (reason) => api.setClientDisabled({ clientId: client.clientId, disabled: true, reason }),
  };
}

export function enableClientSpec(client: ClientInfo): ActionSpec {
  return {
    title: `Enable ${client.name}`,
    description: 'The app may sign users in again. Sessions that ended when it was disabled stay ended: its users sign in again.',
    target: null,
    confirmLabel: 'Enable client',
    run: (reason) => api.setClientDisabled({ clientId: client.clientId, disabled: false, reason }),
  };
}

/** Overlaps offered for a secret rotation (seconds): the old secret keeps working this long. */
export const OVERLAP_CHOICES: readonly { seconds: number; label: string }[] = [
  { seconds: 0, label: 'None — the old secret stops working now' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
  { seconds: 30 * 86_400, label: '30 days (the longest)' },
];
