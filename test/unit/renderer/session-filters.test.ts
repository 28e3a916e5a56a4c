import { describe, expect, it } from 'vitest';
import { adminApi } from '../../../src/shared/admin-api';
import { filterProblems, filtersFromQuery, filtersToQuery, NO_FILTERS, toSearchInput } from '../../../src/renderer/features/sessions/session-filters';

describe('Sessions view filters in the URL', () => {
  it('round-trip through the query, and the default view has an empty one', () => {
    expect(filtersToQuery(NO_FILTERS)).toEqual({});
    const filters = { ...NO_FILTERS, clientId: 'web', ip: '10.2.', device: 'iPhone', status: 'cant_refresh' as const, rememberMe: 'no' as const, sort: 'createdAt' as const, dir: 'asc' as const, createdFrom: '2026-11-30T08:00' };
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
