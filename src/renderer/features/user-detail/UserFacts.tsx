import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import type { UserDetail } from '../../../shared/dto';
import { Fact } from '../../components/Fact';
import { CopyableId } from '../../components/CopyableId';
import { AbsoluteTime, RelativeTime } from '../../components/TimeText';

/** The user's account facts: ids, profile, refresh version, not-before, block and lockout state. */
export function UserFacts({ user }: { user: UserDetail }) {
  const attributes = Object.entries(user.attributes);
  return (
    <Card variant="outlined" sx={{ mb: 2 }}>
      <CardContent>
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(170px, 1fr))' }}>
          <Fact label="User id">
            <CopyableId value={user.id} label="user id" testId="user-id" wrap />
          </Fact>
          <Fact label="Name" testId="user-display-name">
            {user.displayName ?? 'not set'}
          </Fact>
          <Fact label="Email" testId="user-email">
            {user.email ?? 'not set'}
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
          </Fact>
          {user.status === 'locked' && user.lockedUntil !== null && (
            <Fact label="Locked until" testId="user-locked-until">
              <AbsoluteTime at={user.lockedUntil} /> (<RelativeTime at={user.lockedUntil} />)
            </Fact>
          )}
          {user.status === 'blocked' && (
            <Fact label="Blocked" testId="user-blocked-reason">
              <RelativeTime at={user.blockedAt} />
              {user.blockedReason ? ` — ${user.blockedReason}` : ''}
            </Fact>
          )}
        </Box>
        <Box sx={{ mt: 2 }}>
          <Fact label="Attributes" testId="user-attributes">
            {attributes.length === 0 ? (
              'none'
            ) : (
              <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }} component="ul" aria-label="Attributes" style={{ margin: 0, padding: 0, listStyle: 'none' }}>
                {attributes.map(([name, value]) => (
                  <li key={name}>
                    <Chip size="small" variant="outlined" label={`${name} = ${value}`} data-testid={`user-attribute-${name}`} />
                  </li>
                ))}
              </Stack>
            )}
          </Fact>
        </Box>
      </CardContent>
    </Card>
  );
}
