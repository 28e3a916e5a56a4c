import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import AutorenewIcon from '@mui/icons-material/Autorenew';
import { useState } from 'react';
import { useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { StatusChip } from '../../components/StatusChip';
import { RoleButton } from '../../components/RoleButton';
import { useRoute } from '../../lib/router';
import { useConfirmAction } from '../actions/use-confirm-action';
import type { KeyInfo, SigningAlg } from '../../../shared/dto';
import { ALG_LABELS, KEY_STATES, groupKeys, nextKeyOf } from './key-states';
import { KeysTable } from './KeysTable';
import { revokeKeySpec } from './revoke-key-spec';
import { RotateKeyDialog } from './RotateKeyDialog';
import { SwitchAccessAlgDialog } from './SwitchAccessAlgDialog';

/** The five key states with what each means for tokens and verifiers. */
function KeyStatesLegend() {
  return (
    <Stack spacing={1} sx={{ mt: 2 }} data-testid="key-states-legend" component="dl">
      {KEY_STATES.map((state) => (
        <Stack key={state.status} direction="row" spacing={1.5} sx={{ alignItems: 'center' }}>
          <Typography component="dt" sx={{ minWidth: 96 }}>
            <StatusChip status={state.status} label={state.label} />
          </Typography>
          <Typography component="dd" variant="body2" color="text.secondary" sx={{ m: 0 }} data-testid={`key-state-help-${state.status}`}>
            {state.help}
          </Typography>
        </Stack>
      ))}
    </Stack>
  );
}

/** Which algorithm signs which tokens: the access-token one (the signingAlg setting) and those clients' ID tokens use. */
function KeyUses({ keys, accessAlg }: { keys: KeyInfo[]; accessAlg: SigningAlg }) {
  const idTokens = groupKeys(keys, accessAlg).filter((group) => group.uses.includes('id_tokens')).map((group) => group.alg);
  return (
    <Typography variant="body2" sx={{ mb: 2 }} data-testid="key-uses">
      Access tokens and feed events: <strong data-testid="key-uses-access">{ALG_LABELS[accessAlg]}</strong>
      {' · '}ID and logout tokens:{' '}
      <strong data-testid="key-uses-id-tokens">{idTokens.length > 0 ? idTokens.map((alg) => ALG_LABELS[alg]).join(', ') : 'none yet (no client signs in through the authorization endpoint)'}</strong>
      . Each algorithm in use has its own active and next key.
    </Typography>
  );
}

/** Signing keys: rotate routinely, revoke in an emergency, and see what each still signs before you do. */
export function KeysPage() {
  const [rotating, setRotating] = useState<SigningAlg | null>(null);
  const [switching, setSwitching] = useState<{ alg: SigningAlg; active: KeyInfo } | null>(null);
  const [confirm, dialog] = useConfirmAction();
  // Live-token counts move with every sign-in, refresh and revocation.
  const keys = useAdminQuery('listKeys', {}, { refreshOn: () => true, throttleMs: 1_000, keepPrevious: true });
  const settings = useAdminQuery('getSettings', {}, { refreshOn: (event) => event.type === 'settings.changed' });
  const accessAlg = settings.data?.signingAlg;
  const highlightKid = useRoute().query.get('kid');

  return (
    <>
      <PageHeader
        title="Signing keys"
        subtitle="Each algorithm's next key is published ahead, so a routine rotation is gap-free; the old key keeps verifying until it retires. Revocation kills every token a key signed."
        actions={
          <RoleButton method="rotateSigningKey" variant="contained" startIcon={<AutorenewIcon />} onClick={() => accessAlg && setRotating(accessAlg)} disabled={!accessAlg} data-testid="rotate-key">
            Rotate key
          </RoleButton>
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
                  <RoleButton method="rotateSigningKey" variant="contained" onClick={() => accessAlg && setRotating(accessAlg)} disabled={!accessAlg} data-testid="rotate-key-empty">
                    Create the first key
                  </RoleButton>
                }
              />
            ) : (
              accessAlg && (
                <>
                  <KeyUses keys={keys.data} accessAlg={accessAlg} />
                  <KeysTable
                    keys={keys.data}
                    accessAlg={accessAlg}
                    highlightKid={highlightKid}
                    onRotate={setRotating}
                    onUseForAccessTokens={(alg, active) => setSwitching({ alg, active })}
                    onRevoke={(key) => confirm(revokeKeySpec(key, nextKeyOf(keys.data, key.alg)))}
                  />
                  <KeyStatesLegend />
                </>
              )
            )}
          </CardContent>
        </Card>
      )}
      {accessAlg && (
        <RotateKeyDialog
          open={rotating !== null}
          defaultAlg={rotating ?? accessAlg}
          accessAlg={accessAlg}
          keys={keys.data ?? []}
          onClose={() => setRotating(null)}
          onRotated={keys.refetch}
        />
      )}
      {accessAlg && (
        <SwitchAccessAlgDialog
          target={switching}
          accessAlg={accessAlg}
          onClose={() => setSwitching(null)}
          onSwitched={() => {
            keys.refetch();
            settings.refetch();
          }}
        />
      )}
      {dialog}
    </>
  );
}
