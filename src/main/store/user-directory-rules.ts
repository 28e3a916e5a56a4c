/**
 * What the SQLite and PostgreSQL `UserDirectoryStore`s share (./sqlite-user-directory-store.ts,
 * ./pg/pg-user-directory-store.ts): the argument checks, which search is a username prefix, the profile
 * fields an update may set, and the listing by status (one sorted segment per status, concatenated). Each
 * store keeps its SQL and its plans; a page of one status, sorted one way, is the store's `SortedPage`.
 */
import type { Page } from './store';
import type { DirectoryQuery, DirectorySort, DirectoryStatus, UserProfile } from './user-directory-store';

/** The trigram index answers 3 characters or more; shorter searches match the start of the username. */
export const MIN_SUBSTRING = 3;
/** Status order, ascending: the more an admin must act on, the later. */
export const STATUS_ORDER: readonly DirectoryStatus[] = ['active', 'locked', 'blocked'];
/** The profile fields an update may set, and their columns (the same in both schemas). */
export const PROFILE_COLUMNS: Record<keyof UserProfile, string> = { displayName: 'display_name', email: 'email', attributes: 'attributes' };

/** The search text as matched: trimmed, '' for none. */
export const searchText = (query: Pick<DirectoryQuery, 'search'>): string => query.search?.trim() ?? '';
/** A short search (1–2 characters) is the start of the username, not a substring. */
export const isPrefixSearch = (search: string): boolean => search !== '' && [...search].length < MIN_SUBSTRING;

/** One sorted page of the matches of the query's search and `status`. */
export type SortedPage<R> = (status: DirectoryStatus | undefined, sort: Exclude<DirectorySort, 'status'>, dir: 'asc' | 'desc',
  offset: number, limit: number) => Promise<Page<R>>;

/**
 * A `list` page: the arguments checked (caller bugs are TypeErrors), then one sorted page, or by status one
 * segment per status (newest first inside each) concatenated in the status order.
 */
export async function listDirectory<R>(query: DirectoryQuery, page: SortedPage<R>): Promise<Page<R>> {
  for (const [name, value] of [['offset', query.offset], ['limit', query.limit], ['now', query.now]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${name} must be a non-negative integer`);
  }
  if (query.status !== undefined && !STATUS_ORDER.includes(query.status)) throw new TypeError('list: unknown status');
  if (query.sort !== 'status') return page(query.status, query.sort, query.dir, query.offset, query.limit);
  const order = query.dir === 'asc' ? STATUS_ORDER : [...STATUS_ORDER].reverse();
  const segments = order.filter((status) => query.status === undefined || query.status === status);
  const items: R[] = [];
  let total = 0;
  let skip = query.offset;
  for (const status of segments) {
    const segment = await page(status, 'createdAt', 'desc', skip, query.limit - items.length);
    items.push(...segment.items);
    total += segment.total;
    skip = Math.max(0, skip - segment.total);
  }
  return { items, total };
}

/**
 * The fields a profile patch sets (undefined ones stay), sorted (one cached statement per field set), with the
 * values as stored (attributes as JSON text). Another field is a caller bug: a TypeError.
 */
export function profileUpdate(patch: Partial<UserProfile>): { field: keyof UserProfile; column: string; value: string | null }[] {
  const fields = (Object.keys(patch) as (keyof UserProfile)[]).filter((f) => patch[f] !== undefined).sort();
  for (const field of fields) if (!(field in PROFILE_COLUMNS)) throw new TypeError(`updateProfile: "${field}" cannot be updated`);
  return fields.map((field) => ({
    field,
    column: PROFILE_COLUMNS[field],
    value: field === 'attributes' ? JSON.stringify(patch.attributes) : (patch[field] as string | null),
  }));
}
