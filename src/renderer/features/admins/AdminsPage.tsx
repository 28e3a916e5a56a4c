import Alert from '@mui/material/Alert';
import PersonAddIcon from '@mui/icons-material/PersonAdd';
import { useState } from 'react';
import { useAdminQuery } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { RoleButton } from '../../components/RoleButton';
import { useCan } from '../../lib/role';
import { useSession } from '../shell/session-context';
import { AdminKeysSection } from './AdminKeysSection';
import { AdminSessionsSection } from './AdminSessionsSection';
import { AdminsTable } from './AdminsTable';
import { CreateAdminDialog } from './CreateAdminDialog';
import { OwnAccountSection } from './OwnAccountSection';

/**
 * Admins: one's own account (every named admin), and for owners every admin, their API keys and console
 * sessions. Non-owners see that the management exists (the Create button, disabled) but not the list: the
 * service answers `listAdmins` to owners only.
 */
export function AdminsPage() {
  const session = useSession();
  const isOwner = useCan('listAdmins');
  const [creating, setCreating] = useState(false);
  const admins = useAdminQuery('listAdmins', {}, { enabled: isOwner, refreshOn: (event) => event.type.startsWith('admin.'), throttleMs: 500 });

  return (
    <>
      <PageHeader
        title="Admins"
        subtitle="Who may use this console and its API, with which role. Every action is audited as admin:<username>."
        actions={
          <RoleButton method="createAdmin" variant="contained" startIcon={<PersonAddIcon />} onClick={() => setCreating(true)} data-testid="create-admin-open">
            Create admin
          </RoleButton>
        }
      />
      {session?.admin && <OwnAccountSection session={{ ...session, admin: session.admin }} />}
      {!isOwner && (
        <Alert severity="info" data-testid="admins-owner-only">
          Only owners see and manage admins, their API keys and sessions. You are signed in as {session?.role ?? 'owner'}.
        </Alert>
      )}
      {isOwner && (
        <>
          <ErrorAlert error={admins.error} title="Could not load admins" />
          {!admins.data && admins.loading && <Loading />}
          {admins.data && admins.data.length === 0 && (
            <Alert severity="info" data-testid="admins-empty">
              No named admins yet: this console is open with the install's one-time link. Create an owner for yourself, then sign in as them.
            </Alert>
          )}
          {admins.data && admins.data.length > 0 && <AdminsTable admins={admins.data} selfId={session?.admin?.id ?? null} onChanged={admins.refetch} />}
          <AdminKeysSection admins={admins.data ?? []} />
          <AdminSessionsSection />
        </>
      )}
      <CreateAdminDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => {
          setCreating(false);
          admins.refetch();
        }}
      />
    </>
  );
}
