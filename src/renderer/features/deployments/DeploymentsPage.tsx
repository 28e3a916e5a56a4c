import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import { useState } from 'react';
import type { Deployment } from '../../../shared/deployments';
import { api, toApiError, useAction, useAdminQuery, type ApiError } from '../../api';
import { CopyableId } from '../../components/CopyableId';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { RoleButton } from '../../components/RoleButton';
import { RelativeTime } from '../../components/TimeText';
import { RoleContext } from '../../lib/role';
import { ConfirmDialog } from '../admins/ConfirmDialog';
import { useDeployment } from './deployment-context';
import { DeploymentDialog } from './DeploymentDialog';

/**
 * The deployments this console can manage: "This computer" and saved remote ones. The profiles belong to this
 * console, so they are managed with this console's own role, whichever deployment it manages right now.
 */
export function DeploymentsPage() {
  const { localRole } = useDeployment();
  return (
    <RoleContext.Provider value={localRole}>
      <DeploymentsList />
    </RoleContext.Provider>
  );
}

function DeploymentsList() {
  const { current, switchTo, reload } = useDeployment();
  const list = useAdminQuery('listDeployments', {}, { refreshOn: (event) => event.type.startsWith('deployment.') });
  const [editing, setEditing] = useState<Deployment | null | undefined>(undefined);
  const [removing, setRemoving] = useState<Deployment | null>(null);
  const [remove, removeState] = useAction(api.removeDeployment);
  const [switching, setSwitching] = useState<string | null>(null);
  const [switchError, setSwitchError] = useState<ApiError | undefined>();

  const manage = async (id: string) => {
    setSwitching(id);
    setSwitchError(undefined);
    try {
      await switchTo(id);
    } catch (caught) {
      setSwitchError(toApiError(caught));
    } finally {
      setSwitching(null);
    }
  };

  const confirmRemove = async () => {
    if (removing && (await remove({ id: removing.id }))) {
      setRemoving(null);
      list.refetch();
      await reload();
    }
  };

  return (
    <>
      <PageHeader
        title="Deployments"
        subtitle="This console manages one deployment at a time: this computer's engine, or a remote Token Warden reached with an admin API key kept in the OS keychain."
        actions={
          <RoleButton method="saveDeployment" variant="contained" onClick={() => setEditing(null)} data-testid="deployment-add">
            Add deployment
          </RoleButton>
        }
      />
      <ErrorAlert error={list.error} title="Could not load the deployments" testId="deployments-error" />
      <ErrorAlert error={switchError} title="Could not switch" testId="deployment-switch-error" />
      {list.loading && !list.data && <Loading label="Loading deployments" />}
      {list.data && (
        <TableContainer>
          <Table size="small" aria-label="Deployments" data-testid="deployments-table">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>URL</TableCell>
                <TableCell>Certificate</TableCell>
                <TableCell>API key</TableCell>
                <TableCell>Changed</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {list.data.deployments.map((deployment) => {
                const isCurrent = deployment.id === current.deployment.id;
                const remote = deployment.kind === 'remote';
                return (
                  <TableRow key={deployment.id} data-testid={`deployment-row-${deployment.id}`} data-name={deployment.name} data-current={isCurrent}>
                    <TableCell>
                      {deployment.name} {isCurrent && <Chip size="small" color={remote ? 'secondary' : 'default'} label="managed here" data-testid={`deployment-current-${deployment.id}`} />}
                    </TableCell>
                    <TableCell>
                      <CopyableId value={deployment.baseUrl} label="deployment URL" testId={`deployment-url-${deployment.id}`} />
                    </TableCell>
                    <TableCell>
                      {!remote || !deployment.baseUrl.startsWith('https:') ? (
                        '—'
                      ) : deployment.pinnedSha256 ? (
                        <CopyableId value={deployment.pinnedSha256} label="pinned fingerprint" testId={`deployment-pin-${deployment.id}`} wrap />
                      ) : deployment.tlsVerify ? (
                        'verified (CA and host name)'
                      ) : (
                        'not verified'
                      )}
                    </TableCell>
                    <TableCell data-testid={`deployment-key-${deployment.id}`}>
                      {!remote ? 'not needed' : !deployment.hasCredential ? 'missing: edit to enter it' : list.data?.credentialStore === 'keychain' ? 'in the keychain' : 'in memory until restart'}
                    </TableCell>
                    <TableCell>{deployment.updatedAt === null ? '—' : <RelativeTime at={deployment.updatedAt} />}</TableCell>
                    <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                      <RoleButton method="switchDeployment" size="small" disabled={isCurrent || switching !== null} onClick={() => void manage(deployment.id)} data-testid={`deployment-switch-${deployment.id}`}>
                        {switching === deployment.id ? 'Connecting…' : isCurrent ? 'Managing' : 'Manage'}
                      </RoleButton>
                      {remote && (
                        <>
                          <RoleButton method="saveDeployment" size="small" onClick={() => setEditing(deployment)} data-testid={`deployment-edit-${deployment.id}`}>
                            Edit
                          </RoleButton>
                          <RoleButton method="removeDeployment" size="small" color="error" onClick={() => setRemoving(deployment)} data-testid={`deployment-remove-${deployment.id}`}>
                            Remove
                          </RoleButton>
                        </>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <DeploymentDialog
        credentialStore={list.data?.credentialStore ?? 'keychain'}
        open={editing !== undefined}
        editing={editing ?? null}
        onClose={(saved) => {
          setEditing(undefined);
          if (saved) {
            list.refetch();
            void reload();
          }
        }}
      />
      <ConfirmDialog
        open={removing !== null}
        title={`Remove “${removing?.name ?? ''}”?`}
        text="Its profile and the API key stored for it are deleted from this computer (the key stays valid on the deployment: revoke it there). Consoles managing it return to This computer."
        confirmLabel="Remove"
        busy={removeState.busy}
        error={removeState.error}
        onConfirm={() => void confirmRemove()}
        onClose={() => {
          setRemoving(null);
          removeState.reset();
        }}
      />
    </>
  );
}
