import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import { describeUserAgent } from '../lib/user-agent';
import { MONO_STACK } from '../theme';

interface Props {
  /** The User-Agent header as received. */
  value: string | null | undefined;
  testId?: string;
  /** Show the raw string under the readable one (detail pages); otherwise it is a tooltip on hover and focus. */
  showRaw?: boolean;
}

/** "Chrome 131 on Windows 10", with the raw header on demand (tooltip on hover and keyboard focus). */
export function UserAgent({ value, testId, showRaw }: Props) {
  if (!value) return <span data-testid={testId}>—</span>;
  const readable = describeUserAgent(value);
  if (showRaw) {
    return (
      <Box component="span" data-testid={testId} data-raw={value} sx={{ display: 'inline-flex', flexDirection: 'column', minWidth: 0 }}>
        <span>{readable}</span>
        <Box component="span" data-testid={testId ? `${testId}-raw` : undefined} sx={{ fontFamily: MONO_STACK, fontSize: '0.8em', color: 'text.secondary', overflowWrap: 'anywhere' }}>
          {value}
        </Box>
      </Box>
    );
  }
  return (
    <Tooltip title={value} describeChild>
      <Box component="span" tabIndex={0} data-testid={testId} data-raw={value} sx={{ textDecoration: 'underline dotted', textUnderlineOffset: '0.2em' }}>
        {readable}
      </Box>
    </Tooltip>
  );
}
