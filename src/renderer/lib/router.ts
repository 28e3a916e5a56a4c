/**
 * A tiny hash router: `#/users`, `#/users/:id`, `#/sessions/:id`, `#/inspector?token=…`. Hash routing works
 * the same from `file://` (Electron) and over HTTP, and needs no server rewrites.
 */
import { useMemo, useSyncExternalStore } from 'react';

export type Page =
  | { name: 'overview' }
  | { name: 'users' }
  | { name: 'user'; userId: string }
  | { name: 'session'; sessionId: string }
  /** All sessions across users; filters live in the query (`#/sessions?clientId=…&ip=…`). */
  | { name: 'sessions' }
  | { name: 'keys' }
  | { name: 'clients' }
  | { name: 'client'; clientId: string }
  | { name: 'admins' }
  /** Refresh-token reuse alerts as a worklist. */
  | { name: 'alerts' }
  | { name: 'audit' }
  | { name: 'inspector'; token: string | null }
  | { name: 'settings' }
  | { name: 'demo' }
  /** The deployments this console can manage (local-only: docs/deployments.md). */
  | { name: 'deployments' }
  | { name: 'not_found'; path: string };

export interface Route {
  path: string;
  query: URLSearchParams;
  page: Page;
}

/** Parses a location hash into a route. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const queryAt = raw.indexOf('?');
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : raw.slice(queryAt + 1));
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { path, query, page: toPage(parts, query, path) };
}

function toPage(parts: string[], query: URLSearchParams, path: string): Page {
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { name: 'not_found', path };
  if (first === undefined || first === 'overview') return { name: 'overview' };
  if (first === 'users' && second !== undefined) return { name: 'user', userId: second };
  if (first === 'sessions' && second !== undefined) return { name: 'session', sessionId: second };
  if (first === 'clients' && second !== undefined) return { name: 'client', clientId: second };
  if (second !== undefined) return { name: 'not_found', path };
  switch (first) {
    case 'users':
    case 'sessions':
    case 'keys':
    case 'clients':
    case 'admins':
    case 'alerts':
    case 'audit':
    case 'settings':
    case 'demo':
    case 'deployments':
      return { name: first };
    case 'inspector':
      return { name: 'inspector', token: query.get('token') };
    default:
      return { name: 'not_found', path };
  }
}

/** Hash links, encoded. */
export const href = {
  overview: () => '#/',
  users: () => '#/users',
  user: (userId: string) => `#/users/${encodeURIComponent(userId)}`,
  session: (sessionId: string) => `#/sessions/${encodeURIComponent(sessionId)}`,
  /** The sessions list, filtered: `href.sessions({ clientId: 'web' })`. */
  sessions: (filters?: Record<string, string>) => withQuery('#/sessions', filters),
  keys: () => '#/keys',
  /** The keys page, with one key highlighted. */
  key: (kid: string) => withQuery('#/keys', { kid }),
  clients: () => '#/clients',
  client: (clientId: string) => `#/clients/${encodeURIComponent(clientId)}`,
  admins: () => '#/admins',
  alerts: () => '#/alerts',
  /** The audit log, filtered (filters are kept in the URL): `href.audit({ q: 'blocked' })`; `seq` opens one entry. */
  audit: (filters?: Record<string, string>) => withQuery('#/audit', filters),
  inspector: (token?: string) => (token ? `#/inspector?${new URLSearchParams({ token }).toString()}` : '#/inspector'),
  settings: () => '#/settings',
  demo: () => '#/demo',
  deployments: () => '#/deployments',
};

function withQuery(path: string, params?: Record<string, string>): string {
  const query = new URLSearchParams(Object.entries(params ?? {}).filter(([, value]) => value !== '')).toString();
  return query ? `${path}?${query}` : path;
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return useMemo(() => parseHash(hash), [hash]);
}

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, '');
}
