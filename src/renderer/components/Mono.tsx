import Box from '@mui/material/Box';
import type { ReactNode } from 'react';
import { MONO_STACK } from '../theme';

interface Props {
  children: string;
  /**
   * Was: shorten to "abcd1234…wxyz". A shortened id copies wrongly, so the whole value is shown, breaking
   * anywhere rather than widening a table. No copy button here (a Mono may sit inside a link, and a button in a
   * link is one control inside another): use CopyableId, or LinkedId for an id that opens its page.
   */
  short?: boolean;
  testId?: string;
}

/** Monospace text (addresses, parameters, ids), always whole. */
export function Mono({ children, short, testId }: Props): ReactNode {
  return (
    <Box component="span" data-testid={testId} sx={{ fontFamily: MONO_STACK, fontSize: '0.92em', overflowWrap: 'anywhere', wordBreak: short ? 'break-all' : undefined }}>
      {children}
    </Box>
  );
}
