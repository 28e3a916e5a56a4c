import Chip, { type ChipProps } from '@mui/material/Chip';

type Color = ChipProps['color'];

/** One colour per status word, across users, sessions, tokens, keys and refresh tokens. */
const COLORS: Record<string, Color> = {
  active: 'success',
  cant_refresh: 'warning',
  locked: 'warning',
  disabled: 'default',
  open: 'warning',
  acknowledged: 'default',
  live: 'success',
  current: 'success',
  intact: 'success',
  next: 'info',
  retiring: 'warning',
  rotated: 'default',
  expired: 'default',
  retired: 'default',
  revoked: 'error',
  blocked: 'error',
  reused: 'error',
  broken: 'error',
  inactive: 'error',
};

/** Status codes that read differently from their code. */
const LABELS: Record<string, string> = {
  cant_refresh: "can't refresh",
};

interface Props {
  status: string;
  label?: string;
  testId?: string;
}

export function StatusChip({ status, label, testId }: Props) {
  return (
    <Chip
      label={label ?? LABELS[status] ?? status.replace(/_/g, ' ')}
      color={COLORS[status] ?? 'default'}
      variant={status === 'expired' || status === 'retired' || status === 'rotated' ? 'outlined' : 'filled'}
      data-testid={testId}
      data-status={status}
    />
  );
}
