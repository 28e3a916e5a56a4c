import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import type { ApiError } from '../api';

interface Props {
  error: ApiError | undefined;
  title?: string;
  testId?: string;
}

/** An API error as people see it: its message, with the stable code for reference. */
export function ErrorAlert({ error, title, testId = 'error-alert' }: Props) {
  if (!error) return null;
  return (
    <Alert severity="error" data-testid={testId} data-error-code={error.code} sx={{ my: 1 }}>
      {title && <AlertTitle>{title}</AlertTitle>}
      {error.message} <code>({error.code})</code>
    </Alert>
  );
}
