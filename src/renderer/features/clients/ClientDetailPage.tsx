import Alert from '@mui/material/Alert';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import { useState } from 'react';
import type { LiveEvent } from '../../../shared/events';
import { useAdminQuery } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { RoleButton } from '../../components/RoleButton';
import { StatusChip } from '../../components/StatusChip';
import { AbsoluteTime } from '../../components/TimeText';
import { href } from '../../lib/router';
import { useConfirmAction } from '../actions/use-confirm-action';
import { ClientDialog } from './ClientDialog';
import { ClientFacts } from './ClientFacts';
import { ClientSessionsCard } from './ClientSessionsCard';
import { DeleteClientDialog } from './DeleteClientDialog';
import { RotateSecretDialog } from './RotateSecretDialog';
import { SecretOnceDialog } from './SecretOnceDialog';
import { disableClientSpec, enableClientSpec } from './client-actions';

/** Anything that changes what the page shows: the client itself, or a session of it starting or ending. */
const touches = (clientId: string) => (event: LiveEvent) => event.data.clientId === clientId;

/** One client (`#/clients/<id>`): its registration and state, its live sessions, and what an owner may do to it. */
export function ClientDetailPage({ clientId }: { clientId: string }) {
  const detail = useAdminQuery('getClient', { clientId }, { refreshOn: touches(clientId), throttleMs: 300 });
  const [confirm, confirmDialog] = useConfirmAction();
  const [editing, setEditing] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [secret, setSecret] = useState<{ value: string; previousValidUntil: number | null } | null>(null);
  const [deleted, setDeleted] = useState(false);

  if (deleted) {
    return (
      <>
        <PageHeader title={clientId} />
        <Alert severity="success" data-testid="client-deleted">
          {clientId} was deleted; the audit log keeps its record. <Link href={href.clients()}>Back to the clients</Link>
        </Alert>
      </>
    );
  }
  if (!detail.data) {
    return (
      <>
        <PageHeader title="Client" />
        <ErrorAlert error={detail.error} title="Could not load this client" />
        {detail.loading && <Loading />}
      </>
    );
  }
  const { client, liveSessions, sessions } = detail.data;
  const actions = (
    <>
      <RoleButton method="updateClient" variant="outlined" onClick={() => setEditing(true)} data-testid="client-action-edit">
        Edit
      </RoleButton>
      {client.kind === 'confidential' && (
        <RoleButton method="rotateClientSecret" variant="outlined" color="warning" onClick={() => setRotating(true)} data-testid="client-action-rotate-secret">
          Rotate secret
        </RoleButton>
      )}
      {client.disabledAt === null ? (
        <RoleButton method="setClientDisabled" variant="outlined" color="error" onClick={() => confirm({ ...disableClientSpec(client, liveSessions), onDone: detail.refetch })} data-testid="client-action-disable">
          Disable
        </RoleButton>
      ) : (
        <RoleButton method="setClientDisabled" variant="outlined" onClick={() => confirm({ ...enableClientSpec(client), onDone: detail.refetch })} data-testid="client-action-enable">
          Enable
        </RoleButton>
      )}
      <RoleButton method="deleteClient" variant="contained" color="error" onClick={() => setDeleting(true)} data-testid="client-action-delete">
        Delete
      </RoleButton>
    </>
  );

  return (
    <>
      <PageHeader
        title={
          <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center' }}>
            <span data-testid="client-name">{client.name}</span>
            <StatusChip status={client.disabledAt === null ? 'active' : 'disabled'} testId="client-status" />
          </Stack>
        }
        subtitle={<Link href={href.clients()}>All clients</Link>}
        actions={actions}
      />
      <ErrorAlert error={detail.error} title="Could not refresh this client" />
      {client.disabledAt !== null && (
        <Alert severity="warning" sx={{ mb: 2 }} data-testid="client-disabled-banner">
          Disabled since <AbsoluteTime at={client.disabledAt} />
          {client.disabledReason ? `: ${client.disabledReason}` : ''}. Its sign-ins, refreshes, codes, authentication, introspection
          and feed are refused until it is enabled.
        </Alert>
      )}
      <ClientFacts client={client} />
      <ClientSessionsCard clientId={client.clientId} liveSessions={liveSessions} sessions={sessions} />
      {confirmDialog}
      <ClientDialog
        mode="edit"
        client={editing ? client : null}
        onClose={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          detail.refetch();
        }}
      />
      <RotateSecretDialog
        clientId={rotating ? client.clientId : null}
        onClose={() => setRotating(false)}
        onRotated={(result) => {
          setRotating(false);
          setSecret({ value: result.clientSecret, previousValidUntil: result.previousValidUntil });
          detail.refetch();
        }}
      />
      <SecretOnceDialog
        clientId={client.clientId}
        secret={secret?.value ?? null}
        previousValidUntil={secret?.previousValidUntil}
        onClose={() => setSecret(null)}
      />
      <DeleteClientDialog
        client={deleting ? client : null}
        liveSessions={liveSessions}
        onClose={() => setDeleting(false)}
        onDeleted={() => {
          setDeleting(false);
          setDeleted(true);
        }}
      />
    </>
  );
}
