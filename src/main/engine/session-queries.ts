/**
 * The Sessions view across all users (area C, docs/sessions.md): `searchSessions`, server-paged by an opaque
 * cursor. Why a cursor and no total: an exact count of an arbitrary filter (a device substring) would read
 * every row of a million; a page never does (see store/sqlite-session-search-store.ts for how each page stays
 * bounded).
 */
import type { z } from 'zod';
import type { SessionInfo } from '../../shared/dto';
import type { searchSessionsInputSchema } from '../../shared/session-search';
import { WardenError } from '../../shared/errors';
import type { SessionCursor, SessionSortBy, SortDir } from '../store/session-search-store';
import type { EngineContext } from './context';
import { toSessionInfo } from './queries';

const DEFAULT_PAGE = 50;

/** The contract's input (src/shared/session-search.ts), as the dispatcher hands it over after parsing. */
export type SearchSessionsInput = z.infer<typeof searchSessionsInputSchema>;

export interface SearchSessionsOutput {
  items: SessionInfo[];
  nextCursor: string | null;
  partial: boolean;
}

/** `<by>.<dir>.<key>.<rowid>` in base64url: opaque to callers, and tied to the sort it was made for. */
export function encodeCursor(by: SessionSortBy, dir: SortDir, at: SessionCursor): string {
  return Buffer.from(`${by}.${dir}.${at.key}.${at.rowid}`).toString('base64url');
}

export function decodeCursor(cursor: string, by: SessionSortBy, dir: SortDir): SessionCursor {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  const [cBy, cDir, key, rowid] = parts;
  const valid = parts.length === 4 && /^\d{1,16}$/.test(key ?? '') && /^\d{1,19}$/.test(rowid ?? '');
  if (!valid) throw new WardenError('invalid_input', 'The cursor is not one searchSessions gave.');
  if (cBy !== by || cDir !== dir) throw new WardenError('invalid_input', 'The cursor belongs to another sort order: start again from the first page.');
  return { key: Number(key), rowid: Number(rowid) };
}

export async function searchSessions(ctx: EngineContext, input: SearchSessionsInput): Promise<SearchSessionsOutput> {
  const now = ctx.now();
  const by = input.sort?.by ?? 'lastActivityAt';
  const dir = input.sort?.dir ?? 'desc';
  const device = input.device?.trim();
  const page = await ctx.store.sessionSearch.search({
    now,
    userId: input.userId,
    clientId: input.clientId,
    ipPrefix: input.ipPrefix?.trim() || undefined,
    device: device || undefined,
    status: input.status,
    createdFrom: input.createdFrom,
    createdTo: input.createdTo,
    activeFrom: input.activeFrom,
    activeTo: input.activeTo,
    rememberMe: input.rememberMe,
    sort: by,
    dir,
    after: input.cursor === undefined ? undefined : decodeCursor(input.cursor, by, dir),
    limit: input.limit ?? DEFAULT_PAGE,
  });
  const names = new Map<string, string>();
  const nameOf = async (userId: string) => {
    let name = names.get(userId);
    if (name === undefined) {
      name = (await ctx.store.getUser(userId))?.username ?? '(deleted)';
      names.set(userId, name);
    }
    return name;
  };
  return {
    items: await Promise.all(page.items.map(async (session) => toSessionInfo(session, await nameOf(session.userId), now))),
    nextCursor: page.next === null ? null : encodeCursor(by, dir, page.next),
    partial: page.partial,
  };
}
