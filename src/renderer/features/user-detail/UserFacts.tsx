import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import type { UserDetail } from '../../../shared/dto';
import { Fact } from '../../components/Fact';
import { CopyableId } from '../../components/CopyableId';
import { RelativeTime } from '../../components/TimeText';


/** The user's account facts: ids, refresh version, not-before, block and lockout state. */
export function UserFacts({ user }: { user: UserDetail }) {
  return (
    <Card variant="outlined" sx={{ mb: 2 }}>
      <CardContent>
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(170px, 1fr))' }}>
          <Fact label="User id">
            <CopyableId value={user.id} label="user id" testId="user-id" wrap />
          </Fact>
          <Fact label="Created">
            <RelativeTime at={user.createdAt} />
          </Fact>
          <Fact label="Last login">
            <RelativeTime at={user.lastLoginAt} />
          </Fact>
          <Fact label="Refresh version" testId="user-refresh-version">
            {user.refreshVersion}
          </Fact>
          <Fact label="Not before" testId="user-not-before">
            {user.notBefore === null ? 'not set' : <RelativeTime at={user.notBefore} />}
          </Fact>
          <Fact label="Failed logins" testId="user-failed-logins">
            {user.failedLogins}
            {user.lockedUntil !== null && user.lockedUntil > Date.now() && (
              <>
                {' '}
                (locked, unlocks <RelativeTime at={user.lockedUntil} />)
              </>
            )}
          </Fact>
          {user.status === 'blocked' && (
            <Fact label="Blocked" testId="user-blocked-reason">
              <RelativeTime at={user.blockedAt} />
              {user.blockedReason ? ` — ${user.blockedReason}` : ''}
            </Fact>
          )}
        </Box>
      </CardContent>
    </Card>
  );
}
