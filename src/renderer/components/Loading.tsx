import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';

/** A centred spinner with an accessible label. */
export function Loading({ label = 'Loading', testId = 'loading' }: { label?: string; testId?: string }) {
  return (
    <Box data-testid={testId} role="status" aria-label={label} sx={{ display: 'flex', justifyContent: 'center', py: 4 }}>
      <CircularProgress size={28} />
    </Box>
  );
}
