import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Link from '@mui/material/Link';
import type { SessionInfo } from '../../../shared/dto';
import { Fact } from '../../components/Fact';
import { Mono } from '../../components/Mono';
import { Countdown, RelativeTime } from '../../components/TimeText';
import { href } from '../../lib/router';


/** Who, where and until when: the facts of one device session. */
export function SessionFacts({ session }: { session: SessionInfo }) {
  const active = session.status === 'active';
  return (
    <Card variant="outlined" sx={{ mb: 2 }}>
      <CardContent>
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))' }}>
          <Fact label="User">
            <Link href={href.user(session.userId)} data-testid="session-user-link">
              {session.username}
            </Link>
          </Fact>
          <Fact label="Client" testId="session-client">
            <Mono>{session.clientId}</Mono>
          </Fact>
          <Fact label="IP" testId="session-ip">
            {session.ip}
          </Fact>
          <Fact label="Remember me">{session.rememberMe ? 'yes' : 'no'}</Fact>
          <Fact label="Signed in">
            <RelativeTime at={session.createdAt} />
          </Fact>
          <Fact label="Last activity">
            <RelativeTime at={session.lastActivityAt} />
          </Fact>
          <Fact label="Idle expiry">{active ? <Countdown at={session.idleExpiresAt} /> : '—'}</Fact>
          <Fact label="Absolute expiry">{active ? <Countdown at={session.absoluteExpiresAt} /> : '—'}</Fact>
          <Fact label="Refreshes" testId="session-refresh-count">
            {session.refreshCount}
          </Fact>
          {session.status === 'revoked' && (
            <Fact label="Revoked" testId="session-revoked-info">
              <RelativeTime at={session.revokedAt} /> by {session.revokedBy ?? 'unknown'}
              {session.revokeReason ? ` — ${session.revokeReason}` : ''}
            </Fact>
          )}
        </Box>
        <Fact label="User agent" testId="session-user-agent">
          {session.userAgent || '—'}
        </Fact>
      </CardContent>
    </Card>
  );
}
