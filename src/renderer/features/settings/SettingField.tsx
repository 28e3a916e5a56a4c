import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import { humanHint, type FieldSpec } from './settings-fields';

interface Props {
  spec: FieldSpec;
  value: string;
  error: string | null;
  dirty: boolean;
  onChange: (text: string) => void;
}

/** One settings input with its unit, a human reading of durations, and its validation message. */
export function SettingField({ spec, value, error, dirty, onChange }: Props) {
  const hint = humanHint(spec, value);
  const helper = error ?? [hint, spec.help].filter(Boolean).join(' — ');
  const testId = `settings-${spec.key}`;
  return (
    <TextField
      label={dirty ? `${spec.label} (changed)` : spec.label}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      select={spec.kind === 'select' || spec.kind === 'flag'}
      error={error !== null}
      helperText={<span data-testid={`${testId}-help`}>{helper}</span>}
      size="small"
      fullWidth
      slotProps={{
        // A select's visible combobox carries the test id; its hidden native input must not repeat it.
        htmlInput:
          spec.kind === 'select' || spec.kind === 'flag'
            ? {}
            : { 'data-testid': testId, inputMode: spec.kind === 'seconds' || spec.kind === 'count' ? 'numeric' : undefined },
        select: { SelectDisplayProps: { 'data-testid': testId } as Record<string, string> },
        input: spec.unit ? { endAdornment: <InputAdornment position="end">{spec.unit}</InputAdornment> } : undefined,
      }}
    >
      {spec.options?.map((option) => (
        <MenuItem key={option} value={option} data-testid={`${testId}-${option}`}>
          {spec.optionLabels?.[option] ?? option}
        </MenuItem>
      ))}
    </TextField>
  );
}
