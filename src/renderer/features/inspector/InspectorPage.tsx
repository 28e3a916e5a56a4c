import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import { useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { stripBearer } from './inspection-text';
import { InspectionResult } from './InspectionResult';

/**
 * Paste any token and see what Token Warden thinks of it. The verdict stays live: revoke the session in
 * another window and it flips here within a second.
 */
export function InspectorPage({ initialToken }: { initialToken: string | null }) {
  const [text, setText] = useState(initialToken ?? '');
  const [submitted, setSubmitted] = useState(stripBearer(initialToken ?? '').token);
  const [stripped, setStripped] = useState(stripBearer(initialToken ?? '').stripped);
  const inspection = useAdminQuery(
    'inspectToken',
    { token: submitted },
    { enabled: submitted !== '', refreshOn: () => true, throttleMs: 500 },
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // A copied `Authorization: Bearer …` header is common; the token is what follows the scheme.
    const { token, stripped: wasBearer } = stripBearer(text);
    setStripped(wasBearer);
    setSubmitted(token);
    if (token === submitted) inspection.refetch();
  };

  return (
    <>
      <PageHeader title="Token inspector" subtitle="Decode and judge an access token (JWT) or refresh token. Nothing is stored." />
      <form onSubmit={submit}>
        <TextField
          label="Token"
          value={text}
          onChange={(event) => setText(event.target.value)}
          multiline
          minRows={3}
          maxRows={10}
          fullWidth
          placeholder="eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ii4uLiJ9…"
          slotProps={{ htmlInput: { 'data-testid': 'inspector-input', spellCheck: false, autoComplete: 'off' } }}
        />
        <Stack direction="row" spacing={1} sx={{ my: 2 }}>
          <Button type="submit" variant="contained" disabled={text.trim() === ''} data-testid="inspector-submit">
            Inspect
          </Button>
          <Button
            onClick={() => {
              setText('');
              setSubmitted('');
              setStripped(false);
            }}
            disabled={text === '' && submitted === ''}
            data-testid="inspector-clear"
          >
            Clear
          </Button>
        </Stack>
      </form>
      {stripped && submitted !== '' && (
        <Alert severity="info" data-testid="inspector-bearer-stripped" sx={{ mb: 2 }}>
          Removed the “Bearer ” prefix: the inspected token is what follows it.
        </Alert>
      )}
      <ErrorAlert error={inspection.error} title="Could not inspect the token" />
      {submitted === '' && (
        <EmptyState
          title="Paste a token to inspect it"
          hint="Copy an access token from a client's Authorization header, or a refresh token from its storage."
          testId="inspector-empty"
        />
      )}
      {submitted !== '' && inspection.loading && !inspection.data && <Loading />}
      {submitted !== '' && inspection.data && <InspectionResult inspection={inspection.data} />}
    </>
  );
}
