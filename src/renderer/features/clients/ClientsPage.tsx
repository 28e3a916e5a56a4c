import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import AddIcon from '@mui/icons-material/Add';
import EditIcon from '@mui/icons-material/Edit';
import Stack from '@mui/material/Stack';
import { useState } from 'react';
import type { ClientInfo } from '../../../shared/dto';
import { useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { LinkedId } from '../../components/LinkedId';
import { Mono } from '../../components/Mono';
import { RoleButton } from '../../components/RoleButton';
import { StatusChip } from '../../components/StatusChip';
import { href } from '../../lib/router';
import { PageHeader } from '../../components/PageHeader';
import { RelativeTime } from '../../components/TimeText';
import { ClientDialog } from './ClientDialog';
import { SecretOnceDialog } from './SecretOnceDialog';

/** OAuth clients: the apps that sign users in, with their registration (redirect URIs, grants), editable; each opens its page. */
export function ClientsPage() {
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<ClientInfo | null>(null);
  const [secret, setSecret] = useState<{ clientId: string; secret: string } | null>(null);
  const clients = useAdminQuery('listClients', {}, { refreshOn: (event) => event.type.startsWith('client.') });

  const create = (
    <RoleButton method="createClient" variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)} data-testid="create-client-open">
      Create client
    </RoleButton>
  );
  return (
    <>
      <PageHeader title="Clients" subtitle="Applications allowed to use the token endpoint." actions={create} />
      <ErrorAlert error={clients.error} title="Could not load clients" />
      {clients.loading && !clients.data && <Loading />}
      {clients.data && (
        <Card variant="outlined">
          <CardContent>
            {clients.data.length === 0 ? (
              <EmptyState
                title="No clients yet — create one"
                hint="Every sign-in names a client_id; create one for each app."
                action={
                  <RoleButton method="createClient" variant="contained" onClick={() => setCreating(true)} data-testid="create-client-empty">
                    Create the first client
                  </RoleButton>
                }
                testId="clients-empty"
              />
            ) : (
              <Table size="small" data-testid="clients-table">
                <TableHead>
                  <TableRow>
                    <TableCell>Client id</TableCell>
                    <TableCell>Name</TableCell>
                    <TableCell>Kind</TableCell>
                    <TableCell>Grants</TableCell>
                    <TableCell>Redirect URIs</TableCell>
                    <TableCell>Created</TableCell>
                    <TableCell />
                  </TableRow>
                </TableHead>
                <TableBody>
                  {clients.data.map((client) => (
                    <TableRow key={client.clientId} data-testid={`client-row-${client.clientId}`}>
                      <TableCell>
                        <LinkedId value={client.clientId} href={href.client(client.clientId)} label="Copy client id" testId={`client-link-${client.clientId}`} />
                      </TableCell>
                      <TableCell>
                        {client.name}
                        {client.disabledAt !== null && (
                          <>
                            {' '}
                            <StatusChip status="disabled" testId={`client-disabled-${client.clientId}`} />
                          </>
                        )}
                      </TableCell>
                      <TableCell>
                        <Chip label={client.kind} variant="outlined" data-testid={`client-kind-${client.clientId}`} />
                      </TableCell>
                      <TableCell data-testid={`client-grants-${client.clientId}`}>
                        <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
                          {client.grantTypes.length === 0 ? '—' : client.grantTypes.map((grant) => <Chip key={grant} label={grant} size="small" />)}
                        </Stack>
                      </TableCell>
                      <TableCell data-testid={`client-redirect-uris-${client.clientId}`}>
                        {client.redirectUris.length === 0 ? '—' : client.redirectUris.map((uri) => (
                              <div key={uri}>
                                <Mono>{uri}</Mono>
                              </div>
                            ))}
                      </TableCell>
                      <TableCell>
                        <RelativeTime at={client.createdAt} />
                      </TableCell>
                      <TableCell align="right">
                        <RoleButton method="updateClient" size="small" startIcon={<EditIcon />} onClick={() => setEditing(client)} data-testid={`client-edit-${client.clientId}`}>
                          Edit
                        </RoleButton>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </CardContent>
        </Card>
      )}
      <ClientDialog
        mode="create"
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(result) => {
          setCreating(false);
          clients.refetch();
          if (result.clientSecret) setSecret({ clientId: result.clientId, secret: result.clientSecret });
        }}
      />
      <ClientDialog
        mode="edit"
        client={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          clients.refetch();
        }}
      />
      <SecretOnceDialog clientId={secret?.clientId ?? ''} secret={secret?.secret ?? null} onClose={() => setSecret(null)} />
    </>
  );
}
