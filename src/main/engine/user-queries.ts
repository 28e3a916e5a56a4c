/**
 * The users page's reads: search, status filter (with `locked`), server-side sort and paging over the user
 * directory (src/main/store/sqlite-user-directory-store.ts), and one user's detail.
 */
import type { UserDetail, UserListStatus, UserSort, UserSummary } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { UserRow } from '../store/store';
import type { UserDirectoryRow } from '../store/user-directory-store';
import type { EngineContext } from './context';

const DEFAULT_PAGE = 50;

/** The status the console shows: blocked wins; a lock counts only while it lasts. */
export function userListStatus(user: Pick<UserRow, 'status' | 'lockedUntil'>, now: number): UserListStatus {
  if (user.status === 'blocked') return 'blocked';
  return user.lockedUntil !== null && user.lockedUntil > now ? 'locked' : 'active';
}

/**
 * The failed-login count as it stands: a lock that has ended has also ended its count (the next attempt starts
 * from zero, see login.ts admitsAttempt), while a lock in force keeps the count that caused it.
 */
export function currentFailedLogins(user: Pick<UserRow, 'failedLogins' | 'lockedUntil'>, now: number): number {
  return user.lockedUntil !== null && user.lockedUntil <= now ? 0 : user.failedLogins;
}

async function toSummary(ctx: EngineContext, user: UserDirectoryRow, now: number): Promise<UserSummary> {
  const status = userListStatus(user, now);
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    status,
    lockedUntil: user.lockedUntil !== null && user.lockedUntil > now ? user.lockedUntil : null,
    createdAt: user.createdAt,
    refreshVersion: user.refreshVersion,
    notBefore: user.notBefore,
    activeSessions: await ctx.store.countActiveSessionsOfUser(user.id, now),
    lastLoginAt: user.lastLoginAt,
  };
}

export interface ListUsersInput {
  search?: string;
  status?: UserListStatus;
  sort?: { by: UserSort; dir: 'asc' | 'desc' };
  offset?: number;
  limit?: number;
}

export async function listUsers(ctx: EngineContext, input: ListUsersInput): Promise<{ items: UserSummary[]; total: number }> {
  const now = ctx.now();
  const page = await ctx.store.userDirectory.list({
    search: input.search?.trim() || undefined,
    status: input.status,
    sort: input.sort?.by ?? 'createdAt',
    dir: input.sort?.dir ?? 'desc',
    now,
    offset: input.offset ?? 0,
    limit: input.limit ?? DEFAULT_PAGE,
  });
  return { items: await Promise.all(page.items.map((user) => toSummary(ctx, user, now))), total: page.total };
}

export async function requireDirectoryUser(ctx: EngineContext, userId: string): Promise<UserDirectoryRow> {
  const user = await ctx.store.userDirectory.get(userId);
  if (!user) throw new WardenError('not_found', `No user with id ${userId}.`);
  return user;
}

export async function getUser(ctx: EngineContext, input: { userId: string }): Promise<UserDetail> {
  const now = ctx.now();
  const user = await requireDirectoryUser(ctx, input.userId);
  return {
    ...await toSummary(ctx, user, now),
    blockedAt: user.blockedAt,
    blockedReason: user.blockedReason,
    failedLogins: currentFailedLogins(user, now),
    attributes: user.attributes,
  };
}
