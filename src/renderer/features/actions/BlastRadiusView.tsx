import Alert from '@mui/material/Alert';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Fragment, type ReactNode } from 'react';
import type { RevocationTarget } from '../../../shared/admin-api';
import type { BlastRadius } from '../../../shared/dto';
import { Fact } from '../../components/Fact';
import { Countdown } from '../../components/TimeText';
import { href } from '../../lib/router';
import { accessTokensNote, devicesHeading, liveTokensLabel } from './blast-radius-text';

function Figure({ label, value, testId }: { label: string; value: ReactNode; testId: string }) {
  return (
    <Fact label={label} testId={testId} size="large">
      {value}
    </Fact>
  );
}

/** What an action will kill, before it kills it: tokens, refresh families, devices, clients. */
export function BlastRadiusView({ radius, kind }: { radius: BlastRadius; kind?: RevocationTarget['kind'] }) {
  const nothing = radius.liveAccessTokens === 0 && radius.refreshFamilies === 0 && radius.sessions.length === 0;
  return (
    <Stack spacing={1.5} data-testid="blast-radius">
      <Typography variant="subtitle2" component="h3">
        Blast radius
      </Typography>
      {nothing && (
        <Alert severity="info" data-testid="blast-radius-empty">
          Nothing live is affected right now.
        </Alert>
      )}
      <Stack direction="row" spacing={4} useFlexGap sx={{ flexWrap: 'wrap' }}>
        <Figure label={liveTokensLabel(radius)} value={radius.liveAccessTokens} testId="blast-radius-live-tokens" />
        <Figure
          label="Worst-case expiry"
          value={radius.worstCaseExpiry === null ? '—' : <Countdown at={radius.worstCaseExpiry} />}
          testId="blast-radius-worst-expiry"
        />
        <Figure label="Refresh families" value={radius.refreshFamilies} testId="blast-radius-refresh-families" />
        <Figure
          label="Clients"
          value={
            radius.clients.length === 0
              ? '—'
              : radius.clients.map((clientId, index) => (
                  <Fragment key={clientId}>
                    {index > 0 && ', '}
                    <Link href={href.client(clientId)}>{clientId}</Link>
                  </Fragment>
                ))
          }
          testId="blast-radius-clients"
        />
      </Stack>
      {accessTokensNote(radius) && (
        <Typography variant="body2" sx={{ color: 'text.secondary' }} data-testid="blast-radius-tokens-note" data-fate={radius.accessTokensFate}>
          {accessTokensNote(radius)}
        </Typography>
      )}
      <div>
        <Typography variant="caption" component="p" sx={{ color: 'text.secondary', m: 0 }} data-testid="blast-radius-devices-heading">
          {devicesHeading(radius, kind)}
        </Typography>
        <List dense disablePadding data-testid="blast-radius-devices">
          {radius.sessions.map((session, index) => (
            <ListItem key={session.id} disableGutters data-testid={`blast-radius-device-${index}`} data-session-id={session.id}>
              <ListItemText
                primary={<Link href={href.session(session.id)}>{session.deviceName}</Link>}
                secondary={
                  <>
                    <Link href={href.user(session.userId)} color="inherit">
                      {session.username}
                    </Link>
                    {' · '}
                    <Link href={href.client(session.clientId)} color="inherit">
                      {session.clientId}
                    </Link>
                    {session.ip ? ` · ${session.ip}` : ''}
                  </>
                }
              />
            </ListItem>
          ))}
          {radius.sessions.length === 0 &&
            radius.devices.map((device, index) => (
              <ListItem key={device} disableGutters data-testid={`blast-radius-device-${index}`}>
                <ListItemText primary={device} />
              </ListItem>
            ))}
        </List>
      </div>
    </Stack>
  );
}
