import Box from '@mui/material/Box';
import { MONO_STACK } from '../theme';

/** Pretty JSON in a scrollable, selectable block. */
export function JsonView({ value, testId }: { value: unknown; testId?: string }) {
  return (
    <Box
      component="pre"
      data-testid={testId}
      tabIndex={0}
      sx={{
        m: 0,
        p: 1.5,
        fontFamily: MONO_STACK,
        fontSize: 13,
        bgcolor: 'action.hover',
        borderRadius: 1,
        overflow: 'auto',
        maxHeight: 360,
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-all',
      }}
    >
      {JSON.stringify(value, null, 2)}
    </Box>
  );
}
