import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';

interface Props {
  title: string;
  hint?: ReactNode;
  /** The next step, usually a button. */
  action?: ReactNode;
  testId?: string;
}

/** What to show when there is nothing yet — always with what to do next. */
export function EmptyState({ title, hint, action, testId = 'empty-state' }: Props) {
  return (
    <Box data-testid={testId} sx={{ textAlign: 'center', py: 5, px: 2, color: 'text.secondary' }}>
      <Typography variant="subtitle1" sx={{ color: 'text.primary' }}>
        {title}
      </Typography>
      {hint && <Typography variant="body2" sx={{ mt: 0.5 }}>{hint}</Typography>}
      {action && <Box sx={{ mt: 2 }}>{action}</Box>}
    </Box>
  );
}
