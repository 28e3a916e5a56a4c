/**
 * The Sessions view's filters as they live in the URL (`#/sessions?clientId=web&ip=10.2.&status=active`), and
 * the `searchSessions` input they make. Times in the URL are local date-times as typed (`2026-12-01T09:30`),
 * so a shared link reads the same in the address bar as on the screen.
 */
import type { SessionStatus } from '../../../shared/dto';
import type { SearchSessionsInput } from '../../../shared/session-search';

export const STATUS_OPTIONS: Array<{ value: '' | SessionStatus; label: string }> = [
  { value: '', label: 'Any status' },
  { value: 'active', label: 'Active' },
  { value: 'cant_refresh', label: "Can't refresh" },
  { value: 'expired', label: 'Expired' },
  { value: 'revoked', label: 'Revoked' },
];

export interface SessionFilters {
  clientId: string;
  ip: string;
  device: string;
  status: '' | SessionStatus;
  createdFrom: string;
  createdTo: string;
  activeFrom: string;
  activeTo: string;
  rememberMe: '' | 'yes' | 'no';
  sort: 'lastActivityAt' | 'createdAt';
  dir: 'desc' | 'asc';
  userId: string;
}

export const NO_FILTERS: SessionFilters = {
  clientId: '', ip: '', device: '', status: '', createdFrom: '', createdTo: '', activeFrom: '', activeTo: '', rememberMe: '', sort: 'lastActivityAt', dir: 'desc', userId: '',
};

const STATUSES = new Set(STATUS_OPTIONS.map((o) => o.value));

export function filtersFromQuery(query: URLSearchParams): SessionFilters {
  const get = (name: string) => query.get(name) ?? '';
  const status = get('status');
  const remember = get('rememberMe');
  return {
    clientId: get('clientId'),
    ip: get('ip'),
    device: get('device'),
    status: STATUSES.has(status as SessionFilters['status']) ? (status as SessionFilters['status']) : '',
    createdFrom: get('createdFrom'),
    createdTo: get('createdTo'),
    activeFrom: get('activeFrom'),
    activeTo: get('activeTo'),
    rememberMe: remember === 'yes' || remember === 'no' ? remember : '',
    sort: get('sort') === 'createdAt' ? 'createdAt' : 'lastActivityAt',
    dir: get('dir') === 'asc' ? 'asc' : 'desc',
    userId: get('userId'),
  };
}

/** Only what differs from no filter, so the default view's URL is plain `#/sessions`. */
export function filtersToQuery(filters: SessionFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters) as Array<[keyof SessionFilters, string]>) {
    if (value !== NO_FILTERS[key]) out[key] = value;
  }
  return out;
}

/** A typed local date-time in ms, or undefined when empty or not a date. */
export function localMillis(value: string): number | undefined {
  if (value.trim() === '') return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export interface FilterProblems {
  ip?: string;
  createdTo?: string;
  activeTo?: string;
  createdFrom?: string;
  activeFrom?: string;
}

/** What the server would refuse, said beside the field before asking it. */
export function filterProblems(filters: SessionFilters): FilterProblems {
  const problems: FilterProblems = {};
  if (filters.ip !== '' && !/^[0-9A-Fa-f.:]+$/.test(filters.ip.trim())) problems.ip = 'An address prefix has only digits, a–f, dots and colons.';
  for (const name of ['created', 'active'] as const) {
    const from = filters[`${name}From`];
    const to = filters[`${name}To`];
    if (from !== '' && localMillis(from) === undefined) problems[`${name}From`] = 'Not a date and time.';
    if (to !== '' && localMillis(to) === undefined) problems[`${name}To`] = 'Not a date and time.';
    const a = localMillis(from);
    const b = localMillis(to);
    if (a !== undefined && b !== undefined && b < a) problems[`${name}To`] = '“To” is before “from”.';
  }
  return problems;
}

export function toSearchInput(filters: SessionFilters): SearchSessionsInput {
  const input: SearchSessionsInput = { sort: { by: filters.sort, dir: filters.dir } };
  if (filters.clientId) input.clientId = filters.clientId;
  if (filters.userId) input.userId = filters.userId;
  if (filters.ip.trim()) input.ipPrefix = filters.ip.trim();
  if (filters.device.trim()) input.device = filters.device.trim();
  if (filters.status) input.status = filters.status;
  if (filters.rememberMe) input.rememberMe = filters.rememberMe === 'yes';
  const times = { createdFrom: filters.createdFrom, createdTo: filters.createdTo, activeFrom: filters.activeFrom, activeTo: filters.activeTo };
  for (const [key, value] of Object.entries(times) as Array<[keyof typeof times, string]>) {
    const ms = localMillis(value);
    if (ms !== undefined) input[key] = ms;
  }
  return input;
}
