import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { SessionInfo } from '../../../shared/dto';
import { StatusChip } from '../../components/StatusChip';
import { Countdown, RelativeTime } from '../../components/TimeText';
import { href } from '../../lib/router';

interface Props {
  clientId: string;
  liveSessions: number;
  /** The first few live sessions (the latest to expire first); the Sessions view has them all, filtered. */
  sessions: SessionInfo[];
}

/** A client's live sessions: the count, the first few, and the Sessions view filtered to this client. */
export function ClientSessionsCard({ clientId, liveSessions, sessions }: Props) {
  const all = (
    <Link href={href.sessions({ clientId })} data-testid="client-sessions-link">
      All sessions of this client
    </Link>
  );
  return (
    <Card variant="outlined">
      <CardContent>
        <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'baseline', flexWrap: 'wrap', mb: 1 }}>
          <Typography variant="h6" component="h2">
            Live sessions
          </Typography>
          <Typography data-testid="client-live-sessions" data-count={liveSessions}>
            {liveSessions === 0 ? 'none' : liveSessions}
          </Typography>
          {all}
        </Stack>
        {sessions.length > 0 && (
          <Table size="small" data-testid="client-sessions-table" aria-label={`Live sessions of ${clientId}`}>
            <TableHead>
              <TableRow>
                <TableCell>Device</TableCell>
                <TableCell>User</TableCell>
                <TableCell>IP</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Last activity</TableCell>
                <TableCell>Ends</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {sessions.map((session) => (
                <TableRow key={session.id} data-testid={`client-session-row-${session.id}`}>
                  <TableCell>
                    <Link href={href.session(session.id)}>{session.deviceName}</Link>
                  </TableCell>
                  <TableCell>
                    <Link href={href.user(session.userId)}>{session.username}</Link>
                  </TableCell>
                  <TableCell>{session.ip}</TableCell>
                  <TableCell>
                    <StatusChip status={session.status} />
                  </TableCell>
                  <TableCell>
                    <RelativeTime at={session.lastActivityAt} />
                  </TableCell>
                  <TableCell>
                    <Countdown at={Math.min(session.idleExpiresAt, session.absoluteExpiresAt)} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {liveSessions > sessions.length && (
          <Typography variant="body2" sx={{ mt: 1, color: 'text.secondary' }}>
            Showing {sessions.length} of {liveSessions}: <Link href={href.sessions({ clientId })}>see them all in Sessions</Link>
          </Typography>
        )}
      </CardContent>
    </Card>
  );
}
