import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import CheckIcon from '@mui/icons-material/Check';
import { useEffect, useState } from 'react';
import { MONO_STACK } from '../theme';

interface CopyableIdProps {
  /** The whole value: ids, jti, kid, tokens, secrets are never shortened (a shortened id copies wrongly). */
  value: string;
  /** What it is, for the copy button's accessible name: "Copy session id". */
  label: string;
  testId?: string;
  /** Break long values (tokens, secrets) anywhere instead of widening the layout. */
  wrap?: boolean;
}

/** A whole identifier in monospace with a copy button beside it. */
export function CopyableId({ value, label, testId, wrap }: CopyableIdProps) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return undefined;
    const timer = setTimeout(() => setCopied(false), 1_500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = () => {
    void navigator.clipboard?.writeText(value).then(() => setCopied(true), () => setCopied(false));
  };
  return (
    <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.25, maxWidth: '100%', minWidth: 0 }}>
      <Box
        component="span"
        data-testid={testId}
        data-value={value}
        sx={{ fontFamily: MONO_STACK, fontSize: '0.92em', overflowWrap: wrap ? 'anywhere' : 'normal', wordBreak: wrap ? 'break-all' : 'normal', minWidth: 0 }}
      >
        {value}
      </Box>
      <Tooltip title={copied ? 'Copied' : `Copy ${label}`}>
        <IconButton size="small" aria-label={`Copy ${label}`} onClick={copy} data-testid={testId ? `${testId}-copy` : undefined} sx={{ p: 0.25 }}>
          {copied ? <CheckIcon fontSize="inherit" /> : <ContentCopyIcon fontSize="inherit" />}
        </IconButton>
      </Tooltip>
    </Box>
  );
}
