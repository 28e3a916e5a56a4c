import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useEffect, useState } from 'react';
import type { ClientInfo } from '../../../shared/dto';
import { useDebounced } from '../../components/use-debounced';
import { filterProblems, NO_FILTERS, STATUS_OPTIONS, type SessionFilters } from './session-filters';

interface Props {
  filters: SessionFilters;
  clients: ClientInfo[];
  onChange: (filters: SessionFilters) => void;
}

/** A text filter that reports once typing pauses (each change is a server query and a URL change). */
function useTyped(value: string, apply: (value: string) => void): [string, (value: string) => void] {
  const [text, setText] = useState(value);
  const settled = useDebounced(text, 300);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (settled !== value) apply(settled);
    // Only a settled edit applies; `value` changing from outside (back button) resets the text above.
  }, [settled]);
  return [text, setText];
}

const dateField = { type: 'datetime-local', size: 'small' as const, slotProps: { inputLabel: { shrink: true } }, sx: { width: 215 } };

/** The Sessions view's filters; every one is kept in the URL by the page. */
export function SessionFilterBar({ filters, clients, onChange }: Props) {
  const set = (patch: Partial<SessionFilters>) => onChange({ ...filters, ...patch });
  const [ip, setIp] = useTyped(filters.ip, (value) => set({ ip: value }));
  const [device, setDevice] = useTyped(filters.device, (value) => set({ device: value }));
  const problems = filterProblems({ ...filters, ip });
  return (
    <Stack spacing={1.5} sx={{ mb: 2 }} component="form" role="search" aria-label="Filter sessions" onSubmit={(event) => event.preventDefault()}>
      <Stack direction="row" spacing={1.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
        <TextField
          select
          size="small"
          label="Client"
          value={filters.clientId}
          onChange={(event) => set({ clientId: event.target.value })}
          sx={{ minWidth: 170 }}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'sessions-filter-client' } as Record<string, string> } }}
        >
          <MenuItem value="">Any client</MenuItem>
          {clients.map((client) => (
            <MenuItem key={client.clientId} value={client.clientId} data-testid={`sessions-filter-client-${client.clientId}`}>
              {client.clientId}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          size="small"
          label="IP address starts with"
          value={ip}
          onChange={(event) => setIp(event.target.value)}
          error={problems.ip !== undefined}
          helperText={problems.ip}
          placeholder="10.2."
          slotProps={{ htmlInput: { 'data-testid': 'sessions-filter-ip', spellCheck: false } }}
        />
        <TextField
          size="small"
          label="Device or user agent contains"
          value={device}
          onChange={(event) => setDevice(event.target.value)}
          placeholder="iPhone"
          sx={{ minWidth: 230 }}
          slotProps={{ htmlInput: { 'data-testid': 'sessions-filter-device' } }}
        />
        <TextField
          select
          size="small"
          label="Status"
          value={filters.status}
          onChange={(event) => set({ status: event.target.value as SessionFilters['status'] })}
          sx={{ minWidth: 150 }}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'sessions-filter-status' } as Record<string, string> } }}
        >
          {STATUS_OPTIONS.map((option) => (
            <MenuItem key={option.value} value={option.value} data-testid={`sessions-filter-status-${option.value || 'any'}`}>
              {option.label}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          size="small"
          label="Remember me"
          value={filters.rememberMe}
          onChange={(event) => set({ rememberMe: event.target.value as SessionFilters['rememberMe'] })}
          sx={{ minWidth: 140 }}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'sessions-filter-remember' } as Record<string, string> } }}
        >
          <MenuItem value="">Either</MenuItem>
          <MenuItem value="yes">Remembered</MenuItem>
          <MenuItem value="no">Not remembered</MenuItem>
        </TextField>
        <TextField
          select
          size="small"
          label="Order"
          value={`${filters.sort}.${filters.dir}`}
          onChange={(event) => {
            const [sort, dir] = event.target.value.split('.') as [SessionFilters['sort'], SessionFilters['dir']];
            set({ sort, dir });
          }}
          sx={{ minWidth: 200 }}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'sessions-sort' } as Record<string, string> } }}
        >
          <MenuItem value="lastActivityAt.desc">Latest activity first</MenuItem>
          <MenuItem value="lastActivityAt.asc">Oldest activity first</MenuItem>
          <MenuItem value="createdAt.desc">Newest first</MenuItem>
          <MenuItem value="createdAt.asc">Oldest first</MenuItem>
        </TextField>
      </Stack>
      <Stack direction="row" spacing={1.5} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <TextField {...dateField} label="Created from" value={filters.createdFrom} onChange={(e) => set({ createdFrom: e.target.value })} error={!!problems.createdFrom} helperText={problems.createdFrom} slotProps={{ ...dateField.slotProps, htmlInput: { 'data-testid': 'sessions-filter-created-from' } }} />
        <TextField {...dateField} label="Created before" value={filters.createdTo} onChange={(e) => set({ createdTo: e.target.value })} error={!!problems.createdTo} helperText={problems.createdTo} slotProps={{ ...dateField.slotProps, htmlInput: { 'data-testid': 'sessions-filter-created-to' } }} />
        <TextField {...dateField} label="Last active from" value={filters.activeFrom} onChange={(e) => set({ activeFrom: e.target.value })} error={!!problems.activeFrom} helperText={problems.activeFrom} slotProps={{ ...dateField.slotProps, htmlInput: { 'data-testid': 'sessions-filter-active-from' } }} />
        <TextField {...dateField} label="Last active before" value={filters.activeTo} onChange={(e) => set({ activeTo: e.target.value })} error={!!problems.activeTo} helperText={problems.activeTo} slotProps={{ ...dateField.slotProps, htmlInput: { 'data-testid': 'sessions-filter-active-to' } }} />
        <Button onClick={() => onChange({ ...NO_FILTERS, userId: filters.userId })} data-testid="sessions-filter-clear" sx={{ mt: 0.5 }}>
          Clear filters
        </Button>
      </Stack>
    </Stack>
  );
}
