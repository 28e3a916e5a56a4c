import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import type { Receipt } from '../../../shared/dto';
import { Mono } from '../../components/Mono';
import { LinkedId } from '../../components/LinkedId';
import { href } from '../../lib/router';
import { RelativeTime } from '../../components/TimeText';
import { formatAbsolute } from '../../lib/time';
import { BackchannelDeliveries, FeedAcknowledgements } from './ReceiptDeliveries';

function Row({ label, children, testId }: { label: string; children: ReactNode; testId: string }) {
  return (
    <>
      <Typography component="dt" variant="body2" sx={{ color: 'text.secondary' }}>
        {label}
      </Typography>
      <Typography component="dd" variant="body2" sx={{ m: 0 }} data-testid={testId}>
        {children}
      </Typography>
    </>
  );
}

/**
 * Proof that an action happened: what was revoked, when, by whom, whether it reached the feed, which resource
 * servers applied it, and which client apps ended their own sessions (back-channel logout), with times.
 */
export function ReceiptView({ receipt }: { receipt: Receipt }) {
  return (
    <Alert severity="success" data-testid="receipt" data-feed-event-id={receipt.feedEventId ?? ''}>
      <AlertTitle>Done — receipt</AlertTitle>
      <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.5, m: 0 }}>
        <Row label="Action" testId="receipt-action">
          <Mono>{receipt.action}</Mono>
        </Row>
        <Row label="When" testId="receipt-at">
          {formatAbsolute(receipt.at)} (<RelativeTime at={receipt.at} />)
        </Row>
        <Row label="By" testId="receipt-actor">
          {receipt.actor}
        </Row>
        <Row label="Reason" testId="receipt-reason">
          {receipt.reason ?? '—'}
        </Row>
        <Row label="Sessions revoked" testId="receipt-sessions">
          {receipt.sessionsRevoked.length}
          {receipt.sessionsRevoked.length > 0 && (
            <>
              {' '}(
              {receipt.sessionsRevoked.map((id, index) => (
                <span key={id}>
                  {index > 0 && ', '}
                  <LinkedId value={id} href={href.session(id)} label="session id" wrap />
                </span>
              ))}
              )
            </>
          )}
        </Row>
        <Row label="Access tokens revoked" testId="receipt-access-tokens">
          {receipt.accessTokensRevoked}
        </Row>
        <Row label="Refresh tokens revoked" testId="receipt-refresh-tokens">
          {receipt.refreshTokensRevoked}
        </Row>
        <Row label="Revocation feed" testId="receipt-feed-event">
          {receipt.feedEventId === null
            ? 'Not published (nothing for resource servers to drop)'
            : `Published as feed event #${receipt.feedEventId}`}
        </Row>
        {receipt.feedEventId !== null && (
          <>
            <Row label="Acknowledged by" testId="receipt-acks">
              <FeedAcknowledgements feedEventId={receipt.feedEventId} since={receipt.at} />
            </Row>
            <Row label="App sessions ended" testId="receipt-backchannel">
              <BackchannelDeliveries feedEventId={receipt.feedEventId} since={receipt.at} />
            </Row>
          </>
        )}
      </Box>
    </Alert>
  );
}
