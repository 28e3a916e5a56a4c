import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { AdminSessionInfo } from '../../../shared/admin-accounts';
import { api, refreshAuth, useAction, useAdminQuery } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RoleButton } from '../../components/RoleButton';
import { RelativeTime } from '../../components/TimeText';
import { UserAgent } from '../../components/UserAgent';
import { ConfirmDialog } from './ConfirmDialog';

/** Live console sessions of every admin (incl. the one-time link's): where from, since when, until when. */
export function AdminSessionsSection() {
  const sessions = useAdminQuery('listAdminSessions', {}, { refreshOn: (event) => event.type.startsWith('admin.'), throttleMs: 500 });
  const [ending, setEnding] = useState<AdminSessionInfo | null>(null);
  const [revoke, revokeState] = useAction(api.revokeAdminSession);

  const confirm = async () => {
    if (!ending) return;
    const ended = await revoke({ sessionId: ending.id });
    if (!ended) return;
    setEnding(null);
    // Ending one's own session signs this browser out: ask the service rather than wait for the next 401.
    if (ended.current) await refreshAuth();
    else sessions.refetch();
  };

  return (
    <section aria-labelledby="admin-sessions-title">
      <Typography variant="h6" component="h2" id="admin-sessions-title" sx={{ mt: 4, mb: 1 }}>
        Console sessions
      </Typography>
      <ErrorAlert error={sessions.error} title="Could not load console sessions" />
      {sessions.data && (
        <TableContainer>
          <Table size="small" aria-label="Console sessions" data-testid="admin-sessions-table">
            <TableHead>
              <TableRow>
                <TableCell>Admin</TableCell>
                <TableCell>From</TableCell>
                <TableCell>Signed in</TableCell>
                <TableCell>Last seen</TableCell>
                <TableCell>Ends at the latest</TableCell>
                <TableCell align="right">End</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {sessions.data.map((session) => (
                <TableRow key={session.id} data-testid="admin-session-row" data-actor={session.actor} data-current={session.current}>
                  <TableCell>
                    {session.actor} {session.current && <Chip size="small" label="this browser" variant="outlined" sx={{ ml: 0.5 }} />}
                  </TableCell>
                  <TableCell>
                    <UserAgent value={session.userAgent} /> · {session.ip}
                  </TableCell>
                  <TableCell>
                    <RelativeTime at={session.createdAt} />
                  </TableCell>
                  <TableCell>
                    <RelativeTime at={session.lastSeenAt} />
                  </TableCell>
                  <TableCell>
                    <RelativeTime at={Math.min(session.idleExpiresAt, session.absoluteExpiresAt)} />
                  </TableCell>
                  <TableCell align="right">
                    <RoleButton method="revokeAdminSession" size="small" color="error" onClick={() => setEnding(session)} data-testid={`admin-session-revoke-${session.id}`}>
                      End
                    </RoleButton>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <ConfirmDialog
        open={ending !== null}
        title={`End this session of ${ending?.actor ?? ''}?`}
        text={ending?.current ? 'This is your own session: this browser is signed out (every tab).' : 'That browser is signed out at once (every tab of it).'}
        confirmLabel="End session"
        busy={revokeState.busy}
        error={revokeState.error}
        onConfirm={() => void confirm()}
        onClose={() => {
          setEnding(null);
          revokeState.reset();
        }}
      />
    </section>
  );
}
