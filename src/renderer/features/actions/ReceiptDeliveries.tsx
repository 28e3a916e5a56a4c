import Box from '@mui/material/Box';
import type { ReactNode } from 'react';
import { useAdminQuery } from '../../api/hooks';
import { LinkedId } from '../../components/LinkedId';
import { href } from '../../lib/router';
import { formatAbsolute } from '../../lib/time';
import { after, describeDelivery } from './receipt-format';

function Line({ children, testId }: { children: ReactNode; testId: string }) {
  return (
    <Box data-testid={testId} sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'baseline' }}>
      {children}
    </Box>
  );
}

/**
 * Every resource server that applied the feed event, with its delay (from the action to when it applied the
 * event, by its clock; and when its acknowledgement reached us), then those subscribed that have not yet.
 */
export function FeedAcknowledgements({ feedEventId, since }: { feedEventId: number; since: number }) {
  const { data, error } = useAdminQuery('listFeedReceipts', { feedEventId }, { refreshOn: (event) => event.type === 'feed.acknowledged' });
  if (error) return <>Could not load acknowledgements: {error.message}</>;
  if (!data) return <>Loading…</>;
  const acknowledged = new Set(data.receipts.map((ack) => ack.clientId));
  const waiting = [...new Set(data.subscribers.map((s) => s.clientId))].filter((clientId) => !acknowledged.has(clientId));
  if (data.receipts.length === 0 && waiting.length === 0) return <>No resource server is subscribed to the feed</>;
  return (
    <>
      {data.receipts.map((ack) => (
        <Line key={ack.clientId} testId="receipt-ack">
          <span data-client-id={ack.clientId} data-delay-ms={Math.max(0, ack.appliedAt - since)}>
            <LinkedId value={ack.clientId} href={href.client(ack.clientId)} label="resource server client id" />
          </span>
          <span title={`applied ${formatAbsolute(ack.appliedAt)} (its clock); acknowledgement received ${formatAbsolute(ack.receivedAt)}`}>
            applied {after(ack.appliedAt, since)} · acknowledged {after(ack.receivedAt, since)}
          </span>
        </Line>
      ))}
      {waiting.map((clientId) => (
        <Line key={`waiting-${clientId}`} testId="receipt-ack-waiting">
          <span data-client-id={clientId}>
            <LinkedId value={clientId} href={href.client(clientId)} label="resource server client id" />
          </span>
          <span>subscribed, not acknowledged yet</span>
        </Line>
      ))}
    </>
  );
}

/** The back-channel logout tokens the action owed client apps (their own sessions), and where each stands. */
export function BackchannelDeliveries({ feedEventId, since }: { feedEventId: number; since: number }) {
  const { data, error } = useAdminQuery(
    'listBackchannelDeliveries',
    { feedEventId },
    { refreshOn: (event) => event.type === 'backchannel_logout.delivered' || event.type === 'backchannel_logout.failed' },
  );
  if (error) return <>Could not load deliveries: {error.message}</>;
  if (!data) return <>Loading…</>;
  if (data.length === 0) return <>No app session to end (no client of these sessions registered a back-channel logout URI)</>;
  return (
    <>
      {data.map((delivery) => (
        <Line key={delivery.id} testId="receipt-backchannel-delivery">
          <LinkedId value={delivery.clientId} href={href.client(delivery.clientId)} label="client id" />
          <LinkedId value={delivery.sessionId} href={href.session(delivery.sessionId)} label="session id" wrap />
          <span data-state={delivery.state} title={delivery.uri}>
            {describeDelivery(delivery, since)}
          </span>
        </Line>
      ))}
    </>
  );
}
