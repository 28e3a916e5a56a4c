import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import type { Deployment, DeploymentTest } from '../../../shared/deployments';
import { api, useAction } from '../../api';
import { CopyableId } from '../../components/CopyableId';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CertificateConfirm } from './CertificateConfirm';

interface Props {
  /** null: a new profile. */
  editing: Deployment | null;
  open: boolean;
  /** Where the key will be kept (said beside its field). */
  credentialStore: 'keychain' | 'memory';
  onClose: (saved: boolean) => void;
}

/** Add or edit a remote deployment: its URL and API key, TLS checks and the pinned certificate. */
export function DeploymentDialog({ editing, open, credentialStore, onClose }: Props) {
  return (
    <Dialog open={open} onClose={() => onClose(false)} maxWidth="sm" fullWidth aria-labelledby="deployment-dialog-title" data-testid="deployment-dialog">
      {open && <DeploymentForm editing={editing} credentialStore={credentialStore} onClose={onClose} />}
    </Dialog>
  );
}

function DeploymentForm({ editing, credentialStore, onClose }: Omit<Props, 'open'>) {
  const [name, setName] = useState(editing?.name ?? '');
  const [baseUrl, setBaseUrl] = useState(editing?.baseUrl ?? 'https://');
  const [apiKey, setApiKey] = useState('');
  const [tlsVerify, setTlsVerify] = useState(editing?.tlsVerify ?? true);
  const [pin, setPin] = useState(editing?.pinnedSha256 ?? '');
  const [tested, setTested] = useState<{ signature: string; result: DeploymentTest } | null>(null);
  const [test, testState] = useAction(api.testDeployment);
  const [save, saveState] = useAction(api.saveDeployment);
  const [fetchingCert, setFetchingCert] = useState(false);

  const https = baseUrl.trim().toLowerCase().startsWith('https:');
  const connection = { baseUrl: baseUrl.trim(), tlsVerify, pinnedSha256: pin.trim() === '' ? null : pin.trim(), ...(apiKey.trim() !== '' ? { apiKey: apiKey.trim() } : {}) };
  const signature = JSON.stringify(connection);
  const unchanged = editing !== null && apiKey.trim() === '' && signature === JSON.stringify({ baseUrl: editing.baseUrl, tlsVerify: editing.tlsVerify, pinnedSha256: editing.pinnedSha256 });
  // What is saved has answered first (or is what answered before: an edit of the name only).
  const canSave = name.trim() !== '' && (tested?.signature === signature || unchanged);

  const runTest = async () => {
    const result = await test({ ...connection, ...(editing ? { id: editing.id } : {}) });
    setTested(result ? { signature, result } : null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSave) return;
    const saved = await save({ ...(editing ? { id: editing.id } : {}), name: name.trim(), ...connection });
    if (saved) onClose(true);
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <DialogTitle id="deployment-dialog-title">{editing ? `Edit ${editing.name}` : 'Add a deployment'}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1 }}>
          <TextField label="Name" value={name} onChange={(event) => setName(event.target.value)} required slotProps={{ htmlInput: { 'data-testid': 'deployment-name', maxLength: 100 } }} />
          <TextField
            label="Base URL"
            value={baseUrl}
            onChange={(event) => setBaseUrl(event.target.value)}
            required
            helperText="The deployment's origin, e.g. https://auth.example.com (http only on 127.0.0.1 or localhost)."
            slotProps={{ htmlInput: { 'data-testid': 'deployment-url', spellCheck: false } }}
          />
          <TextField
            label="Admin API key"
            type="password"
            value={apiKey}
            onChange={(event) => setApiKey(event.target.value)}
            required={editing === null}
            autoComplete="off"
            helperText={
              editing
                ? 'Leave empty to keep the stored key.'
                : `Create one on that deployment's Admins page. It is kept ${credentialStore === 'keychain' ? "in this computer's OS keychain" : 'in memory only (--key-store memory): enter it again after a restart'}.`
            }
            slotProps={{ htmlInput: { 'data-testid': 'deployment-key', spellCheck: false } }}
          />
          {https && (
            <>
              <FormControlLabel
                control={<Checkbox checked={tlsVerify} onChange={(event) => setTlsVerify(event.target.checked)} slotProps={{ input: { 'data-testid': 'deployment-tls-verify' } as object }} />}
                label="Verify the certificate (trusted CA and host name)"
              />
              <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
                <TextField
                  label="Pinned certificate (SHA-256)"
                  value={pin}
                  onChange={(event) => setPin(event.target.value)}
                  fullWidth
                  helperText={tlsVerify ? 'Optional: every connection must then present exactly this certificate.' : 'Required without verification.'}
                  slotProps={{ htmlInput: { 'data-testid': 'deployment-pin', spellCheck: false, style: { fontFamily: 'ui-monospace, monospace' } } }}
                />
                <Button variant="outlined" onClick={() => setFetchingCert(true)} data-testid="deployment-fetch-cert" sx={{ flexShrink: 0, mt: 1 }}>
                  Fetch certificate
                </Button>
              </Stack>
            </>
          )}
          {fetchingCert && (
            <CertificateConfirm
              baseUrl={baseUrl.trim()}
              onTrust={(sha256) => {
                setPin(sha256);
                setFetchingCert(false);
              }}
              onCancel={() => setFetchingCert(false)}
            />
          )}
          <div>
            <Button variant="outlined" onClick={() => void runTest()} disabled={testState.busy || (editing === null && apiKey.trim() === '')} data-testid="deployment-test">
              {testState.busy ? 'Testing…' : 'Test connection'}
            </Button>
          </div>
          <ErrorAlert error={testState.error} title="The connection failed" testId="deployment-test-error" />
          {tested && tested.signature === signature && (
            <Alert severity="success" data-testid="deployment-test-result">
              Connected to <CopyableId value={tested.result.issuer} label="issuer" testId="deployment-test-issuer" />, Token Warden{' '}
              <span data-testid="deployment-test-version">{tested.result.version ?? '(version not given)'}</span>, as{' '}
              <span data-testid="deployment-test-actor">{tested.result.actor}</span> (<span data-testid="deployment-test-role">{tested.result.role}</span>).
              {tested.result.certificate && (
                <>
                  {' '}
                  Certificate <CopyableId value={tested.result.certificate.sha256} label="certificate fingerprint" wrap />
                </>
              )}
            </Alert>
          )}
          <ErrorAlert error={saveState.error} title="Could not save" testId="deployment-save-error" />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={() => onClose(false)}>Cancel</Button>
        <Button type="submit" variant="contained" disabled={!canSave || saveState.busy} data-testid="deployment-save">
          {canSave || unchanged ? 'Save' : 'Save (test first)'}
        </Button>
      </DialogActions>
    </form>
  );
}
