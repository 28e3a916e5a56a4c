import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { DURATION_UNITS, type DurationUnit } from './duration-units';
import { humanHint, type FieldSpec } from './settings-fields';

interface Props {
  spec: FieldSpec;
  value: string;
  /** A duration's unit (kind `seconds`). */
  unit?: DurationUnit;
  /** Blocks saving: shown in red under the field. */
  error: string | null;
  /** Allowed but probably a mistake: shown under the field, Save still works. */
  warning: string | null;
  dirty: boolean;
  /** For durations `seconds` is what `value` means in seconds (for the "= 2h" hint). */
  seconds?: number | null;
  onChange: (text: string) => void;
  onUnitChange?: (unit: DurationUnit) => void;
}

/** One settings input with its unit, a human reading of durations, and its message beside it. */
export function SettingField({ spec, value, unit, error, warning, dirty, seconds, onChange, onUnitChange }: Props) {
  const hint = spec.kind === 'seconds' ? (seconds ? humanHint({ ...spec, kind: 'seconds' }, String(seconds)) : null) : humanHint(spec, value);
  const helper = error ?? warning ?? [hint, spec.help].filter(Boolean).join(' — ');
  const testId = `settings-${spec.key}`;
  const choice = spec.kind === 'select' || spec.kind === 'flag';
  const field = (
    <TextField
      label={dirty ? `${spec.label} (changed)` : spec.label}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      select={choice}
      error={error !== null}
      helperText={
        <span data-testid={`${testId}-help`} data-severity={error ? 'error' : warning ? 'warning' : 'info'}>
          {helper}
        </span>
      }
      size="small"
      fullWidth
      slotProps={{
        // A select's visible combobox carries the test id; its hidden native input must not repeat it.
        htmlInput: choice ? {} : { 'data-testid': testId, inputMode: spec.kind === 'seconds' ? 'decimal' : spec.kind === 'count' ? 'numeric' : undefined },
        select: { SelectDisplayProps: { 'data-testid': testId } as Record<string, string> },
        input: spec.unit && spec.kind !== 'seconds' ? { endAdornment: <InputAdornment position="end">{spec.unit}</InputAdornment> } : undefined,
        formHelperText: warning && !error ? { sx: { color: 'warning.main' } } : undefined,
      }}
    >
      {spec.options?.map((option) => (
        <MenuItem key={option} value={option} data-testid={`${testId}-${option}`}>
          {spec.optionLabels?.[option] ?? option}
        </MenuItem>
      ))}
    </TextField>
  );
  if (spec.kind !== 'seconds' || unit === undefined || !onUnitChange) return field;
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
      {field}
      <TextField
        select
        label="Unit"
        value={unit}
        onChange={(event) => onUnitChange(event.target.value as DurationUnit)}
        size="small"
        sx={{ minWidth: 112, flexShrink: 0 }}
        slotProps={{ select: { SelectDisplayProps: { 'data-testid': `${testId}-unit`, 'aria-label': `${spec.label}: unit` } as Record<string, string> } }}
      >
        {DURATION_UNITS.map((option) => (
          <MenuItem key={option} value={option} data-testid={`${testId}-unit-${option}`}>
            {option}
          </MenuItem>
        ))}
      </TextField>
    </Stack>
  );
}
