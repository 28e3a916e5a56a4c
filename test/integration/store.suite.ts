/**
 * The one behavioural suite every `Store` implementation must pass. `open()` gives a fresh, empty store per
 * test; `persistent` (known at collection time, before any harness can be awaited) enables the persistence
 * tests; a store in a SQLite file also passes `file`, which enables the SQLite file-safety tests (skipped, with
 * the reason in their name, elsewhere: they are about SQLite's files, not about the contract).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WardenError } from '../../src/shared/errors';
import type {
  AccessTokenRow, AuditInsert, ClientRow, KeyRow, RefreshTokenRow, RevocationRow, SessionRow, Store, UserRow,
} from '../../src/main/store/store';

export interface StoreHarness {
  store: Store;
  /** Opens the same data again (the caller closes the previous store first). In-memory: a fresh store. */
  reopen: () => Store | Promise<Store>;
  /** The schema versions that opening `store` applied (empty when nothing ran). */
  migrationsApplied: (store: Store) => readonly number[];
  /** Closes every store the harness opened and removes its files. */
  cleanup: () => Promise<void>;
  /** Present when the store lives in a file. */
  file?: {
    path: string;
    /** Opens another path with the same implementation. */
    openAt: (path: string) => Store;
    /** Rewrites the schema version recorded in a closed database file. */
    setSchemaVersion: (path: string, version: number) => void;
  };
}

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;
const hash = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Every entry an async iterator yields (Array.fromAsync is Node 22+). */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function makeUser(over: Partial<UserRow> & Pick<UserRow, 'id' | 'username'>): UserRow {
  return {
    passwordHash: 'scrypt$x', status: 'active', createdAt: T0, refreshVersion: 1, notBefore: null, blockedAt: null,
    blockedReason: null, failedLogins: 0, lockedUntil: null, lastLoginAt: null, ...over,
  };
}

function makeSession(over: Partial<SessionRow> & Pick<SessionRow, 'id' | 'userId'>): SessionRow {
  return {
    clientId: 'app', deviceName: 'Firefox on Linux', userAgent: 'Mozilla/5.0', ip: '127.0.0.1', rememberMe: false, scope: 'openid profile',
    createdAt: T0, lastActivityAt: T0, idleExpiresAt: T0 + 30 * MIN, absoluteExpiresAt: T0 + 600 * MIN, revokedAt: null,
    revokedBy: null, revokeReason: null, refreshCount: 0, browserSessionId: null, refreshEndedAt: null, ...over,
  };
}

function makeRefresh(session: SessionRow, name: string, over: Partial<RefreshTokenRow> = {}): RefreshTokenRow {
  return {
    hash: hash(name), sessionId: session.id, userId: session.userId, clientId: session.clientId, refreshVersion: 1,
    createdAt: T0, usedAt: null, successorHash: null, revokedAt: null, usedIp: null, usedUserAgent: null, ...over,
  };
}

function makeAccess(session: SessionRow, jti: string, over: Partial<AccessTokenRow> = {}): AccessTokenRow {
  return {
    jti, sessionId: session.id, userId: session.userId, clientId: session.clientId, kid: 'k1', issuedAt: T0,
    expiresAt: T0 + 5 * MIN, ...over,
  };
}

function makeRevocation(over: Partial<Omit<RevocationRow, 'id'>> = {}): Omit<RevocationRow, 'id'> {
  return { kind: 'jti', subject: 'at_1', userId: 'u1', notBefore: null, expiresAt: T0 + 5 * MIN, createdAt: T0, actor: 'admin', reason: null, ...over };
}

function makeAudit(over: Partial<AuditInsert> = {}, n = 0): AuditInsert & { prevHash: string; hash: string } {
  return {
    at: T0 + n, type: 'user.login', actor: 'system', userId: null, sessionId: null, reason: null, data: { n },
    prevHash: hash(`h${n - 1}`), hash: hash(`h${n}`), ...over,
  };
}

const CLIENT: ClientRow = {
  clientId: 'app', kind: 'public', name: 'Demo app', secretHash: null, createdAt: T0,
  redirectUris: ['https://app.example/callback'], postLogoutRedirectUris: [], backchannelLogoutUri: null,
  grantTypes: ['authorization_code', 'refresh_token'], idTokenSignedResponseAlg: 'RS256', updatedAt: null,
  disabledAt: null, disabledReason: null, deletedAt: null, previousSecretHash: null, previousSecretExpiresAt: null,
  accessTokenTtlSeconds: null, refreshIdleSeconds: null, refreshAbsoluteSeconds: null,
};
const KEY: KeyRow = {
  kid: 'k1', alg: 'EdDSA', publicJwk: '{"kty":"OKP","crv":"Ed25519","x":"abc"}', status: 'active', createdAt: T0,
  retiringSince: null, retiresAt: null, revokedAt: null,
};

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    return error instanceof WardenError ? error.code : `not a WardenError: ${String(error)}`;
  }
  return undefined;
}

export interface StoreKind {
  /** reopen gives the same data back. */
  persistent: boolean;
  /** The store is a SQLite file (the harness has `file`). */
  sqliteFile: boolean;
  /**
   * One connection (SQLite): a transaction started outside the open one waits for it to end. PostgreSQL runs it
   * on another pooled connection at once; the isolation rule (never seeing uncommitted writes) holds for both.
   */
  oneConnection: boolean;
}

export function storeSuite(label: string, open: () => StoreHarness | Promise<StoreHarness>, kind: StoreKind): void {
  const persistentIt = it.skipIf(!kind.persistent);
  const fileIt = it.skipIf(!kind.sqliteFile);
  const oneConnectionIt = it.skipIf(!kind.oneConnection);

  describe(`Store contract: ${label}`, () => {
    let h: StoreHarness;
    let store: Store;

    beforeEach(async () => {
      h = await open();
      store = h.store;
      await store.insertClient(CLIENT);
    });
    afterEach(() => h.cleanup());

    /** Inserts a user and one of its sessions; returns the session. */
    async function seed(userId: string, sessionId: string, over: Partial<SessionRow> = {}): Promise<SessionRow> {
      if (!await store.getUser(userId)) await store.insertUser(makeUser({ id: userId, username: `name-${userId}` }));
      const row = makeSession({ id: sessionId, userId, ...over });
      await store.insertSession(row);
      return row;
    }

    describe('lifecycle', () => {
      it('has a random 16-byte hex instance id, different for each new database', async () => {
        expect(store.instanceId()).toMatch(/^[0-9a-f]{32}$/);
        const other = await open();
        try {
          expect(other.store.instanceId()).not.toBe(store.instanceId());
        } finally {
          await other.cleanup();
        }
      });

      it('close() is idempotent', async () => {
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });

    describe('users', () => {
      it('round-trips every field, nulls included', async () => {
        const full = makeUser({
          id: 'u1', username: 'Alice', status: 'blocked', notBefore: T0 + 1, blockedAt: T0 + 2, blockedReason: 'abuse',
          failedLogins: 3, lockedUntil: T0 + 3, lastLoginAt: T0 + 4, refreshVersion: 7,
        });
        await store.insertUser(full);
        await store.insertUser(makeUser({ id: 'u2', username: 'bob' }));
        expect(await store.getUser('u1')).toEqual(full);
        expect((await store.getUser('u2'))?.notBefore).toBeNull();
        expect(await store.getUser('nope')).toBeUndefined();
      });

      it('finds by username case-insensitively and refuses a duplicate that differs only in case', async () => {
        await store.insertUser(makeUser({ id: 'u1', username: 'Alice' }));
        expect((await store.getUserByUsername('aLICE'))?.id).toBe('u1');
        expect(await store.getUserByUsername('alic')).toBeUndefined();
        expect(await codeOf(() => store.insertUser(makeUser({ id: 'u2', username: 'ALICE' })))).toBe('conflict');
        expect(await codeOf(() => store.insertUser(makeUser({ id: 'u1', username: 'other' })))).toBe('conflict');
        expect(await store.countUsers()).toBe(1);
      });

      it('updates only the fields in the patch', async () => {
        await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
        await store.updateUser('u1', { status: 'blocked', blockedAt: T0 + 5, blockedReason: 'x', failedLogins: 2 });
        await store.updateUser('u1', { refreshVersion: 2, notBefore: T0 + 9, blockedReason: null });
        expect(await store.getUser('u1')).toEqual(makeUser({
          id: 'u1', username: 'alice', status: 'blocked', blockedAt: T0 + 5, blockedReason: null, failedLogins: 2,
          refreshVersion: 2, notBefore: T0 + 9,
        }));
      });

      it('reports not_found for an unknown id and refuses fields outside the patch type', async () => {
        expect(await codeOf(() => store.updateUser('ghost', { failedLogins: 1 }))).toBe('not_found');
        await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
        const sneaky = { username: 'mallory' } as unknown as Partial<UserRow>;
        await expect(() => store.updateUser('u1', sneaky)).rejects.toThrow(TypeError);
        expect((await store.getUser('u1'))?.username).toBe('alice');
      });

      it('counts users, including through status changes', async () => {
        expect(await store.countUsers()).toBe(0);
        for (let i = 0; i < 5; i++) await store.insertUser(makeUser({ id: `u${i}`, username: `user${i}` }));
        await store.updateUser('u1', { status: 'blocked' });
        expect(await store.countUsers()).toBe(5);
        expect((await store.listUsers({ status: 'blocked', offset: 0, limit: 10 })).total).toBe(1);
        expect((await store.listUsers({ status: 'active', offset: 0, limit: 10 })).total).toBe(4);
        await store.updateUser('u1', { status: 'active' });
        expect((await store.listUsers({ status: 'blocked', offset: 0, limit: 10 })).total).toBe(0);
      });
    });

    describe('listUsers', () => {
      const names = ['alice', 'Alan', 'bal', 'ALBERT', 'a_b', 'axb', 'a%c', 'abc', 'a\\d', 'zed'];
      beforeEach(async () => {
        for (const [i, username] of names.entries()) await store.insertUser(makeUser({ id: `u${i}`, username, createdAt: T0 + i }));
      });
      const usernames = (page: { items: UserRow[] }): string[] => page.items.map((u) => u.username);

      it('lists newest first with offset/limit and the full total', async () => {
        expect(usernames(await store.listUsers({ offset: 0, limit: 3 }))).toEqual(['zed', 'a\\d', 'abc']);
        const page = await store.listUsers({ offset: 3, limit: 3 });
        expect(usernames(page)).toEqual(['a%c', 'axb', 'a_b']);
        expect(page.total).toBe(names.length);
        expect(await store.listUsers({ offset: 20, limit: 3 })).toEqual({ items: [], total: names.length });
      });

      it('searches by case-insensitive prefix, never by substring', async () => {
        const page = await store.listUsers({ search: 'AL', offset: 0, limit: 10 });
        expect(usernames(page)).toEqual(['ALBERT', 'Alan', 'alice']);
        expect(page.total).toBe(3);
        expect(usernames(await store.listUsers({ search: 'ALI', offset: 0, limit: 10 }))).toEqual(['alice']);
        expect((await store.listUsers({ search: 'ob', offset: 0, limit: 10 })).total).toBe(0);
      });

      it('treats % _ and \\ in the search text literally', async () => {
        expect(usernames(await store.listUsers({ search: 'a_', offset: 0, limit: 10 }))).toEqual(['a_b']);
        expect(usernames(await store.listUsers({ search: 'a%', offset: 0, limit: 10 }))).toEqual(['a%c']);
        expect(usernames(await store.listUsers({ search: 'a\\', offset: 0, limit: 10 }))).toEqual(['a\\d']);
        expect((await store.listUsers({ search: '%', offset: 0, limit: 10 })).total).toBe(0);
      });

      it('pages a search and combines it with the status filter', async () => {
        await store.updateUser('u3', { status: 'blocked' });
        const first = await store.listUsers({ search: 'a', offset: 0, limit: 2 });
        const second = await store.listUsers({ search: 'a', offset: 2, limit: 100 });
        expect(first.total).toBe(8);
        expect(second.total).toBe(8);
        expect([...usernames(first), ...usernames(second)]).toHaveLength(8);
        expect(usernames(await store.listUsers({ search: 'al', status: 'blocked', offset: 0, limit: 10 }))).toEqual(['ALBERT']);
        expect((await store.listUsers({ search: 'al', status: 'active', offset: 0, limit: 10 })).total).toBe(2);
      });
    });

    describe('clients', () => {
      it('inserts, gets and lists in creation order', async () => {
        const confidential: ClientRow = { ...CLIENT, clientId: 'svc', kind: 'confidential', name: 'Service', secretHash: 'scrypt$s', createdAt: T0 + 1, backchannelLogoutUri: 'https://svc.example/logout' };
        await store.insertClient(confidential);
        expect(await store.getClient('svc')).toEqual(confidential);
        expect(await store.getClient('app')).toEqual(CLIENT);
        expect(await store.getClient('none')).toBeUndefined();
        expect(await store.listClients()).toEqual([CLIENT, confidential]);
        expect(await codeOf(() => store.insertClient(CLIENT))).toBe('conflict');
      });

      it('never serves a client whose insert was rolled back (clients are cached once committed)', async () => {
        expect(await store.getClient('app')).toEqual(CLIENT); // cached now
        const ghost: ClientRow = { ...CLIENT, clientId: 'ghost' };
        await expect(() =>
          store.transaction(async () => {
            await store.insertClient(ghost);
            expect(await store.getClient('ghost')).toEqual(ghost);
            throw new Error('roll back');
          }),
        ).rejects.toThrow('roll back');
        expect(await store.getClient('ghost')).toBeUndefined();
        expect(await store.getClient('app')).toEqual(CLIENT);
        expect(Object.isFrozen(await store.getClient('app'))).toBe(true);
      });
    });

    describe('sessions', () => {
      it('round-trips a session, with rememberMe as a boolean', async () => {
        const a = await seed('u1', 's1', { rememberMe: true, scope: 'read:all', revokedAt: T0, revokedBy: 'admin', revokeReason: 'lost phone', refreshCount: 4 });
        const b = await seed('u1', 's2');
        expect(await store.getSession('s1')).toEqual(a);
        expect(await store.getSession('s2')).toEqual(b);
        expect((await store.getSession('s2'))?.rememberMe).toBe(false);
        expect(await store.getSession('none')).toBeUndefined();
      });

      it('refuses a session for an unknown user and a duplicate id', async () => {
        expect(await codeOf(() => store.insertSession(makeSession({ id: 's1', userId: 'ghost' })))).toBe('not_found');
        await seed('u1', 's1');
        expect(await codeOf(() => store.insertSession(makeSession({ id: 's1', userId: 'u1' })))).toBe('conflict');
      });

      it('patches activity and revocation fields, and the new idle expiry counts at once', async () => {
        await seed('u1', 's1');
        await store.updateSession('s1', { lastActivityAt: T0 + MIN, idleExpiresAt: T0 + 2 * MIN, refreshCount: 1 });
        expect(await store.getSession('s1')).toMatchObject({ lastActivityAt: T0 + MIN, idleExpiresAt: T0 + 2 * MIN, refreshCount: 1 });
        expect(await store.countActiveSessions(T0 + 2 * MIN - 1)).toBe(1);
        expect(await store.countActiveSessions(T0 + 2 * MIN)).toBe(0);
        await store.updateSession('s1', { revokedAt: T0 + MIN, revokedBy: 'admin', revokeReason: 'r' });
        expect(await store.getSession('s1')).toMatchObject({ revokedAt: T0 + MIN, revokedBy: 'admin', revokeReason: 'r' });
        expect(await codeOf(() => store.updateSession('ghost', { refreshCount: 1 }))).toBe('not_found');
      });

      describe('status at a given now', () => {
        const now = T0 + 100 * MIN;
        beforeEach(async () => {
          await seed('u1', 'active-old', { lastActivityAt: T0 + 1, idleExpiresAt: now + 1, createdAt: T0 });
          await seed('u1', 'active-new', { lastActivityAt: T0 + 5, idleExpiresAt: now + 5, createdAt: T0 + 1 });
          await seed('u1', 'idle-boundary', { lastActivityAt: T0 + 2, idleExpiresAt: now });
          await seed('u2', 'absolute-boundary', { lastActivityAt: T0 + 3, idleExpiresAt: now + 10, absoluteExpiresAt: now });
          await seed('u2', 'revoked-live', { lastActivityAt: T0 + 4, idleExpiresAt: now + 10, revokedAt: T0 + 4 });
          await seed('u2', 'revoked-expired', { lastActivityAt: T0 + 6, idleExpiresAt: T0 + 7, revokedAt: T0 + 8 });
          await seed('u2', 'active-u2', { lastActivityAt: T0 + 7, idleExpiresAt: now + 10, createdAt: T0 + 2 });
        });
        const ids = (rows: SessionRow[]): string[] => rows.map((s) => s.id);

        it('lists every session by most recent activity with the total', async () => {
          const page = await store.listSessions({ now, offset: 0, limit: 3 });
          expect(ids(page.items)).toEqual(['active-u2', 'revoked-expired', 'active-new']);
          expect(page.total).toBe(7);
          expect(ids((await store.listSessions({ now, offset: 6, limit: 3 })).items)).toEqual(['active-old']);
        });

        it('judges active, expired (expiry == now is expired) and revoked (wins over expired)', async () => {
          const active = await store.listSessions({ status: 'active', now, offset: 0, limit: 10 });
          expect(ids(active.items)).toEqual(['active-u2', 'active-new', 'active-old']);
          expect(active.total).toBe(3);
          const expired = await store.listSessions({ status: 'expired', now, offset: 0, limit: 10 });
          expect(ids(expired.items)).toEqual(['absolute-boundary', 'idle-boundary']);
          expect(expired.total).toBe(2);
          const revoked = await store.listSessions({ status: 'revoked', now, offset: 0, limit: 1 });
          expect(ids(revoked.items)).toEqual(['revoked-expired']);
          expect(revoked.total).toBe(2);
        });

        it('filters by user, alone and with a status, and re-judges at a later now', async () => {
          const mine = await store.listSessions({ userId: 'u1', now, offset: 0, limit: 10 });
          expect(ids(mine.items)).toEqual(['active-new', 'idle-boundary', 'active-old']);
          expect(mine.total).toBe(3);
          expect((await store.listSessions({ userId: 'u2', status: 'expired', now, offset: 0, limit: 10 })).total).toBe(1);
          expect((await store.listSessions({ userId: 'u2', status: 'revoked', now, offset: 0, limit: 10 })).total).toBe(2);
          expect((await store.listSessions({ status: 'active', now: now + 5, offset: 0, limit: 10 })).total).toBe(1);
          expect((await store.listSessions({ status: 'expired', now: now + 5, offset: 0, limit: 10 })).total).toBe(4);
        });

        it('counts active sessions overall and per user', async () => {
          expect(await store.countActiveSessions(now)).toBe(3);
          expect(await store.countActiveSessions(now - 1)).toBe(5);
          expect(await store.countActiveSessionsOfUser('u1', now)).toBe(2);
          expect(await store.countActiveSessionsOfUser('u2', now)).toBe(1);
          expect(await store.countActiveSessionsOfUser('ghost', now)).toBe(0);
        });

        it("lists a user's active sessions oldest first", async () => {
          expect(ids(await store.listActiveSessionsOfUser('u1', now))).toEqual(['active-old', 'active-new']);
          expect(ids(await store.listActiveSessionsOfUser('u2', now))).toEqual(['active-u2']);
          expect(await store.listActiveSessionsOfUser('u1', now + 5)).toEqual([]);
        });

        it('moves a session to revoked when revoked, and counts it once', async () => {
          await store.updateSession('active-old', { revokedAt: now - 1, revokedBy: 'admin' });
          expect(await store.countActiveSessions(now)).toBe(2);
          expect((await store.listSessions({ status: 'revoked', now, offset: 0, limit: 10 })).total).toBe(3);
          await store.updateSession('active-old', { revokedAt: now, revokeReason: 'again' });
          expect((await store.listSessions({ status: 'revoked', now, offset: 0, limit: 10 })).total).toBe(3);
        });
      });
    });

    describe('refresh tokens', () => {
      let s1: SessionRow;
      beforeEach(async () => {
        s1 = await seed('u1', 's1');
      });

      it('stores and returns a token row by hash', async () => {
        const row = makeRefresh(s1, 'rt1', { refreshVersion: 3 });
        await store.insertRefreshToken(row);
        expect(await store.getRefreshToken(row.hash)).toEqual(row);
        expect(await store.getRefreshToken(hash('other'))).toBeUndefined();
        expect(await codeOf(() => store.insertRefreshToken(row))).toBe('conflict');
      });

      it('returns a token with its session and user in one lookup, each as its own lookup returns it', async () => {
        const row = makeRefresh(s1, 'rt1', { usedAt: T0 + 1, successorHash: hash('rt2'), usedIp: '203.0.113.9', usedUserAgent: null });
        await store.insertRefreshToken(row);
        expect(await store.getRefreshGrant(row.hash)).toEqual({ token: row, session: await store.getSession('s1'), user: await store.getUser('u1') });
        expect((await store.getRefreshGrant(row.hash))!.session.rememberMe).toBe(false);
        expect(await store.getRefreshGrant(hash('other'))).toBeUndefined();
      });

      it('refuses anything that is not a SHA-256 hex digest (a raw token must never be stored)', async () => {
        const raw = 'Jd8s0aQ3bq2mJx1f7YQpL0kz9sX3nM4vB6cW2eR5tYu';
        await expect(() => store.insertRefreshToken(makeRefresh(s1, 'x', { hash: raw }))).rejects.toThrow(TypeError);
        await expect(() => store.insertRefreshToken(makeRefresh(s1, 'x', { successorHash: raw }))).rejects.toThrow(TypeError);
        await expect(() => store.markRefreshTokenUsed(hash('x'), T0, raw)).rejects.toThrow(TypeError);
        expect(await store.listRefreshTokensOfSession('s1')).toEqual([]);
      });

      it('marks a token used exactly once: the second compare-and-set loses and changes nothing', async () => {
        const row = makeRefresh(s1, 'rt1');
        await store.insertRefreshToken(row);
        expect(await store.markRefreshTokenUsed(row.hash, T0 + 1, hash('rt2'))).toBe(true);
        expect(await store.markRefreshTokenUsed(row.hash, T0 + 2, hash('rt3'))).toBe(false);
        expect(await store.getRefreshToken(row.hash)).toEqual({ ...row, usedAt: T0 + 1, successorHash: hash('rt2') });
        expect(await store.markRefreshTokenUsed(hash('unknown'), T0, hash('rt4'))).toBe(false);
      });

      it('revokes one token once', async () => {
        await store.insertRefreshToken(makeRefresh(s1, 'one'));
        await store.insertRefreshToken(makeRefresh(s1, 'two'));
        expect(await store.revokeRefreshToken(hash('one'), T0 + 3)).toBe(true);
        expect(await store.revokeRefreshToken(hash('one'), T0 + 4)).toBe(false);
        expect(await store.revokeRefreshToken(hash('unknown'), T0 + 4)).toBe(false);
        expect((await store.getRefreshToken(hash('one')))?.revokedAt).toBe(T0 + 3);
        expect((await store.getRefreshToken(hash('two')))?.revokedAt).toBeNull();
      });

      it("revokes a session's live token once; its used (rotated) tokens are left as they are", async () => {
        await store.insertRefreshToken(makeRefresh(s1, 'a', { usedAt: T0, successorHash: hash('b') }));
        await store.insertRefreshToken(makeRefresh(s1, 'b'));
        await store.insertRefreshToken(makeRefresh(s1, 'c', { revokedAt: T0 - 1 }));
        const s2 = await seed('u1', 's2');
        await store.insertRefreshToken(makeRefresh(s2, 'd'));
        expect(await store.revokeRefreshTokensOfSession('s1', T0 + 9)).toBe(1);
        expect(await store.revokeRefreshTokensOfSession('s1', T0 + 10)).toBe(0);
        expect((await store.getRefreshToken(hash('b')))?.revokedAt).toBe(T0 + 9);
        expect(await store.getRefreshToken(hash('a'))).toMatchObject({ usedAt: T0, revokedAt: null });
        expect((await store.getRefreshToken(hash('c')))?.revokedAt).toBe(T0 - 1);
        expect((await store.getRefreshToken(hash('d')))?.revokedAt).toBeNull();
      });

      it('revokes several open sessions at once with their live tokens, and leaves revoked and unknown ones alone', async () => {
        await store.insertRefreshToken(makeRefresh(s1, 'a', { usedAt: T0, successorHash: hash('b') }));
        await store.insertRefreshToken(makeRefresh(s1, 'b'));
        const s2 = await seed('u1', 's2');
        const s3 = await seed('u2', 's3');
        await store.insertRefreshToken(makeRefresh(s3, 'c'));
        const gone = await seed('u2', 's4', { revokedAt: T0 - 5, revokedBy: 'admin', revokeReason: 'earlier' });
        await store.insertRefreshToken(makeRefresh(gone, 'd'));
        const revocation = { at: T0 + 9, by: 'admin:olga', reason: 'incident' };
        const bySession = (rows: { sessionId: string }[]) => [...rows].sort((x, y) => (x.sessionId < y.sessionId ? -1 : 1));
        expect(bySession(await store.revokeSessions(['s1', s2.id, s3.id, gone.id, 'none', 's1'], revocation)))
          .toEqual([{ sessionId: 's1', refreshTokens: 1 }, { sessionId: 's2', refreshTokens: 0 }, { sessionId: 's3', refreshTokens: 1 }]);
        for (const id of ['s1', 's2', 's3']) expect(await store.getSession(id)).toMatchObject({ revokedAt: T0 + 9, revokedBy: 'admin:olga', revokeReason: 'incident' });
        expect(await store.getSession(gone.id)).toMatchObject({ revokedAt: T0 - 5, revokedBy: 'admin', revokeReason: 'earlier' });
        expect(await store.getRefreshToken(hash('a'))).toMatchObject({ usedAt: T0, revokedAt: null });
        expect((await store.getRefreshToken(hash('b')))?.revokedAt).toBe(T0 + 9);
        expect((await store.getRefreshToken(hash('c')))?.revokedAt).toBe(T0 + 9);
        expect((await store.getRefreshToken(hash('d')))?.revokedAt).toBeNull();
        expect(await store.revokeSessions(['s1', 's3'], { ...revocation, at: T0 + 10 })).toEqual([]);
        expect(await store.revokeSessions([], revocation)).toEqual([]);
      });

      it("revokes only a user's unused, unrevoked tokens", async () => {
        const s2 = await seed('u1', 's2');
        const other = await seed('u2', 's3');
        await store.insertRefreshToken(makeRefresh(s1, 'used', { usedAt: T0 }));
        await store.insertRefreshToken(makeRefresh(s1, 'current'));
        await store.insertRefreshToken(makeRefresh(s2, 'current2'));
        await store.insertRefreshToken(makeRefresh(s2, 'revoked', { revokedAt: T0 }));
        await store.insertRefreshToken(makeRefresh(other, 'theirs'));
        expect(await store.revokeRefreshTokensOfUser('u1', T0 + 5)).toBe(2);
        expect(await store.revokeRefreshTokensOfUser('u1', T0 + 6)).toBe(0);
        expect((await store.getRefreshToken(hash('used')))?.revokedAt).toBeNull();
        expect((await store.getRefreshToken(hash('current2')))?.revokedAt).toBe(T0 + 5);
        expect((await store.getRefreshToken(hash('theirs')))?.revokedAt).toBeNull();
        // The compare-and-set is about use only; judging revokedAt is the engine's job.
        expect(await store.markRefreshTokenUsed(hash('current'), T0 + 7, hash('next'))).toBe(true);
      });

      it("lists a session's chain oldest first, insertion order breaking ties", async () => {
        await store.insertRefreshToken(makeRefresh(s1, 'third', { createdAt: T0 + 5 }));
        await store.insertRefreshToken(makeRefresh(s1, 'first', { createdAt: T0 }));
        await store.insertRefreshToken(makeRefresh(s1, 'second', { createdAt: T0 }));
        expect((await store.listRefreshTokensOfSession('s1')).map((r) => r.hash)).toEqual([hash('first'), hash('second'), hash('third')]);
        expect(await store.listRefreshTokensOfSession('none')).toEqual([]);
      });
    });

    describe('access tokens', () => {
      let s1: SessionRow;
      let s2: SessionRow;
      let s3: SessionRow;
      const now = T0 + 10 * MIN;
      beforeEach(async () => {
        s1 = await seed('u1', 's1');
        s2 = await seed('u1', 's2');
        s3 = await seed('u2', 's3');
        await store.insertAccessToken(makeAccess(s1, 'a-old', { issuedAt: T0, expiresAt: now }));
        await store.insertAccessToken(makeAccess(s1, 'a-live', { issuedAt: T0 + 1, expiresAt: now + 1, kid: 'k2' }));
        await store.insertAccessToken(makeAccess(s2, 'b-live', { issuedAt: T0 + 2, expiresAt: now + 2 }));
        await store.insertAccessToken(makeAccess(s3, 'c-live', { issuedAt: T0 + 3, expiresAt: now + 3 }));
      });
      const jtis = (rows: AccessTokenRow[]): string[] => rows.map((r) => r.jti);

      it('round-trips a row by jti and refuses a duplicate', async () => {
        expect(await store.getAccessToken('a-live')).toEqual(makeAccess(s1, 'a-live', { issuedAt: T0 + 1, expiresAt: now + 1, kid: 'k2' }));
        expect(await store.getAccessToken('none')).toBeUndefined();
        expect(await codeOf(() => store.insertAccessToken(makeAccess(s1, 'a-old')))).toBe('conflict');
      });

      it("lists a session's tokens newest first, up to the limit", async () => {
        expect(jtis(await store.listAccessTokensOfSession('s1', 10))).toEqual(['a-live', 'a-old']);
        expect(jtis(await store.listAccessTokensOfSession('s1', 1))).toEqual(['a-live']);
      });

      it('finds live tokens (exp > now) of sessions and of a user', async () => {
        expect(jtis(await store.listLiveAccessTokensOfSessions(['s1', 's2', 'none'], now))).toEqual(['a-live', 'b-live']);
        expect(jtis(await store.listLiveAccessTokensOfSessions(['s1'], now - 1))).toEqual(['a-old', 'a-live']);
        expect(await store.listLiveAccessTokensOfSessions([], now)).toEqual([]);
        expect(jtis(await store.listLiveAccessTokensOfUser('u1', now))).toEqual(['a-live', 'b-live']);
        expect(jtis(await store.listLiveAccessTokensOfUser('u2', now + 3))).toEqual([]);
      });

      it("tallies a user's live tokens per session: how many, and the latest expiry", async () => {
        const bySession = async (userId: string, at: number) => (await store.tallyLiveAccessTokensOfUser(userId, at)).sort((x, y) => (x.sessionId < y.sessionId ? -1 : 1));
        expect(await bySession('u1', now)).toEqual([{ sessionId: 's1', count: 1, latestExpiresAt: now + 1 }, { sessionId: 's2', count: 1, latestExpiresAt: now + 2 }]);
        expect(await bySession('u1', now - 1)).toEqual([{ sessionId: 's1', count: 2, latestExpiresAt: now + 1 }, { sessionId: 's2', count: 1, latestExpiresAt: now + 2 }]);
        expect(await bySession('u1', now + 1)).toEqual([{ sessionId: 's2', count: 1, latestExpiresAt: now + 2 }]);
        expect(await bySession('u2', now + 3)).toEqual([]);
        expect(await bySession('nobody', now)).toEqual([]);
      });

      it('counts live tokens by signing key', async () => {
        expect(await store.countLiveAccessTokensByKid('k1', now)).toBe(2);
        expect(await store.countLiveAccessTokensByKid('k1', now - 1)).toBe(3);
        expect(await store.countLiveAccessTokensByKid('k2', now + 1)).toBe(0);
      });

      it('purges records whose exp is strictly before the cut-off', async () => {
        expect(await store.purgeAccessTokens(now + 1)).toBe(1);
        expect(await store.getAccessToken('a-old')).toBeUndefined();
        expect(await store.getAccessToken('a-live')).toBeDefined();
        expect(await store.purgeAccessTokens(now + 1)).toBe(0);
      });
    });

    describe('revocations', () => {
      it('assigns monotonic ids and answers jti lookups for jti rows only', async () => {
        expect(await store.lastRevocationId()).toBe(0);
        const a = await store.insertRevocation(makeRevocation({ subject: 'at_1' }));
        const b = await store.insertRevocation(makeRevocation({ kind: 'session', subject: 'at_2', expiresAt: null }));
        expect(b).toBeGreaterThan(a);
        expect(await store.lastRevocationId()).toBe(b);
        expect(await store.isJtiRevoked('at_1')).toBe(true);
        expect(await store.isJtiRevoked('at_2')).toBe(false);
        expect(await store.isJtiRevoked('at_3')).toBe(false);
      });

      it('lists rows after an id, ascending, in pages', async () => {
        const rows = [
          makeRevocation({ kind: 'user', subject: 'u1', notBefore: T0 + 1, expiresAt: null, reason: 'forced out' }),
          makeRevocation({ kind: 'key', subject: 'k1', userId: null, expiresAt: null }),
          makeRevocation({ subject: 'at_9' }),
        ];
        const ids: number[] = [];
        for (const row of rows) ids.push(await store.insertRevocation(row));
        expect(await store.listRevocationsAfter(0, 2)).toEqual([{ id: ids[0], ...rows[0] }, { id: ids[1], ...rows[1] }]);
        expect(await store.listRevocationsAfter(ids[1] ?? 0, 10)).toEqual([{ id: ids[2], ...rows[2] }]);
        expect(await store.listRevocationsAfter(ids[2] ?? 0, 10)).toEqual([]);
      });

      it('purges only expired jti rows and never reuses an id, even the purged newest one', async () => {
        const kept = await store.insertRevocation(makeRevocation({ kind: 'session', subject: 's1', expiresAt: null }));
        await store.insertRevocation(makeRevocation({ subject: 'at_live', expiresAt: T0 + 10 }));
        const newest = await store.insertRevocation(makeRevocation({ subject: 'at_dead', expiresAt: T0 }));
        expect(await store.purgeRevocations(T0 + 10)).toBe(1);
        expect(await store.isJtiRevoked('at_dead')).toBe(false);
        expect(await store.isJtiRevoked('at_live')).toBe(true);
        expect(await store.lastRevocationId()).toBe(newest);
        const next = await store.insertRevocation(makeRevocation({ subject: 'at_next' }));
        expect(next).toBeGreaterThan(newest);
        expect((await store.listRevocationsAfter(0, 10)).map((r) => r.id)).toEqual([kept, newest - 1, next]);
      });
    });

    describe('signing keys', () => {
      it('inserts, updates and lists public keys in creation order', async () => {
        await store.insertKey(KEY);
        const second: KeyRow = { ...KEY, kid: 'k2', alg: 'ES256', status: 'next', createdAt: T0 + 1 };
        await store.insertKey(second);
        await store.updateKey('k1', { status: 'retiring', retiringSince: T0 + 2, retiresAt: T0 + 3 });
        expect(await store.getKey('k1')).toEqual({ ...KEY, status: 'retiring', retiringSince: T0 + 2, retiresAt: T0 + 3 });
        await store.updateKey('k2', { status: 'active' });
        await store.insertKey({ ...KEY, kid: 'k3', alg: 'RS256', status: 'next', createdAt: T0 + 2 });
        await store.updateKey('k1', { status: 'revoked', revokedAt: T0 + 4 });
        expect((await store.listKeys()).map((k) => [k.kid, k.alg, k.status])).toEqual([['k1', 'EdDSA', 'revoked'], ['k2', 'ES256', 'active'], ['k3', 'RS256', 'next']]);
        expect(await store.getKey('none')).toBeUndefined();
        expect(await codeOf(() => store.updateKey('none', { status: 'retired' }))).toBe('not_found');
        expect(await codeOf(() => store.insertKey(KEY))).toBe('conflict');
      });

      it('keeps at most one key active and one next, and refuses algorithms and statuses it does not know', async () => {
        await store.insertKey(KEY);
        await store.insertKey({ ...KEY, kid: 'k2', status: 'next' });
        expect(await codeOf(() => store.insertKey({ ...KEY, kid: 'k3' }))).toBe('conflict');
        expect(await codeOf(() => store.insertKey({ ...KEY, kid: 'k3', status: 'next' }))).toBe('conflict');
        expect(await codeOf(() => store.updateKey('k2', { status: 'active' }))).toBe('conflict');
        expect(await codeOf(() => store.insertKey({ ...KEY, kid: 'k4', status: 'retired', alg: 'HS256' as never }))).toBe('invalid_input');
        expect(await codeOf(() => store.insertKey({ ...KEY, kid: 'k4', status: 'pending' as never }))).toBe('invalid_input');
        await store.insertKey({ ...KEY, kid: 'k5', status: 'retiring' });
        await store.insertKey({ ...KEY, kid: 'k6', status: 'retiring' });
        expect((await store.listKeys()).map((k) => k.status)).toEqual(['active', 'next', 'retiring', 'retiring']);
      });
    });

    describe('audit', () => {
      beforeEach(async () => {
        const types = ['user.login', 'session.refreshed', 'session.revoked', 'user.login', 'session.refreshed'];
        for (const [i, type] of types.entries()) {
          await store.appendAudit(makeAudit({
            type, actor: i === 2 ? 'admin' : 'system', userId: i < 4 ? 'u1' : 'u2', sessionId: i % 2 === 0 ? 's1' : 's2',
            reason: i === 2 ? 'lost phone' : null, at: T0 + i * MIN,
          }, i + 1));
        }
      });
      const seqs = (entries: { seq: number }[]): number[] => entries.map((e) => e.seq);

      it('assigns increasing seqs and keeps data and hashes exactly as given', async () => {
        const entry = makeAudit({ data: { nested: { list: [1, 'two', null], flag: true }, text: 'é ✓' } }, 99);
        const seq = await store.appendAudit(entry);
        expect(seq).toBe(6);
        const { prevHash, hash: h99, ...rest } = entry;
        expect(await store.lastAudit()).toEqual({ seq, ...rest, prevHash, hash: h99 });
      });

      it('appends several entries in the order given, in one call, and returns their seqs in that order', async () => {
        const entries = [
          makeAudit({ type: 'session.revoked', userId: 'u9', sessionId: 's9', reason: 'one', data: { a: [1, null] } }, 6),
          makeAudit({ type: 'session.revoked', userId: null, sessionId: null, reason: null, data: {} }, 7),
          makeAudit({ type: 'user.forced_out', actor: 'admin', data: { text: 'é ✓' } }, 8),
        ];
        expect(await store.appendAudits([])).toEqual([]);
        expect(await store.appendAudits(entries)).toEqual([6, 7, 8]);
        expect(await store.appendAudits([makeAudit({}, 9)])).toEqual([9]);
        const written = (await store.listAudit({ limit: 4 })).reverse().slice(0, 3);
        expect(written).toEqual(entries.map((entry, i) => ({ seq: 6 + i, ...entry })));
      });

      it('lists newest first with each filter, the cursor and the limit', async () => {
        expect(seqs(await store.listAudit({ limit: 10 }))).toEqual([5, 4, 3, 2, 1]);
        expect(seqs(await store.listAudit({ limit: 2 }))).toEqual([5, 4]);
        expect(seqs(await store.listAudit({ beforeSeq: 4, limit: 2 }))).toEqual([3, 2]);
        expect(seqs(await store.listAudit({ type: 'session.refreshed', limit: 10 }))).toEqual([5, 2]);
        expect(seqs(await store.listAudit({ actor: 'admin', limit: 10 }))).toEqual([3]);
        expect(seqs(await store.listAudit({ userId: 'u2', limit: 10 }))).toEqual([5]);
        expect(seqs(await store.listAudit({ sessionId: 's1', limit: 10 }))).toEqual([5, 3, 1]);
        expect(seqs(await store.listAudit({ since: T0 + MIN, until: T0 + 3 * MIN, limit: 10 }))).toEqual([4, 3, 2]);
        expect(seqs(await store.listAudit({ type: 'user.login', userId: 'u1', sessionId: 's2', since: T0, beforeSeq: 5, limit: 10 }))).toEqual([4]);
        expect(await store.listAudit({ limit: 10, actor: 'nobody' })).toEqual([]);
        expect((await store.listAudit({ limit: 1 }))[0]).toEqual(await store.lastAudit());
      });

      it('iterates every entry in seq order across batches, and tolerates writes between batches', async () => {
        expect(seqs(await collect(store.iterateAudit(2)))).toEqual([1, 2, 3, 4, 5]);
        expect(seqs(await collect(store.iterateAudit(5)))).toEqual([1, 2, 3, 4, 5]);
        const seen: number[] = [];
        for await (const entry of store.iterateAudit(2)) {
          seen.push(entry.seq);
          if (entry.seq === 1) await store.appendAudit(makeAudit({}, 6));
        }
        expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
        await expect(collect(store.iterateAudit(0))).rejects.toThrow(TypeError);
      });

      it('has no last entry and iterates nothing when empty', async () => {
        const fresh = await open();
        try {
          expect(await fresh.store.lastAudit()).toBeUndefined();
          expect(await collect(fresh.store.iterateAudit(10))).toEqual([]);
        } finally {
          await fresh.cleanup();
        }
      });
    });

    describe('settings and counters', () => {
      it('gets, puts and overwrites settings', async () => {
        expect(await store.getSetting('engine')).toBeUndefined();
        await store.putSetting('engine', '{"a":1}');
        await store.putSetting('engine', '{"a":2}');
        expect(await store.getSetting('engine')).toBe('{"a":2}');
      });

      it('starts counters at zero and adds to them', async () => {
        expect(await store.getCounters()).toEqual({ tokens_issued: 0, refreshes: 0, revocations: 0, reuse_alerts: 0 });
        await store.incrementCounter('tokens_issued', 3, T0);
        await store.incrementCounter('tokens_issued', 1, T0);
        await store.incrementCounter('reuse_alerts', 1, T0);
        expect(await store.getCounters()).toEqual({ tokens_issued: 4, refreshes: 0, revocations: 0, reuse_alerts: 1 });
      });

      it('bumps the per-minute bucket of issued/refreshed/revoked, but not for reuse alerts', async () => {
        const m0 = T0; // a whole minute
        await store.incrementCounter('tokens_issued', 2, m0 + 59_999);
        await store.incrementCounter('refreshes', 1, m0 + 1);
        await store.incrementCounter('revocations', 1, m0 + MIN);
        await store.incrementCounter('reuse_alerts', 5, m0 + 2 * MIN);
        await store.incrementCounter('tokens_issued', 1, m0 - 1);
        expect(await store.listMinuteBuckets(m0)).toEqual([
          { minute: m0, issued: 2, refreshed: 1, revoked: 0 },
          { minute: m0 + MIN, issued: 0, refreshed: 0, revoked: 1 },
        ]);
        expect((await store.listMinuteBuckets(m0 - MIN))[0]).toEqual({ minute: m0 - MIN, issued: 1, refreshed: 0, revoked: 0 });
        expect(await store.listMinuteBuckets(m0 + 2 * MIN)).toEqual([]);
      });
    });

    describe('transactions', () => {
      it('returns the value of the work', async () => {
        expect(await store.transaction(async () => 42)).toBe(42);
      });

      it('rolls back every write when the work throws', async () => {
        const boom = new Error('boom');
        await expect(() => store.transaction(async () => {
          await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
          await store.incrementCounter('tokens_issued', 1, T0);
          await store.insertRevocation(makeRevocation());
          throw boom;
        })).rejects.toThrow(boom);
        expect(await store.getUser('u1')).toBeUndefined();
        expect(await store.countUsers()).toBe(0);
        expect((await store.getCounters()).tokens_issued).toBe(0);
        expect(await store.listMinuteBuckets(0)).toEqual([]);
        expect(await store.listRevocationsAfter(0, 10)).toEqual([]);
      });

      it('joins nested calls to the outer transaction', async () => {
        await expect(() => store.transaction(async () => {
          await store.transaction(() => store.insertUser(makeUser({ id: 'u1', username: 'alice' })));
          expect(await store.getUser('u1')).toBeDefined();
          throw new Error('outer fails');
        })).rejects.toThrow('outer fails');
        expect(await store.getUser('u1')).toBeUndefined();
        await store.transaction(() => store.transaction(() => store.insertUser(makeUser({ id: 'u2', username: 'bob' }))));
        expect(await store.getUser('u2')).toBeDefined();
      });

      it('undoes only a nested call that throws when the outer work catches it, then commits the rest', async () => {
        await store.transaction(async () => {
          await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
          await expect(() => store.transaction(async () => {
            await store.insertUser(makeUser({ id: 'u2', username: 'bob' }));
            await store.incrementCounter('refreshes', 1, T0);
            throw new Error('unit fails');
          })).rejects.toThrow('unit fails');
          await store.transaction(() => store.insertUser(makeUser({ id: 'u3', username: 'carol' })));
        });
        expect((await Promise.all([store.getUser('u1'), store.getUser('u2'), store.getUser('u3')])).map((u) => u?.id)).toEqual(['u1', undefined, 'u3']);
        expect(await store.countUsers()).toBe(2);
        expect((await store.getCounters()).refreshes).toBe(0);
      });

      it('rolls back when a store call inside fails, and passes coded errors through', async () => {
        await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
        expect(await codeOf(() => store.transaction(async () => {
          await store.insertUser(makeUser({ id: 'u2', username: 'bob' }));
          await store.insertUser(makeUser({ id: 'u3', username: 'ALICE' }));
        }))).toBe('conflict');
        expect(await store.getUser('u2')).toBeUndefined();
      });

      it('keeps a transaction open across its awaits, and rolls all of it back when it throws late', async () => {
        await expect(store.transaction(async () => {
          await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
          await new Promise((resolve) => setImmediate(resolve));
          await store.insertUser(makeUser({ id: 'u2', username: 'bob' }));
          throw new Error('late');
        })).rejects.toThrow('late');
        expect(await store.countUsers()).toBe(0);
      });

      it('isolation: a read from outside the open transaction never sees its uncommitted row', async () => {
        let inserted!: () => void;
        const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
        let finish!: () => void;
        const finishSignal = new Promise<void>((resolve) => (finish = resolve));
        const open = store.transaction(async () => {
          await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
          inserted();
          await finishSignal;
          throw new Error('rolled back');
        });
        await insertedSignal;
        // Asked while the transaction is open (and about to roll back): answered only once it has ended.
        const outside = store.getUser('u1');
        finish();
        await expect(open).rejects.toThrow('rolled back');
        expect(await outside).toBeUndefined();
        expect(await store.getUser('u1')).toBeUndefined();
      });

      // SQLite only (one connection): on PostgreSQL the second transaction runs at once on another connection.
      oneConnectionIt('isolation: a transaction started outside waits for the open one, then sees what it committed', async () => {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const order: string[] = [];
        const first = store.transaction(async () => {
          await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
          await held;
          order.push('first commits');
        });
        const second = store.transaction(async () => {
          order.push('second starts');
          return store.getUser('u1');
        });
        release();
        await first;
        expect((await second)?.id).toBe('u1');
        expect(order).toEqual(['first commits', 'second starts']);
      });

      it('a nested transaction is a savepoint: its throw undoes only its own writes', async () => {
        await store.transaction(async () => {
          await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
          await expect(store.transaction(async () => {
            await store.insertUser(makeUser({ id: 'u2', username: 'bob' }));
            await store.transaction(async () => store.insertUser(makeUser({ id: 'u3', username: 'carol' })));
            throw new Error('inner fails');
          })).rejects.toThrow('inner fails');
          // The savepoint's rows are gone inside the transaction already; the outer row stays.
          expect(await store.getUser('u2')).toBeUndefined();
          await store.insertUser(makeUser({ id: 'u4', username: 'dave' }));
        });
        expect((await Promise.all(['u1', 'u2', 'u3', 'u4'].map((id) => store.getUser(id)))).map((u) => u?.id)).toEqual(['u1', undefined, undefined, 'u4']);
      });

      it('sibling nested transactions run one after the other, never inside each other', async () => {
        await store.transaction(async () => {
          await Promise.all([
            expect(store.transaction(async () => {
              await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
              await new Promise((resolve) => setImmediate(resolve));
              throw new Error('first sibling fails');
            })).rejects.toThrow('first sibling fails'),
            store.transaction(async () => store.insertUser(makeUser({ id: 'u2', username: 'bob' }))),
          ]);
        });
        // Had the second run inside the first's savepoint, the first's rollback would have taken u2 too.
        expect((await store.getUser('u1'))?.id).toBeUndefined();
        expect((await store.getUser('u2'))?.id).toBe('u2');
      });

      it('answers ping(), also while a transaction is open (after it)', async () => {
        await store.ping();
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const open = store.transaction(async () => held);
        const ping = store.ping();
        release();
        await open;
        await ping;
      });
    });

    describe('persistence (persistent stores only; an in-memory database vanishes on close)', () => {
      persistentIt('loses nothing across close and reopen', async () => {
        const s1 = await seed('u1', 's1', { rememberMe: true });
        await store.insertRefreshToken(makeRefresh(s1, 'a'));
        await store.insertRefreshToken(makeRefresh(s1, 'b'));
        await store.markRefreshTokenUsed(hash('a'), T0 + 1, hash('b'));
        await store.revokeRefreshTokensOfSession('s1', T0 + 2);
        await store.insertAccessToken(makeAccess(s1, 'at_1'));
        const revId = await store.insertRevocation(makeRevocation({ subject: 'at_1' }));
        await store.insertRevocation(makeRevocation({ subject: 'at_old', expiresAt: T0 - 1 }));
        const lastId = await store.lastRevocationId();
        await store.purgeRevocations(T0);
        await store.insertKey(KEY);
        await store.appendAudit(makeAudit({ data: { k: 'v' } }, 1));
        await store.putSetting('x', 'y');
        await store.incrementCounter('refreshes', 2, T0);
        const snapshot = {
          instance: store.instanceId(), user: await store.getUser('u1'), session: await store.getSession('s1'),
          chain: await store.listRefreshTokensOfSession('s1'), access: await store.getAccessToken('at_1'),
          revocations: await store.listRevocationsAfter(0, 10), key: await store.getKey('k1'), audit: await store.lastAudit(),
          counters: await store.getCounters(), buckets: await store.listMinuteBuckets(0), clients: await store.listClients(),
        };
        await store.close();
        const again = await h.reopen();
        expect({
          instance: again.instanceId(), user: await again.getUser('u1'), session: await again.getSession('s1'),
          chain: await again.listRefreshTokensOfSession('s1'), access: await again.getAccessToken('at_1'),
          revocations: await again.listRevocationsAfter(0, 10), key: await again.getKey('k1'), audit: await again.lastAudit(),
          counters: await again.getCounters(), buckets: await again.listMinuteBuckets(0), clients: await again.listClients(),
        }).toEqual(snapshot);
        expect(snapshot.chain.map((r) => [r.usedAt, r.revokedAt])).toEqual([[T0 + 1, null], [null, T0 + 2]]);
        expect(await again.isJtiRevoked('at_1')).toBe(true);
        expect(await again.markRefreshTokenUsed(hash('a'), T0 + 3, hash('c'))).toBe(false);
        expect(await again.lastRevocationId()).toBe(lastId);
        expect(await again.insertRevocation(makeRevocation({ subject: 'at_2' }))).toBeGreaterThan(lastId);
        expect(revId).toBeLessThan(lastId);
        expect(await again.countUsers()).toBe(1);
      });

      // SQLite files only: the PostgreSQL harness hands out databases migrated by an earlier test (emptied), so
      // its first open migrates nothing; PostgreSQL's first migration is pg-open.test.ts's.
      fileIt('migrates on first open', async () => {
        expect(h.migrationsApplied(store).length).toBeGreaterThan(0);
      });

      persistentIt('runs no migration on reopen', async () => {
        await store.close();
        const again = await h.reopen();
        expect(h.migrationsApplied(again)).toEqual([]);
      });

      // SQLite files only: PostgreSQL's refusal of a newer schema is pg-open.test.ts's.
      fileIt('refuses a database written by a newer schema, and leaves it as it was', async () => {
        const file = h.file;
        if (!file) throw new Error('file harness expected');
        await store.insertUser(makeUser({ id: 'u1', username: 'alice' }));
        await store.close();
        file.setSchemaVersion(file.path, 999);
        const before = readFileSync(file.path);
        const error = (() => {
          try {
            file.openAt(file.path);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(WardenError);
        expect((error as WardenError).code).toBe('storage_error');
        expect((error as WardenError).message).toMatch(/newer version/);
        expect(readFileSync(file.path).equals(before)).toBe(true);
      });

      fileIt('refuses a file that is not a SQLite database and leaves it byte-identical', async () => {
        const file = h.file;
        if (!file) throw new Error('file harness expected');
        const dir = dirname(file.path);
        const samples: [string, Buffer][] = [
          ['notes.txt', Buffer.from('These are my notes, not a database.\n')],
          ['one-byte', Buffer.from('x')],
          ['binary', Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 256))],
          ['fake-header', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(40, 1)])],
        ];
        for (const [name, bytes] of samples) {
          const path = join(dir, name);
          writeFileSync(path, bytes);
          expect(await codeOf(() => file.openAt(path)), name).toBe('storage_error');
          expect(readFileSync(path).equals(bytes), name).toBe(true);
        }
        const leftovers = samples.flatMap(([name]) => ['-wal', '-shm', '-journal'].map((suffix) => `${name}${suffix}`));
        expect(readdirSync(dir).filter((entry) => leftovers.includes(entry))).toEqual([]);
      });
    });
  });
}
