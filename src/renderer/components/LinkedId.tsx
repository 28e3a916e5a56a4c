import Box from '@mui/material/Box';
import Link from '@mui/material/Link';
import { MONO_STACK } from '../theme';
import { CopyButton } from './CopyButton';

interface Props {
  /** The whole id (never shortened). */
  value: string;
  /** Where the thing it names is shown: `href.client(id)`, `href.key(kid)`, … */
  href: string;
  /** What it is, for the copy button: "client id". */
  label: string;
  testId?: string;
  /** Break anywhere (long ids in table cells, which are nowrap) instead of widening the layout. */
  wrap?: boolean;
}

/**
 * A whole id that opens its page, with a copy button beside the link (a button inside a link would be one
 * control inside another: neither keyboard nor screen readers can tell them apart).
 */
export function LinkedId({ value, href, label, testId, wrap }: Props) {
  return (
    <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.25, maxWidth: '100%', minWidth: 0 }}>
      <Link
        href={href}
        data-testid={testId}
        data-value={value}
        sx={{ fontFamily: MONO_STACK, fontSize: '0.92em', overflowWrap: wrap ? 'anywhere' : 'normal', wordBreak: wrap ? 'break-all' : 'normal', whiteSpace: wrap ? 'normal' : undefined, minWidth: 0 }}
      >
        {value}
      </Link>
      <CopyButton value={value} label={label} testId={testId ? `${testId}-copy` : undefined} />
    </Box>
  );
}
