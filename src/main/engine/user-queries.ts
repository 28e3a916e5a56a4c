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

function toSummary(ctx: EngineContext, user: UserDirectoryRow, now: number): UserSummary {
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
    activeSessions: ctx.store.countActiveSessionsOfUser(user.id, now),
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

export function listUsers(ctx: EngineContext, input: ListUsersInput): { items: UserSummary[]; total: number } {
  const now = ctx.now();
  const page = ctx.store.userDirectory.list({
    search: input.search?.trim() || undefined,
    status: input.status,
    sort: input.sort?.by ?? 'createdAt',
    dir: input.sort?.dir ?? 'desc',
    now,
    offset: input.offset ?? 0,
    limit: input.limit ?? DEFAULT_PAGE,
  });
  return { items: page.items.map((user) => toSummary(ctx, user, now)), total: page.total };
}

export function requireDirectoryUser(ctx: EngineContext, userId: string): UserDirectoryRow {
  const user = ctx.store.userDirectory.get(userId);
  if (!user) throw new WardenError('not_found', `No user with id ${userId}.`);
  return user;
}

export function getUser(ctx: EngineContext, input: { userId: string }): UserDetail {
  const now = ctx.now();
  const user = requireDirectoryUser(ctx, input.userId);
  return {
    ...toSummary(ctx, user, now),
    blockedAt: user.blockedAt,
    blockedReason: user.blockedReason,
    failedLogins: currentFailedLogins(user, now),
    attributes: user.attributes,
  };
}
