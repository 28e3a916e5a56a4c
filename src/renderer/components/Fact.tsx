import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';

/**
 * A labelled readout (caption above, value below) for the facts cards. `size="large"` is for headline
 * figures such as a blast radius.
 */
export function Fact({ label, children, testId, size = 'normal' }: { label: string; children: ReactNode; testId?: string; size?: 'normal' | 'large' }) {
  return (
    <div>
      <Typography variant="caption" sx={{ color: 'text.secondary', display: 'block' }}>
        {label}
      </Typography>
      <Typography variant={size === 'large' ? 'h6' : 'body2'} component="div" data-testid={testId} sx={{ wordBreak: 'break-word' }}>
        {children}
      </Typography>
    </div>
  );
}
