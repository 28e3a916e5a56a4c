import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { DemoWebApp, DemoWebSession } from '../../../shared/demo';

interface Props {
  webApp: DemoWebApp;
}

/** "ended by back-channel logout 9 ms after the action", "signed out", "signed in". */
export function webSessionText(session: DemoWebSession): string {
  if (session.endedAt === null) return 'signed in';
  if (session.msAfterAction === null) return `ended: ${session.endedBy ?? 'ended'}`;
  const ms = session.msAfterAction < 10 ? session.msAfterAction.toFixed(1) : String(Math.round(session.msAfterAction));
  return `ended by ${session.endedBy ?? 'logout'} ${ms} ms after the action`;
}

/**
 * The demo web app: a browser-facing app signed in through the hosted page. Its own cookie sessions are
 * listed live; a force logout ends them through back-channel logout, as it ends API access through the feed.
 */
export function DemoWebAppCard({ webApp }: Props) {
  return (
    <Card variant="outlined" sx={{ mb: 2 }} data-testid="demo-web-app">
      <CardContent>
        <Typography variant="subtitle1" component="h2">
          Web app with standard sign-in
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Open{' '}
          <Link href={webApp.url} target="_blank" rel="noreferrer" data-testid="demo-web-app-url">
            {webApp.url}
          </Link>{' '}
          in a browser and sign in as a demo user on the hosted page. Then force that user out: the app&apos;s own session ends through
          back-channel logout, and its next page asks you to sign in again.
        </Typography>
        {webApp.sessions.length === 0 ? (
          <Typography variant="body2" data-testid="demo-web-app-empty">
            Nobody has signed in to the web app yet.
          </Typography>
        ) : (
          <Stack spacing={0.5} component="ul" sx={{ m: 0, pl: 2 }}>
            {webApp.sessions.map((session) => (
              <li key={session.id} data-testid="demo-web-session" data-state={session.endedAt === null ? 'live' : 'ended'}>
                <b>{session.username}</b> signed in at {new Date(session.signedInAt).toLocaleTimeString()}{' '}
                <Chip size="small" variant="outlined" color={session.endedAt === null ? 'success' : 'default'} label={webSessionText(session)} />
              </li>
            ))}
          </Stack>
        )}
      </CardContent>
    </Card>
  );
}
