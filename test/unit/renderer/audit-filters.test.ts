import { beforeAll, describe, expect, it } from 'vitest';
import { auditFilterSchema, type AuditFilterInput } from '../../../src/shared/audit';
import { loadRenderer } from './load-renderer';

interface Values {
  q: string;
  types: string[];
  actor: string;
  user: string;
  since: number | undefined;
  until: number | undefined;
  sessionId: string;
}
interface AuditFiltersModule {
  NO_FILTERS: Values;
  filtersFromQuery(query: URLSearchParams): Values;
  filtersToQuery(values: Values): Record<string, string>;
  filterProblems(values: Values): { q?: string; until?: string };
  toAuditFilter(values: Values, userId: string | undefined): AuditFilterInput;
  exportUrl(format: 'csv' | 'jsonl', filter: AuditFilterInput): string;
}

let NO_FILTERS: Values;
let m: AuditFiltersModule;
beforeAll(async () => {
  m = await loadRenderer<AuditFiltersModule>('features/audit/audit-filters.ts');
  NO_FILTERS = m.NO_FILTERS;
});
const filtersToQuery = (v: Values) => m.filtersToQuery(v);
const filtersFromQuery = (q: URLSearchParams) => m.filtersFromQuery(q);
const filterProblems = (v: Values) => m.filterProblems(v);
const toAuditFilter = (v: Values, id: string | undefined) => m.toAuditFilter(v, id);
const exportUrl = (f: 'csv' | 'jsonl', filter: AuditFilterInput) => m.exportUrl(f, filter);

describe('audit filters in the URL', () => {
  it('round-trips through the query, keeping only what is set', () => {
    const values = { q: 'stolen', types: ['session.revoked', 'user.blocked'], actor: 'admin:', user: 'ana', since: 1000, until: 2000, sessionId: 'ses_1' };
    const query = filtersToQuery(values);
    expect(query).toEqual({ q: 'stolen', types: 'session.revoked,user.blocked', actorPrefix: 'admin:', user: 'ana', since: '1000', until: '2000', sessionId: 'ses_1' });
    expect(filtersFromQuery(new URLSearchParams(query))).toEqual(values);
    expect(filtersToQuery(NO_FILTERS)).toEqual({});
    expect(filtersFromQuery(new URLSearchParams('since=yesterday'))).toEqual(NO_FILTERS);
    // The link a session's page gives: `href.audit({ sessionId })`.
    expect(toAuditFilter(filtersFromQuery(new URLSearchParams('sessionId=ses_9')), undefined)).toMatchObject({ sessionId: 'ses_9' });
  });

  it('says in words when "to" is before "from" or the text is too short', () => {
    expect(filterProblems({ ...NO_FILTERS, since: 2000, until: 1000 }).until).toMatch(/“To” is before “From”/);
    expect(filterProblems({ ...NO_FILTERS, since: 1000, until: 1000 })).toEqual({});
    expect(filterProblems({ ...NO_FILTERS, q: 'ab' }).q).toMatch(/at least 3/);
    expect(filterProblems({ ...NO_FILTERS, q: 'abc' })).toEqual({});
  });

  it('becomes a listAudit filter the contract accepts: a resolved username is an exact id, else an id prefix', () => {
    const values = { ...NO_FILTERS, user: 'usr_ab', types: ['user.login'] };
    expect(toAuditFilter(values, undefined)).toMatchObject({ userPrefix: 'usr_ab', types: ['user.login'] });
    expect(toAuditFilter({ ...values, user: 'ana' }, 'usr_123')).toMatchObject({ userId: 'usr_123', userPrefix: undefined });
    expect(auditFilterSchema.safeParse(JSON.parse(JSON.stringify(toAuditFilter(values, undefined)))).success).toBe(true);
    expect(exportUrl('csv', toAuditFilter(values, undefined))).toBe('/admin/audit/export?types=user.login&userPrefix=usr_ab&format=csv');
  });
});
