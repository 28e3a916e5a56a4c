import { describe, expect, it } from 'vitest';
import { adminApi } from '../../../src/shared/admin-api';
import type { SearchSessionsInput } from '../../../src/shared/session-search';
import { loadRenderer } from './load-renderer';

/** The slice of features/sessions/session-filters.ts these tests use (see ./load-renderer.ts for why not an import). */
interface Filters {
  clientId: string; ip: string; device: string; status: string; createdFrom: string; createdTo: string;
  activeFrom: string; activeTo: string; rememberMe: string; sort: string; dir: string; userId: string;
}
const { filterProblems, filtersFromQuery, filtersToQuery, NO_FILTERS, toSearchInput } = await loadRenderer<{
  filterProblems: (filters: Filters) => Record<string, string>;
  filtersFromQuery: (query: URLSearchParams) => Filters;
  filtersToQuery: (filters: Filters) => Record<string, string>;
  NO_FILTERS: Filters;
  toSearchInput: (filters: Filters) => SearchSessionsInput;
}>('features/sessions/session-filters.ts');

describe('Sessions view filters in the URL', () => {
  it('round-trip through the query, and the default view has an empty one', () => {
    expect(filtersToQuery(NO_FILTERS)).toEqual({});
    const filters = { ...NO_FILTERS, clientId: 'web', ip: '10.2.', device: 'iPhone', status: 'cant_refresh', rememberMe: 'no', sort: 'createdAt', dir: 'asc', createdFrom: '2026-11-30T08:00' };
    const query = new URLSearchParams(filtersToQuery(filters));
    expect(filtersFromQuery(query)).toEqual(filters);
  });

  it('ignore values the view does not know (a hand-edited link) instead of failing', () => {
    const filters = filtersFromQuery(new URLSearchParams('status=bogus&rememberMe=maybe&sort=x&dir=sideways'));
    expect([filters.status, filters.rememberMe, filters.sort, filters.dir]).toEqual(['', '', 'lastActivityAt', 'desc']);
  });

  it('make an input the contract accepts, with times in ms and remember-me as a boolean', () => {
    const input = toSearchInput({ ...NO_FILTERS, ip: ' 10.1. ', rememberMe: 'yes', activeFrom: '2026-11-30T08:00', activeTo: '2026-11-30T09:00' });
    expect(input).toMatchObject({ ipPrefix: '10.1.', rememberMe: true, sort: { by: 'lastActivityAt', dir: 'desc' } });
    expect(input.activeTo! - input.activeFrom!).toBe(3_600_000);
    expect(adminApi.searchSessions.input.safeParse(input).success).toBe(true);
  });

  it('say beside the field what the server would refuse: a "to" before "from", an address with other characters', () => {
    expect(filterProblems({ ...NO_FILTERS, createdFrom: '2026-11-30T09:00', createdTo: '2026-11-30T08:00' })).toEqual({ createdTo: '“To” is before “from”.' });
    expect(filterProblems({ ...NO_FILTERS, ip: "10.0.0.1'" }).ip).toMatch(/digits/);
    expect(filterProblems({ ...NO_FILTERS, ip: '2001:db8:' })).toEqual({});
  });
});
