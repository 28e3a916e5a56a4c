import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import { useAdminQuery } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';

/** The hash chain's verdict: each entry's hash covers the previous one, so any edit or deletion breaks it. */
export function ChainStatus() {
  // Recomputing the chain reads the whole log: refresh it on new entries (not on unaudited ones), at most every 5 s.
  const chain = useAdminQuery('verifyAuditChain', {}, { refreshOn: (event) => event.seq !== null, throttleMs: 5_000, keepPrevious: true });
  const result = chain.data;
  let label = 'verifying…';
  let color: 'default' | 'success' | 'error' = 'default';
  if (result) {
    label = result.ok ? `chain intact · ${result.entries.toLocaleString()} entries` : `chain broken at seq ${result.brokenAtSeq ?? '?'}`;
    color = result.ok ? 'success' : 'error';
  }
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      <Tooltip title="Every audit entry's hash covers the one before it; editing or deleting any entry breaks the chain from there on.">
        <Chip
          label={label}
          color={color}
          data-testid="audit-chain-status"
          data-ok={result ? String(result.ok) : ''}
          data-broken-at={result?.brokenAtSeq ?? ''}
        />
      </Tooltip>
      <Button size="small" onClick={chain.refetch} disabled={chain.loading} data-testid="audit-chain-verify">
        Verify again
      </Button>
      <ErrorAlert error={chain.error} testId="audit-chain-error" />
    </Stack>
  );
}
