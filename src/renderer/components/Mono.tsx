import Box from '@mui/material/Box';
import type { ReactNode } from 'react';
import { MONO_STACK } from '../theme';
import { CopyableId } from './CopyableId';

interface Props {
  children: string;
  /**
   * Was: shorten to "abcd1234…wxyz". A shortened id copies wrongly, so it now means "this is an id": the whole
   * value with a copy button (CopyableId). New code should use CopyableId with a label directly.
   */
  short?: boolean;
  testId?: string;
}

/** Monospace text (addresses, parameters); ids get the whole value and a copy button. */
export function Mono({ children, short, testId }: Props): ReactNode {
  if (short) return <CopyableId value={children} label="id" testId={testId} />;
  return (
    <Box component="span" data-testid={testId} sx={{ fontFamily: MONO_STACK, fontSize: '0.92em', overflowWrap: 'anywhere' }}>
      {children}
    </Box>
  );
}
