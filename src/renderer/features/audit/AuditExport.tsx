import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import ButtonGroup from '@mui/material/ButtonGroup';
import Snackbar from '@mui/material/Snackbar';
import DownloadIcon from '@mui/icons-material/Download';
import { useState } from 'react';
import type { AuditFilterInput } from '../../../shared/audit';
import { getBridge } from '../../api';
import { exportUrl } from './audit-filters';

type Outcome = { severity: 'success' | 'error'; text: string } | null;

/**
 * Export of the filtered result. In the browser a plain download of `GET /admin/audit/export` (the browser
 * streams it to disk, carrying the session cookie); in the desktop app the main process saves it to a file the
 * user picks. Neither holds the whole log in the page.
 */
export function AuditExport({ filter, disabled }: { filter: AuditFilterInput; disabled: boolean }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const bridge = getBridge();

  const run = async (format: 'csv' | 'jsonl') => {
    if (!bridge.exportAudit) {
      const link = document.createElement('a');
      link.href = exportUrl(format, filter);
      link.download = '';
      document.body.append(link);
      link.click();
      link.remove();
      return;
    }
    setBusy(true);
    try {
      const result = await bridge.exportAudit(format, filter as Record<string, unknown>);
      if (!result.ok) setOutcome({ severity: 'error', text: `Export failed: ${result.error.message}` });
      else if (result.value.saved) setOutcome({ severity: 'success', text: `Saved ${result.value.entries.toLocaleString()} entries to ${result.value.path}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ButtonGroup size="small" variant="outlined" aria-label="Export the filtered audit" disabled={disabled || busy}>
        <Button startIcon={<DownloadIcon />} onClick={() => void run('csv')} data-testid="audit-export-csv">
          Export CSV
        </Button>
        <Button onClick={() => void run('jsonl')} data-testid="audit-export-jsonl">
          JSON Lines
        </Button>
      </ButtonGroup>
      <Snackbar open={outcome !== null} autoHideDuration={8000} onClose={() => setOutcome(null)}>
        {outcome ? (
          <Alert severity={outcome.severity} onClose={() => setOutcome(null)} data-testid="audit-export-result">
            {outcome.text}
          </Alert>
        ) : undefined}
      </Snackbar>
    </>
  );
}
