import Box from '@mui/material/Box';
import { MONO_STACK } from '../theme';
import { CopyButton } from './CopyButton';

interface CopyableIdProps {
  /** The whole value: ids, jti, kid, tokens, secrets are never shortened (a shortened id copies wrongly). */
  value: string;
  /** What it is, for the copy button's accessible name: "Copy session id". */
  label: string;
  testId?: string;
  /** Break long values (tokens, secrets) anywhere instead of widening the layout (even inside a grid cell, which is nowrap). */
  wrap?: boolean;
}

/** A whole identifier in monospace with a copy button beside it. */
export function CopyableId({ value, label, testId, wrap }: CopyableIdProps) {
  return (
    <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.25, maxWidth: '100%', minWidth: 0 }}>
      <Box
        component="span"
        data-testid={testId}
        data-value={value}
        sx={{ fontFamily: MONO_STACK, fontSize: '0.92em', overflowWrap: wrap ? 'anywhere' : 'normal', wordBreak: wrap ? 'break-all' : 'normal', whiteSpace: wrap ? 'normal' : undefined, minWidth: 0 }}
      >
        {value}
      </Box>
      <CopyButton value={value} label={label} testId={testId ? `${testId}-copy` : undefined} />
    </Box>
  );
}
