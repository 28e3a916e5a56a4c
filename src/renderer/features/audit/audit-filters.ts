/**
 * The audit page's filters as the administrator typed them, kept in the URL (`#/audit?q=…&types=a,b&…`, the
 * export's own parameter names), their problems in plain words, and the listAudit input they become.
 */
import { filterToQuery, type AuditFilterInput } from '../../../shared/audit';

export interface AuditFilterValues {
  /** Free text, 3+ characters. */
  q: string;
  types: string[];
  /** The actor starts with this (`admin:`, `user:usr_…`). */
  actor: string;
  /** A username (matched exactly) or the start of a user id. */
  user: string;
  since: number | undefined;
  until: number | undefined;
  /** One session's entries (links from a session's page: `#/audit?sessionId=…`). */
  sessionId: string;
}

export const NO_FILTERS: AuditFilterValues = { q: '', types: [], actor: '', user: '', since: undefined, until: undefined, sessionId: '' };

const num = (value: string | null) => (value !== null && /^\d+$/.test(value) ? Number(value) : undefined);

export function filtersFromQuery(query: URLSearchParams): AuditFilterValues {
  return {
    q: query.get('q') ?? '',
    types: (query.get('types') ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    actor: query.get('actorPrefix') ?? '',
    user: query.get('user') ?? '',
    since: num(query.get('since')),
    until: num(query.get('until')),
    sessionId: query.get('sessionId') ?? '',
  };
}

/** The URL's query: only what is set, so a shared link reads as the filter it is. */
export function filtersToQuery(values: AuditFilterValues, extra: Record<string, string> = {}): Record<string, string> {
  const query: Record<string, string> = {};
  if (values.q.trim()) query.q = values.q.trim();
  if (values.types.length) query.types = values.types.join(',');
  if (values.actor.trim()) query.actorPrefix = values.actor.trim();
  if (values.user.trim()) query.user = values.user.trim();
  if (values.since !== undefined) query.since = String(values.since);
  if (values.until !== undefined) query.until = String(values.until);
  if (values.sessionId.trim()) query.sessionId = values.sessionId.trim();
  return { ...query, ...extra };
}

export interface FilterProblems {
  q?: string;
  until?: string;
}

export function filterProblems(values: AuditFilterValues): FilterProblems {
  const problems: FilterProblems = {};
  const q = values.q.trim();
  if (q.length > 0 && [...q].length < 3) problems.q = 'Type at least 3 characters to search.';
  if (values.since !== undefined && values.until !== undefined && values.until < values.since) problems.until = '“To” is before “From”: no entry can match. Swap them or clear one.';
  return problems;
}

export function isFiltered(values: AuditFilterValues): boolean {
  return JSON.stringify(values) !== JSON.stringify(NO_FILTERS);
}

/** listAudit's filter; `userId` is the exact id a username resolved to, if it did. */
export function toAuditFilter(values: AuditFilterValues, userId: string | undefined): AuditFilterInput {
  const user = values.user.trim();
  return {
    q: values.q.trim() || undefined,
    types: values.types.length ? values.types : undefined,
    actorPrefix: values.actor.trim() || undefined,
    userId,
    userPrefix: userId === undefined && user ? user : undefined,
    since: values.since,
    until: values.until,
    sessionId: values.sessionId.trim() || undefined,
  };
}

/** The export URL of the browser console (same origin as the admin API); the desktop app saves through IPC. */
export function exportUrl(format: 'csv' | 'jsonl', filter: AuditFilterInput): string {
  const query = filterToQuery(filter);
  query.set('format', format);
  return `/admin/audit/export?${query.toString()}`;
}
