import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Link from '@mui/material/Link';
import type { SessionInfo } from '../../../shared/dto';
import { Fact } from '../../components/Fact';
import { LinkedId } from '../../components/LinkedId';
import { Countdown, RelativeTime } from '../../components/TimeText';
import { UserAgent } from '../../components/UserAgent';
import { href } from '../../lib/router';

/** Who, where and until when: the facts of one device session. */
export function SessionFacts({ session }: { session: SessionInfo }) {
  // A session whose refresh family a bump ended is still open: its expiries still apply.
  const open = session.status === 'active' || session.status === 'cant_refresh';
  return (
    <Card variant="outlined" sx={{ mb: 2 }}>
      <CardContent>
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))' }}>
          <Fact label="User">
            <Link href={href.user(session.userId)} data-testid="session-user-link">
              {session.username}
            </Link>
          </Fact>
          <Fact label="Client">
            <LinkedId value={session.clientId} href={href.client(session.clientId)} label="client id" testId="session-client" wrap />
          </Fact>
          <Fact label="IP" testId="session-ip">
            {session.ip ? (
              <Link href={href.sessions({ ipPrefix: session.ip })} title="Every session from this address">
                {session.ip}
              </Link>
            ) : (
              '—'
            )}
          </Fact>
          <Fact label="Remember me">{session.rememberMe ? 'yes' : 'no'}</Fact>
          <Fact label="Signed in">
            <RelativeTime at={session.createdAt} />
          </Fact>
          <Fact label="Last activity">
            <RelativeTime at={session.lastActivityAt} />
          </Fact>
          <Fact label="Idle expiry">{open ? <Countdown at={session.idleExpiresAt} /> : '—'}</Fact>
          <Fact label="Absolute expiry">{open ? <Countdown at={session.absoluteExpiresAt} /> : '—'}</Fact>
          <Fact label="Refreshes" testId="session-refresh-count">
            {session.refreshCount}
          </Fact>
          {session.status === 'cant_refresh' && (
            <Fact label="Can't refresh since" testId="session-refresh-ended">
              <RelativeTime at={session.refreshEndedAt} /> (refresh version bumped: its access tokens live until they expire)
            </Fact>
          )}
          {session.status === 'revoked' && (
            <Fact label="Revoked" testId="session-revoked-info">
              <RelativeTime at={session.revokedAt} /> by {session.revokedBy ?? 'unknown'}{' '}
              (<Link href={href.audit({ sessionId: session.id })}>audit</Link>)
              {session.revokeReason ? ` — ${session.revokeReason}` : ''}
            </Fact>
          )}
        </Box>
        <Fact label="User agent">
          <UserAgent value={session.userAgent} testId="session-user-agent" showRaw />
        </Fact>
      </CardContent>
    </Card>
  );
}
