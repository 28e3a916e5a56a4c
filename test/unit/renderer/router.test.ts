import { describe, expect, it } from 'vitest';
import { loadRenderer } from './load-renderer';

interface RouterModule {
  parseHash(hash: string): { path: string; query: URLSearchParams; page: { name: string } & Record<string, unknown> };
  href: {
    overview(): string;
    users(): string;
    user(userId: string): string;
    session(sessionId: string): string;
    keys(): string;
    inspector(token?: string): string;
  };
}
const { href, parseHash } = await loadRenderer<RouterModule>('lib/router.ts');

describe('parseHash', () => {
  it.each([
    ['', { name: 'overview' }],
    ['#', { name: 'overview' }],
    ['#/', { name: 'overview' }],
    ['#/overview', { name: 'overview' }],
    ['#/users', { name: 'users' }],
    ['#/users/usr_42', { name: 'user', userId: 'usr_42' }],
    ['#/sessions/ses_9', { name: 'session', sessionId: 'ses_9' }],
    ['#/keys', { name: 'keys' }],
    ['#/clients', { name: 'clients' }],
    ['#/audit', { name: 'audit' }],
    ['#/settings', { name: 'settings' }],
    ['#/inspector', { name: 'inspector', token: null }],
    ['#/inspector?token=abc.def.ghi', { name: 'inspector', token: 'abc.def.ghi' }],
  ])('%s → %o', (hash, page) => {
    expect(parseHash(hash).page).toEqual(page);
  });

  it.each(['#/nope', '#/keys/extra', '#/users/a/b', '#/inspector/x'])('%s is not found, with its path', (hash) => {
    const route = parseHash(hash);
    expect(route.page).toEqual({ name: 'not_found', path: hash.slice(1) });
  });

  it('splits the query from the path and keeps it', () => {
    const route = parseHash('#/users?search=al&status=active');
    expect(route.path).toBe('/users');
    expect(route.query.get('search')).toBe('al');
    expect(route.query.get('status')).toBe('active');
    expect(route.page).toEqual({ name: 'users' });
  });

  it('decodes path segments', () => {
    expect(parseHash('#/users/a%2Fb%20c').page).toEqual({ name: 'user', userId: 'a/b c' });
  });
});

describe('href', () => {
  it('builds the links the navigation uses', () => {
    expect(href.overview()).toBe('#/');
    expect(href.users()).toBe('#/users');
    expect(href.keys()).toBe('#/keys');
    expect(href.inspector()).toBe('#/inspector');
  });

  it.each(['usr_1', 'frank@example.com', 'a/b c?d#e'])('round-trips user id %s through parseHash', (userId) => {
    expect(parseHash(href.user(userId)).page).toEqual({ name: 'user', userId });
    expect(parseHash(href.session(userId)).page).toEqual({ name: 'session', sessionId: userId });
  });

  it('round-trips a token with URL-special characters through the inspector link', () => {
    const token = 'eyJ.a+b/c=.d&e=f';
    const link = href.inspector(token);
    expect(link.startsWith('#/inspector?token=')).toBe(true);
    expect(parseHash(link).page).toEqual({ name: 'inspector', token });
  });
});
