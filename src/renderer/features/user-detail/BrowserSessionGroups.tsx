import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { browserSessionLabel, type BrowserSessionGroup } from './browser-session-groups';

/**
 * The browser sessions behind the listed app sessions: one row per browser (the hosted sign-in page's
 * session), with the apps it signed in. Force logout and block end them too; revoking one app's session
 * leaves the browser session and its other apps alone.
 */
export function BrowserSessionGroups({ groups }: { groups: BrowserSessionGroup[] }) {
  if (groups.length === 0) return null;
  return (
    <Paper variant="outlined" sx={{ p: 1.5, mb: 1.5 }} data-testid="browser-session-groups">
      <Typography variant="subtitle2" component="h3" sx={{ mb: 1 }}>
        Browser sessions (hosted sign-in page)
      </Typography>
      <Stack component="ul" spacing={0.75} sx={{ listStyle: 'none', m: 0, p: 0 }}>
        {groups.map((group) => (
          <Stack component="li" key={group.browserSessionId} direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }} data-testid={`browser-session-${group.browserSessionId}`}>
            <Typography variant="body2" sx={{ fontWeight: 600 }} title={group.browserSessionId}>
              {browserSessionLabel(group.browserSessionId)}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {group.activeSessions} of {group.sessionIds.length} app session{group.sessionIds.length === 1 ? '' : 's'} active ·
            </Typography>
            {group.clientIds.map((clientId) => (
              <Chip key={clientId} size="small" label={clientId} />
            ))}
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}
