import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import AutorenewIcon from '@mui/icons-material/Autorenew';
import { useState } from 'react';
import { useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { revokeKeySpec } from '../actions/action-specs';
import { useConfirmAction } from '../actions/use-confirm-action';
import { KeysTable } from './KeysTable';
import { RotateKeyDialog } from './RotateKeyDialog';

/** Signing keys: rotate routinely, revoke in an emergency, and see what each still signs before you do. */
export function KeysPage() {
  const [rotating, setRotating] = useState(false);
  const [confirm, dialog] = useConfirmAction();
  // Live-token counts move with every sign-in, refresh and revocation.
  const keys = useAdminQuery('listKeys', {}, { refreshOn: () => true, throttleMs: 1_000, keepPrevious: true });
  const settings = useAdminQuery('getSettings', {}, { refreshOn: (event) => event.type === 'settings.changed' });

  return (
    <>
      <PageHeader
        title="Signing keys"
        subtitle="Rotation is safe: the old key keeps verifying until it retires. Revocation kills every token a key signed."
        actions={
          <Button variant="contained" startIcon={<AutorenewIcon />} onClick={() => setRotating(true)} data-testid="rotate-key">
            Rotate key
          </Button>
        }
      />
      <ErrorAlert error={keys.error} title="Could not load keys" />
      {keys.loading && !keys.data && <Loading />}
      {keys.data && (
        <Card variant="outlined">
          <CardContent>
            {keys.data.length === 0 ? (
              <EmptyState
                title="No signing key yet"
                hint="Rotate to create the first key; tokens cannot be issued without one."
                action={
                  <Button variant="contained" onClick={() => setRotating(true)} data-testid="rotate-key-empty">
                    Create the first key
                  </Button>
                }
              />
            ) : (
              <KeysTable keys={keys.data} onRevoke={(key) => confirm(revokeKeySpec(key.kid, key.liveTokens))} />
            )}
          </CardContent>
        </Card>
      )}
      <RotateKeyDialog open={rotating} defaultAlg={settings.data?.signingAlg ?? 'EdDSA'} onClose={() => setRotating(false)} onRotated={keys.refetch} />
      {dialog}
    </>
  );
}
