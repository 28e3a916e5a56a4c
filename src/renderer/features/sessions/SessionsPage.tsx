import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { LiveEvent } from '../../../shared/events';
import type { ClientInfo, SessionInfo } from '../../../shared/dto';
import { api, useAdminQuery } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { RoleButton } from '../../components/RoleButton';
import { href, navigate, useRoute } from '../../lib/router';
import { ConfirmActionDialog } from '../actions/ConfirmActionDialog';
import { AllSessionsTable } from './AllSessionsTable';
import { SessionFilterBar } from './SessionFilterBar';
import { filterProblems, filtersFromQuery, filtersToQuery, toSearchInput, type SessionFilters } from './session-filters';
import { SignOutEveryoneDialog } from './SignOutEveryoneDialog';

const PAGE_SIZE = 50;

/** Events that change which sessions match or their status; routine refreshes are not among them (rows would jump). */
const CHANGES = (event: LiveEvent) =>
  event.type === 'user.login' || event.type === 'session.revoked' || event.type.startsWith('sessions.') ||
  event.type === 'user.forced_out' || event.type === 'user.refresh_version_bumped' || event.type === 'user.blocked';

/** Every session across users, filtered (filters in the URL), paged on the server, with bulk revoke. */
export function SessionsPage() {
  const route = useRoute();
  const filters = filtersFromQuery(route.query);
  const clients = useAdminQuery('listClients', {});
  const input = toSearchInput(filters);
  const valid = Object.keys(filterProblems(filters)).length === 0;
  const apply = (next: SessionFilters) => navigate(href.sessions(filtersToQuery(next)));
  return (
    <>
      <PageHeader
        title="Sessions"
        subtitle="Every device session of every user. Filters are kept in the address, so a filtered view can be shared."
        actions={<SignOutEveryone clientsList={clients.data ?? []} clientId={filters.clientId} />}
      />
      <SessionFilterBar filters={filters} clients={clients.data ?? []} onChange={apply} />
      {filters.userId && (
        <Alert severity="info" sx={{ mb: 2 }} data-testid="sessions-filter-user" action={<Button onClick={() => apply({ ...filters, userId: '' })}>Show all users</Button>}>
          Only the sessions of user <code>{filters.userId}</code>.
        </Alert>
      )}
      {valid ? (
        <Results
          key={JSON.stringify(input)}
          input={input}
          // A creation range pages directly in creation order; in activity order its sessions are spread out.
          onOrderByCreation={(filters.createdFrom || filters.createdTo) && filters.sort === 'lastActivityAt' ? () => apply({ ...filters, sort: 'createdAt', dir: 'desc' }) : undefined}
        />
      ) : (
        <Alert severity="warning" data-testid="sessions-filter-invalid">
          Fix the highlighted filter to search.
        </Alert>
      )}
    </>
  );
}

function SignOutEveryone({ clientsList, clientId }: { clientsList: ClientInfo[]; clientId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <RoleButton method="signOutEveryone" color="error" variant="outlined" onClick={() => setOpen(true)} data-testid="sign-out-everyone-open">
        Sign out everyone…
      </RoleButton>
      <SignOutEveryoneDialog open={open} clients={clientsList} initialClientId={clientId} onClose={() => setOpen(false)} onDone={() => {}} />
    </>
  );
}

/** One filtered result set, paged forward by cursor (the stack of cursors walks back). Keyed by its filters. */
function Results({ input, onOrderByCreation }: { input: ReturnType<typeof toSearchInput>; onOrderByCreation?: () => void }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState<string[] | null>(null);
  const cursor = cursors[cursors.length - 1];
  const page = useAdminQuery('searchSessions', { ...input, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, { refreshOn: CHANGES, throttleMs: 1000, keepPrevious: true });
  const rows: SessionInfo[] = page.data?.items ?? [];
  const first = cursors.length * PAGE_SIZE + 1;
  return (
    <Stack spacing={1.5}>
      <Stack direction="row" spacing={1.5} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <RoleButton
          method="revokeSessions"
          color="error"
          variant="contained"
          disabled={selected.size === 0}
          onClick={() => setConfirming([...selected])}
          data-testid="sessions-revoke-selected"
        >
          Revoke selected ({selected.size})
        </RoleButton>
        {selected.size > 0 && (
          <Button onClick={() => setSelected(new Set())} data-testid="sessions-clear-selection">
            Clear selection
          </Button>
        )}
        <Typography variant="body2" sx={{ color: 'text.secondary' }} data-testid="sessions-range" aria-live="polite">
          {rows.length === 0 ? 'No sessions on this page' : `Sessions ${first.toLocaleString()}–${(first + rows.length - 1).toLocaleString()}`}
        </Typography>
      </Stack>
      <ErrorAlert error={page.error} title="Could not load sessions" testId="sessions-error" />
      {page.data?.partial && (
        <Alert
          severity="info"
          data-testid="sessions-partial"
          action={onOrderByCreation && <Button onClick={onOrderByCreation} data-testid="sessions-partial-order-by-creation">Order by creation</Button>}
        >
          Few sessions match these filters: this page searched part of the list and stopped to stay fast. “Next page” searches on.
        </Alert>
      )}
      <AllSessionsTable rows={rows} loading={page.loading} selected={selected} onSelectedChange={setSelected} />
      <Stack direction="row" spacing={1} sx={{ justifyContent: 'flex-end' }}>
        <Button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))} data-testid="sessions-prev">
          Previous page
        </Button>
        <Button disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])} data-testid="sessions-next">
          Next page
        </Button>
      </Stack>
      <ConfirmActionDialog
        open={confirming !== null}
        title={`Revoke ${confirming?.length ?? 0} sessions`}
        description="Each selected session ends now with its refresh family; resource servers drop its access tokens through the feed. The users can sign in again."
        target={confirming ? { kind: 'sessions', sessionIds: confirming } : null}
        confirmLabel="Revoke sessions"
        run={(reason) => api.revokeSessions({ sessionIds: confirming ?? [], ...(reason ? { reason } : {}) })}
        onClose={() => setConfirming(null)}
        onDone={() => {
          setSelected(new Set());
          page.refetch();
        }}
      />
    </Stack>
  );
}
