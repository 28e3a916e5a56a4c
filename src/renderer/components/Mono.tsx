import Box from '@mui/material/Box';
import type { ReactNode } from 'react';
import { MONO_STACK } from '../theme';

/** Identifiers (jti, kid, session ids) in a monospace font; long ones are shortened with the full value on hover. */
export function Mono({ children, short, testId }: { children: string; short?: boolean; testId?: string }): ReactNode {
  const text = short && children.length > 14 ? `${children.slice(0, 8)}…${children.slice(-4)}` : children;
  return (
    <Box component="span" title={children} data-testid={testId} sx={{ fontFamily: MONO_STACK, fontSize: '0.92em' }}>
      {text}
    </Box>
  );
}
