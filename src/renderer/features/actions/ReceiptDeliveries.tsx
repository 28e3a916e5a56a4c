import Box from '@mui/material/Box';
import type { ReactNode } from 'react';
import { useAdminQuery } from '../../api/hooks';
import { Mono } from '../../components/Mono';
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

/** Which subscribed resource servers applied the feed event, and when it reached us. */
export function FeedAcknowledgements({ feedEventId, since }: { feedEventId: number; since: number }) {
  const { data, error } = useAdminQuery('listFeedReceipts', { feedEventId }, { refreshOn: (event) => event.type === 'feed.acknowledged' });
  if (error) return <>Could not load acknowledgements: {error.message}</>;
  if (!data) return <>Loading…</>;
  if (data.receipts.length === 0) {
    return <>{data.subscribers.length === 0 ? 'No resource server is subscribed to the feed' : 'No subscriber has acknowledged yet'}</>;
  }
  return (
    <>
      {data.receipts.map((ack) => (
        <Line key={ack.clientId} testId="receipt-ack">
          <Mono>{ack.clientId}</Mono>
          <span title={formatAbsolute(ack.receivedAt)}>acknowledged {after(ack.receivedAt, since)}</span>
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
          <Mono>{delivery.clientId}</Mono>
          <LinkedId value={delivery.sessionId} href={href.session(delivery.sessionId)} label="session id" wrap />
          <span data-state={delivery.state} title={delivery.uri}>
            {describeDelivery(delivery, since)}
          </span>
        </Line>
      ))}
    </>
  );
}
