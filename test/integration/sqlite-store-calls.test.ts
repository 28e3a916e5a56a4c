/**
 * What a SQLite store call costs in promises: the refresh path makes a dozen store calls, and each promise is
 * also a resource AsyncLocalStorage's hooks track (the transaction scope, the engine's unit). A call on the
 * common path (no transaction to wait for) creates the method's own promise and nothing more (it created a
 * second one for the error mapping before), and its SQLite failures still leave as coded errors — mapped in the
 * statement, for the store's own methods, its sub-stores and an iterated statement alike.
 */
import { createHook } from 'node:async_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isWardenError } from '../../src/shared/errors';
import { openStore, type SqliteStore } from '../../src/main/store/index';
import type { SessionRow, UserRow } from '../../src/main/store/store';

/** Promises created while `call` runs synchronously (not those its awaiters make later). */
function promisesCreatedBy(call: () => unknown): { count: number; result: unknown } {
  let count = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') count += 1;
    },
  }).enable();
  let result: unknown;
  try {
    result = call();
  } finally {
    hook.disable();
  }
  return { count, result };
}

async function codeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (error) {
    return isWardenError(error) ? error.code : `not a WardenError: ${String(error)}`;
  }
  return 'no error';
}

let store: SqliteStore;
beforeEach(() => {
  store = openStore(':memory:') as SqliteStore;
});
afterEach(() => store.close());

describe('a SQLite store call', () => {
  it('creates one promise, its own, on the common path', async () => {
    const read = promisesCreatedBy(() => store.getUser('nobody'));
    expect(read.count).toBe(1);
    expect(await read.result).toBeUndefined();
    const sub = promisesCreatedBy(() => store.browserSessions.get('nothing'));
    expect(sub.count).toBe(1);
    expect(await sub.result).toBeUndefined();
  });

  it('still reports SQLite failures as coded errors, mapped in the statement', async () => {
    const user = {
      id: 'u1', username: 'alice', passwordHash: 'scrypt$x', status: 'active', createdAt: 1, refreshVersion: 1, notBefore: null, blockedAt: null,
      blockedReason: null, failedLogins: 0, lockedUntil: null, lastLoginAt: null,
    } as UserRow;
    await store.insertUser(user);
    expect(await codeOf(() => store.insertUser(user))).toBe('conflict');
    // Inside a transaction too (the engine's every unit), where a caller may catch it and commit the rest.
    expect(await store.transaction(async () => codeOf(() => store.insertUser({ ...user, id: 'u2' })))).toBe('conflict');
    // A session of a user that does not exist: the foreign key refuses it.
    const session = {
      id: 's1', userId: 'ghost', clientId: 'app', deviceName: 'd', userAgent: 'ua', ip: '127.0.0.1', rememberMe: false, scope: 'openid', createdAt: 1,
      lastActivityAt: 1, idleExpiresAt: 2, absoluteExpiresAt: 3, revokedAt: null, revokedBy: null, revokeReason: null, refreshCount: 0,
      browserSessionId: null, refreshEndedAt: null,
    } as SessionRow;
    expect(await codeOf(() => store.insertSession(session))).toBe('not_found');
  });
});
