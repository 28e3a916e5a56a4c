import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import ListItemText from '@mui/material/ListItemText';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { DOMAIN_EVENT_TYPES } from '../../../shared/events';
import { fromLocalInput, toLocalInput } from '../../lib/time';
import { filterProblems, isFiltered, NO_FILTERS, type AuditFilterValues } from './audit-filters';

interface Props {
  value: AuditFilterValues;
  onChange: (next: AuditFilterValues) => void;
}

/** Free text, event types (any of), actor and user by prefix, time range; all applied on the server. */
export function AuditFilters({ value, onChange }: Props) {
  const set = (patch: Partial<AuditFilterValues>) => onChange({ ...value, ...patch });
  const problems = filterProblems(value);
  return (
    <>
      <Stack direction="row" spacing={1.5} useFlexGap sx={{ flexWrap: 'wrap', mb: 2, alignItems: 'flex-start' }} role="search" aria-label="Audit filters">
        <TextField
          label="Search"
          size="small"
          value={value.q}
          onChange={(event) => set({ q: event.target.value })}
          placeholder="any text: a name, an IP, a jti…"
          error={problems.q !== undefined}
          helperText={problems.q}
          sx={{ width: 240 }}
          slotProps={{ htmlInput: { 'data-testid': 'audit-filter-q' } }}
        />
        <TextField
          select
          label="Event types"
          size="small"
          value={value.types}
          onChange={(event) => {
            const next = event.target.value as unknown as string[] | string;
            set({ types: typeof next === 'string' ? next.split(',').filter(Boolean) : next });
          }}
          sx={{ width: 240 }}
          slotProps={{
            select: {
              multiple: true,
              displayEmpty: true,
              renderValue: (selected) => {
                const list = selected as string[];
                return list.length === 0 ? 'All types' : list.length === 1 ? list[0] : `${list.length} types`;
              },
              SelectDisplayProps: { 'data-testid': 'audit-filter-type' } as Record<string, string>,
            },
            inputLabel: { shrink: true },
          }}
        >
          {DOMAIN_EVENT_TYPES.map((type) => (
            <MenuItem key={type} value={type} data-testid={`audit-filter-type-${type}`} dense>
              <Checkbox size="small" checked={value.types.includes(type)} tabIndex={-1} slotProps={{ input: { 'aria-hidden': true } }} />
              <ListItemText primary={type} />
            </MenuItem>
          ))}
        </TextField>
        <TextField
          label="Actor starts with"
          size="small"
          value={value.actor}
          onChange={(event) => set({ actor: event.target.value })}
          placeholder="admin:, system, user:usr_…"
          sx={{ width: 180 }}
          slotProps={{ htmlInput: { 'data-testid': 'audit-filter-actor' } }}
        />
        <TextField
          label="User"
          size="small"
          value={value.user}
          onChange={(event) => set({ user: event.target.value })}
          placeholder="username or id start"
          sx={{ width: 180 }}
          slotProps={{ htmlInput: { 'data-testid': 'audit-filter-user' } }}
        />
        <TextField
          label="From"
          type="datetime-local"
          size="small"
          value={toLocalInput(value.since)}
          onChange={(event) => set({ since: fromLocalInput(event.target.value) })}
          sx={{ width: 215 }}
          slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'audit-filter-since' } }}
        />
        <TextField
          label="To"
          type="datetime-local"
          size="small"
          value={toLocalInput(value.until)}
          onChange={(event) => set({ until: fromLocalInput(event.target.value) })}
          error={problems.until !== undefined}
          sx={{ width: 215 }}
          slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'audit-filter-until' } }}
        />
        {isFiltered(value) && (
          <Button onClick={() => onChange(NO_FILTERS)} data-testid="audit-filter-clear">
            Clear filters
          </Button>
        )}
      </Stack>
      {problems.until && (
        <Alert severity="warning" sx={{ mb: 2 }} data-testid="audit-range-warning" role="alert">
          {problems.until}
        </Alert>
      )}
    </>
  );
}
