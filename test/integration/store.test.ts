/**
 * Runs the shared Store suite against SQLite in a real file (fresh temp dir per test), in ':memory:' and on
 * PostgreSQL (test/helpers/postgres.ts),
 * then checks what only SQLite has: query plans use indexes, foreign databases are refused.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WardenError } from '../../src/shared/errors';
import { SCHEMA_VERSION, SqliteStore, openSqliteStore, openStore } from '../../src/main/store/index';
import type { SessionStatus } from '../../src/shared/dto';
import type { Store } from '../../src/main/store/store';

/** The migrations an upgrade from schema `from - 1` applies: `from` up to this build's version. */
const versionsFrom = (from: number) => Array.from({ length: SCHEMA_VERSION - from + 1 }, (_, i) => from + i);
import { storeSuite, type StoreHarness } from './store.suite';
import { onPgStore } from '../helpers/postgres';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import { startCheckpointer, type Checkpointer } from '../../src/main/store/checkpointer';
import { MIGRATIONS, migrate } from '../../src/main/store/migrations';
import { DEFAULT_SETTINGS, loadSettings } from '../../src/main/engine/settings';

function fileHarness(): StoreHarness {
  const dir = mkdtempSync(join(tmpdir(), 'warden-store-'));
  const path = join(dir, 'warden.db');
  const opened: Store[] = [];
  const openAt = (at: string): Store => {
    const store = openStore(at);
    opened.push(store);
    return store;
  };
  return {
    store: openAt(path),
    reopen: () => openAt(path),
    migrationsApplied: (store) => (store as SqliteStore).migrationsApplied,
    cleanup: async () => {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    file: {
      path,
      openAt,
      setSchemaVersion: (at, version) => {
        const db = new Database(at);
        db.pragma(`user_version = ${version}`);
        db.close();
      },
    },
  };
}

function memoryHarness(): StoreHarness {
  const opened: Store[] = [];
  const fresh = (): Store => {
    const store = openStore(':memory:');
    opened.push(store);
    return store;
  };
  return {
    store: fresh(),
    // ':memory:' data dies with its connection; "reopen" can only mean a new, empty store.
    reopen: fresh,
    migrationsApplied: (store) => (store as SqliteStore).migrationsApplied,
    cleanup: async () => {
      for (const store of opened) await store.close();
    },
  };
}

storeSuite('SQLite file', fileHarness, { persistent: true, sqliteFile: true, oneConnection: true });
storeSuite(':memory:', memoryHarness, { persistent: false, sqliteFile: false, oneConnection: true });
onPgStore((name, open) => storeSuite(name, async () => {
  const h = await open();
  return { ...h, migrationsApplied: (store) => (store as PgStore).migrationsApplied };
}, { persistent: true, sqliteFile: false, oneConnection: false }));

const BIG_TABLES = ['users', 'sessions', 'refresh_tokens', 'access_tokens', 'revocations', 'audit'];

/** Dummy values for a statement's parameters, shaped so the planner sees what it sees in production. */
function dummyParams(sql: string): Record<string, unknown> | unknown[] {
  const named = [...sql.matchAll(/@(\w+)/g)].map((m) => m[1] ?? '');
  if (named.length > 0) return Object.fromEntries(named.map((name) => [name, name === 'pattern' ? 'ab%' : 1]));
  return Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1);
}

/** Every entry an async iterator yields (Array.fromAsync is Node 22+). */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('SQLite specifics', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warden-sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const T0 = Date.UTC(2026, 0, 1);

  /** Fills a store with a little of everything. */
  async function populate(store: SqliteStore): Promise<void> {
    await store.transaction(async () => {
      await store.insertClient({
        clientId: 'app', kind: 'public', name: 'App', secretHash: null, createdAt: T0, redirectUris: [], postLogoutRedirectUris: [],
        backchannelLogoutUri: null, grantTypes: ['password', 'refresh_token'], idTokenSignedResponseAlg: 'RS256', updatedAt: null,
      });
      for (let u = 0; u < 300; u++) {
        await store.insertUser({
          id: `u${u}`, username: `user${u}`, passwordHash: 'x', status: u % 10 === 0 ? 'blocked' : 'active', createdAt: T0 + u,
          refreshVersion: 1, notBefore: null, blockedAt: null, blockedReason: null, failedLogins: 0, lockedUntil: null, lastLoginAt: null,
        });
        for (let s = 0; s < 4; s++) {
          const id = `s${u}-${s}`;
          const at = T0 + u * 1000 + s;
          await store.insertSession({
            id, userId: `u${u}`, clientId: 'app', deviceName: 'd', userAgent: 'ua', ip: '::1', rememberMe: false, scope: 's', createdAt: at,
            lastActivityAt: at, idleExpiresAt: at + 150_000, absoluteExpiresAt: at + 600_000, revokedAt: s === 3 ? at : null,
            revokedBy: null, revokeReason: null, refreshCount: 0, browserSessionId: null, refreshEndedAt: null,
          });
          const hash = (n: number): string => `${u}-${s}-${n}`.padStart(64, '0').replace(/[^0-9a-f]/g, 'a');
          await store.insertRefreshToken({ hash: hash(0), sessionId: id, userId: `u${u}`, clientId: 'app', refreshVersion: 1, createdAt: at, usedAt: null, successorHash: null, revokedAt: null, usedIp: null, usedUserAgent: null });
          await store.insertAccessToken({ jti: `at-${id}`, sessionId: id, userId: `u${u}`, clientId: 'app', kid: 'k1', issuedAt: at, expiresAt: at + 300_000 });
          await store.appendAudit({ at, type: 'user.login', actor: 'system', userId: `u${u}`, sessionId: id, reason: null, data: {}, prevHash: 'p', hash: 'h' });
        }
        await store.insertRevocation({ kind: 'jti', subject: `at-s${u}-0`, userId: `u${u}`, notBefore: null, expiresAt: T0 + u, createdAt: T0, actor: 'admin', reason: null });
      }
    });
  }

  /** Calls every query method with every filter shape, so each statement is prepared. */
  async function exercise(store: SqliteStore): Promise<void> {
    const now = T0 + 150_000;
    for (const search of [undefined, 'user1']) {
      for (const status of [undefined, 'active', 'blocked'] as const) await store.listUsers({ search, status, offset: 0, limit: 10 });
    }
    for (const userId of [undefined, 'u5']) {
      for (const status of [undefined, 'active', 'expired', 'revoked'] as SessionStatus[]) await store.listSessions({ userId, status, now, offset: 0, limit: 10 });
    }
    await store.getUserByUsername('USER1');
    await store.countUsers();
    await store.countActiveSessions(now);
    await store.countActiveSessionsOfUser('u5', now);
    await store.listActiveSessionsOfUser('u5', now);
    await store.updateSession('s5-0', { lastActivityAt: now, idleExpiresAt: now + 1 });
    await store.updateUser('u5', { failedLogins: 1 });
    await store.listRefreshTokensOfSession('s5-0');
    await store.getRefreshGrant('0'.repeat(64));
    await store.markRefreshTokenUsed('0'.repeat(64), now, 'f'.repeat(64));
    await store.revokeRefreshTokensOfSession('s5-1', now);
    await store.revokeRefreshTokensOfUser('u6', now);
    await store.listAccessTokensOfSession('s5-0', 10);
    await store.listLiveAccessTokensOfSessions(['s5-0', 's5-1'], now);
    await store.listLiveAccessTokensOfUser('u5', now);
    await store.countLiveAccessTokensByKid('k1', now);
    await store.isJtiRevoked('at-s5-0');
    await store.listRevocationsAfter(10, 10);
    await store.lastRevocationId();
    for (const filter of [{}, { type: 'user.login' }, { actor: 'system' }, { userId: 'u5' }, { sessionId: 's5-0' }, { since: T0 }, { until: now }, { since: T0, until: now }, { beforeSeq: 100 }, { type: 'user.login', beforeSeq: 100 }]) {
      await store.listAudit({ ...filter, limit: 10 });
    }
    expect((await collect(store.iterateAudit(500))).length).toBeGreaterThan(0);
    await store.lastAudit();
    await store.purgeRevocations(T0 + 10);
    await store.purgeAccessTokens(T0 + 10);
  }

  function assertIndexedPlans(store: SqliteStore): void {
    const offenders: string[] = [];
    for (const sql of store.preparedSql()) {
      if (/^\s*INSERT/i.test(sql)) continue;
      const flat = sql.replace(/\s+/g, ' ');
      // Newest-first audit pages filtered only by time or cursor walk the seq (rowid) b-tree backwards and
      // stop after `limit` matches; an index on `at` cannot give seq order.
      const rowidWalk = /FROM audit (WHERE (?:(?:at [<>]=|seq <) @\w+(?: AND )?)+ )?ORDER BY seq DESC LIMIT/.test(flat);
      for (const line of store.queryPlan(sql, dummyParams(sql))) {
        const scanned = /^SCAN (\w+)/.exec(line);
        if (scanned && BIG_TABLES.includes(scanned[1] ?? '') && !line.includes('INDEX') && !rowidWalk) {
          offenders.push(`${line} <- ${flat.slice(0, 160)}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  }

  /**
   * Statistics shaped like a large install (100k users, 1M sessions, 5M refresh tokens), taken from a
   * generated database of that size, so the planner decides as it would there.
   */
  const SCALE_STATS: [string, string, string][] = [
    ['users', 'sqlite_autoindex_users_1', '100000 1'], ['users', 'users_username', '100000 1'],
    ['users', 'users_created', '100000 1'], ['users', 'users_status_created', '100000 50000 1'],
    ['sessions', 'sqlite_autoindex_sessions_1', '1000000 1'], ['sessions', 'sessions_user_activity', '1000000 10 1'],
    ['sessions', 'sessions_activity', '1000000 1'], ['sessions', 'sessions_live', '800000 1 1'],
    ['sessions', 'sessions_live_activity', '800000 1 1 1'], ['sessions', 'sessions_user_live', '800000 8 1 1'],
    ['sessions', 'sessions_revoked_activity', '200000 1 1'],
    ['refresh_tokens', 'sqlite_autoindex_refresh_tokens_1', '5000000 1'], ['refresh_tokens', 'refresh_tokens_session', '5000000 5 1'],
    ['refresh_tokens', 'refresh_tokens_user_current', '800000 8'],
    ['access_tokens', 'sqlite_autoindex_access_tokens_1', '2000000 1'], ['access_tokens', 'access_tokens_session', '2000000 2 2'],
    ['access_tokens', 'access_tokens_user', '2000000 20 2'], ['access_tokens', 'access_tokens_kid', '2000000 700000 1'],
    ['access_tokens', 'access_tokens_expiry', '2000000 2'],
    ['revocations', 'revocations_subject', '200000 100000 1'], ['revocations', 'revocations_jti_expiry', '100000 1'],
    ['audit', 'audit_type', '1000000 50000'], ['audit', 'audit_actor', '1000000 100000'], ['audit', 'audit_user', '1000000 10'],
    ['audit', 'audit_session', '1000000 1'], ['audit', 'audit_at', '1000000 1'],
  ];

  function injectScaleStats(path: string): void {
    const db = new Database(path);
    try {
      db.exec('ANALYZE');
      db.exec('DELETE FROM sqlite_stat1');
      const hasStat4 = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4'").get() !== undefined;
      if (hasStat4) db.exec('DELETE FROM sqlite_stat4');
      const insert = db.prepare('INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)');
      for (const row of SCALE_STATS) insert.run(...row);
    } finally {
      db.close();
    }
  }

  it('serves every query from an index: with no statistics, with its own, and with those of a large install', async () => {
    const path = join(dir, 'plans.db');
    const phases: [string, () => void][] = [
      ['no statistics', () => undefined],
      ['after PRAGMA optimize on close', () => undefined],
      ['large-install statistics', () => injectScaleStats(path)],
    ];
    for (const [phase, prepare] of phases) {
      prepare();
      const store = openSqliteStore(path);
      try {
        if (phase === 'no statistics') await populate(store);
        await exercise(store);
        expect(store.preparedSql().length, phase).toBeGreaterThan(40);
        assertIndexedPlans(store);
      } finally {
        await store.close(); // runs PRAGMA optimize, which may gather statistics
      }
    }
  });

  it('answers a username prefix search with a range on the NOCASE index', async () => {
    const store = openSqliteStore(':memory:');
    try {
      const plan = store.queryPlan("SELECT id FROM users WHERE username LIKE @pattern ESCAPE '\\' ORDER BY created_at DESC LIMIT 10", { pattern: 'AB\\_%' });
      expect(plan.join(' | ')).toMatch(/USING (COVERING )?INDEX users_username \(username>\? AND username<\?\)/);
    } finally {
      await store.close();
    }
  });

  it('uses WAL for files and enforces foreign keys', async () => {
    const path = join(dir, 'wal.db');
    await openSqliteStore(path).close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('upgrades a schema-1 file in place: its refresh chains survive and record their presenters from then on', async () => {
    const path = join(dir, 'v1.db');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 1));
    const [a, b] = ['a'.repeat(64), 'b'.repeat(64)];
    old.exec(`INSERT INTO users (id, username, password_hash, status, created_at, refresh_version, failed_logins)
        VALUES ('u1', 'ana', 'x', 'active', 1, 1, 0);
      INSERT INTO clients (client_id, kind, name, created_at) VALUES ('app', 'public', 'App', 1);
      INSERT INTO sessions (id, user_id, client_id, device_name, user_agent, ip, remember_me, scope, created_at,
        last_activity_at, idle_expires_at, absolute_expires_at, live_until, refresh_count)
        VALUES ('s1', 'u1', 'app', 'Phone', 'UA', '127.0.0.2', 0, 'openid', 1, 1, 9000000000000, 9000000000000, 9000000000000, 0);
      INSERT INTO refresh_tokens (hash, session_id, user_id, client_id, refresh_version, created_at, used_at, successor_hash)
        VALUES ('${a}', 's1', 'u1', 'app', 1, 1, NULL, NULL);`);
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old.close();

    const store = openSqliteStore(path);
    try {
      expect(store.migrationsApplied).toEqual(versionsFrom(2));
      // No audit entry yet: a new install, which starts with routine refreshes unaudited.
      expect(await store.getSetting('engine_settings')).toBeUndefined();
      expect(await store.getRefreshToken(a)).toMatchObject({ sessionId: 's1', usedAt: null, usedIp: null, usedUserAgent: null });
      expect(await store.markRefreshTokenUsed(a, 5, b, { ip: '203.0.113.9', userAgent: 'curl/8.5' })).toBe(true);
      expect(await store.getRefreshToken(a)).toMatchObject({ usedAt: 5, successorHash: b, usedIp: '203.0.113.9', usedUserAgent: 'curl/8.5' });
    } finally {
      await store.close();
    }
  });

  it.each([
    ['with saved settings', `'{"accessTokenTtlSeconds":300}'`, { accessTokenTtlSeconds: 300, auditRefreshes: true }],
    ['with default settings', null, { ...DEFAULT_SETTINGS, auditRefreshes: true }],
    ['with a damaged settings row', `'not json'`, { ...DEFAULT_SETTINGS, auditRefreshes: false }],
  ])('keeps auditing every refresh on an install upgraded from schema 1 (%s)', async (_what, saved, expected) => {
    const path = join(dir, `v1-settings-${randomBytes(4).toString('hex')}.db`);
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 1));
    old.exec(`INSERT INTO audit (at, type, actor, data, prev_hash, hash) VALUES (1, 'key.created', 'system', '{}', 'p', 'h')`);
    if (saved) old.exec(`INSERT INTO settings (key, value) VALUES ('engine_settings', ${saved})`);
    old.close();

    const store = openSqliteStore(path);
    try {
      expect(await loadSettings(store)).toMatchObject(expected);
    } finally {
      await store.close();
    }
  });

  it('upgrades a schema-3 file to 4: its signing keys survive, and RS256 and next keys fit', async () => {
    const path = join(dir, 'v3-keys.db');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 3));
    old.exec(`INSERT INTO signing_keys (kid, alg, public_jwk, status, created_at, retiring_since, retires_at, revoked_at) VALUES
      ('k-old', 'ES256', '{"kty":"EC"}', 'retired', 1, 2, 3, NULL),
      ('k-gone', 'EdDSA', '{"kty":"OKP"}', 'revoked', 2, NULL, NULL, 4),
      ('k-now', 'EdDSA', '{"kty":"OKP"}', 'active', 3, NULL, NULL, NULL)`);
    expect(() => old.exec(`INSERT INTO signing_keys (kid, alg, public_jwk, status, created_at) VALUES ('k-rsa', 'RS256', '{}', 'next', 4)`)).toThrow(/CHECK/);
    old.close();

    const store = openSqliteStore(path);
    try {
      expect(store.migrationsApplied).toEqual(versionsFrom(4));
      expect(await store.listKeys()).toEqual([
        { kid: 'k-old', alg: 'ES256', publicJwk: '{"kty":"EC"}', status: 'retired', createdAt: 1, retiringSince: 2, retiresAt: 3, revokedAt: null },
        { kid: 'k-gone', alg: 'EdDSA', publicJwk: '{"kty":"OKP"}', status: 'revoked', createdAt: 2, retiringSince: null, retiresAt: null, revokedAt: 4 },
        { kid: 'k-now', alg: 'EdDSA', publicJwk: '{"kty":"OKP"}', status: 'active', createdAt: 3, retiringSince: null, retiresAt: null, revokedAt: null },
      ]);
      await store.insertKey({ kid: 'k-rsa', alg: 'RS256', publicJwk: '{"kty":"RSA"}', status: 'next', createdAt: 4, retiringSince: null, retiresAt: null, revokedAt: null });
      expect(await store.getKey('k-rsa')).toMatchObject({ alg: 'RS256', status: 'next' });
    } finally {
      await store.close();
    }
  });

  it('upgrades a schema-4 file to 5: its keys survive, and each algorithm may have an active and a next key of its own', async () => {
    const path = join(dir, 'v4-keys.db');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 4));
    old.exec(`INSERT INTO signing_keys (kid, alg, public_jwk, status, created_at, retiring_since, retires_at) VALUES
      ('k-was', 'EdDSA', '{"kty":"OKP"}', 'retiring', 1, 5, 9),
      ('k-now', 'EdDSA', '{"kty":"OKP"}', 'active', 2, NULL, NULL),
      ('k-next', 'EdDSA', '{"kty":"OKP"}', 'next', 3, NULL, NULL)`);
    // Schema 4: one active and one next key in all.
    expect(() => old.exec(`INSERT INTO signing_keys (kid, alg, public_jwk, status, created_at) VALUES ('k-rsa', 'RS256', '{}', 'active', 4)`)).toThrow(/UNIQUE/);
    old.close();

    const store = openSqliteStore(path);
    try {
      expect(store.migrationsApplied).toEqual(versionsFrom(5));
      expect((await store.listKeys()).map((key) => [key.kid, key.alg, key.status])).toEqual([['k-was', 'EdDSA', 'retiring'], ['k-now', 'EdDSA', 'active'], ['k-next', 'EdDSA', 'next']]);
      const key = (kid: string, alg: 'EdDSA' | 'RS256', status: 'active' | 'next') => ({ kid, alg, publicJwk: '{}', status, createdAt: 4, retiringSince: null, retiresAt: null, revokedAt: null });
      await store.insertKey(key('k-rsa', 'RS256', 'active'));
      await store.insertKey(key('k-rsa-next', 'RS256', 'next'));
      expect((await store.listKeys()).filter((k) => k.status === 'active').map((k) => k.alg)).toEqual(['EdDSA', 'RS256']);
      // Still one of each per algorithm.
      const unique = expect.objectContaining({ code: 'conflict', detail: expect.stringContaining('UNIQUE') });
      await expect(() => store.insertKey(key('k-rsa-2', 'RS256', 'active'))).rejects.toThrow(unique);
      await expect(() => store.insertKey(key('k-ed-next', 'EdDSA', 'next'))).rejects.toThrow(unique);
    } finally {
      await store.close();
    }
  });

  it.each([
    ['no saved settings', null, { signingAlg: 'EdDSA' }],
    ['settings saved without an algorithm', `'{"accessTokenTtlSeconds":300}'`, { accessTokenTtlSeconds: 300, signingAlg: 'EdDSA' }],
    ['an algorithm saved', `'{"signingAlg":"ES256"}'`, { signingAlg: 'ES256' }],
  ])('an install upgraded to schema 4 keeps the algorithm it signed with, whatever the default becomes (%s)', async (_what, saved, expected) => {
    const path = join(dir, `v3-alg-${randomBytes(4).toString('hex')}.db`);
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 3));
    old.exec(`INSERT INTO signing_keys (kid, alg, public_jwk, status, created_at) VALUES ('k1', 'EdDSA', '{}', 'active', 1)`);
    if (saved) old.exec(`INSERT INTO settings (key, value) VALUES ('engine_settings', ${saved})`);
    old.close();

    const store = openSqliteStore(path);
    try {
      expect(JSON.parse((await store.getSetting('engine_settings'))!)).toEqual(expected);
    } finally {
      await store.close();
    }
  });

  it('starts a new install with routine refreshes unaudited', async () => {
    const store = openSqliteStore(join(dir, 'new.db'));
    try {
      expect((await loadSettings(store)).auditRefreshes).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('refuses a SQLite database that another application created, without changing it', () => {
    const path = join(dir, 'foreign.db');
    const db = new Database(path);
    db.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (\'mine\')');
    db.close();
    const before = readFileSync(path);
    expect(() => openStore(path)).toThrow(WardenError);
    try {
      openStore(path);
    } catch (error) {
      expect((error as WardenError).code).toBe('storage_error');
    }
    expect(readFileSync(path).equals(before)).toBe(true);

    const tagged = join(dir, 'tagged.db');
    const other = new Database(tagged);
    other.pragma('application_id = 42');
    other.close();
    expect(() => openStore(tagged)).toThrow(/another application/);
  });

  it('refuses a path it cannot open with storage_error', () => {
    expect(() => openStore(join(dir, 'missing', 'x.db'))).toThrow(expect.objectContaining({ code: 'storage_error' }));
    expect(() => openStore(dir)).toThrow(expect.objectContaining({ code: 'storage_error' }));
  });
});

describe('background WAL checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warden-ckpt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const walFrames = (path: string) => {
    // The pragma, from a second connection, reports the log's frames and how many are in the database file
    // (copying any the thread had not reached yet). So this checks the log is whole; the size check above
    // is what shows the background thread did the copying.
    const db = new Database(path, { readonly: true });
    try {
      return db.pragma('wal_checkpoint(PASSIVE)', { simple: false }) as { busy: number; log: number; checkpointed: number }[];
    } finally {
      db.close();
    }
  };

  it('copies committed frames into the database file without the writer checkpointing', async () => {
    const path = join(dir, 'warden.db');
    const store = openSqliteStore(path);
    const raw = (store as unknown as { db: Database.Database }).db;
    expect(raw.pragma('wal_autocheckpoint', { simple: true })).toBe(20_000);
    const sizeBefore = statSync(path).size;
    await store.transaction(async () => {
      for (let i = 0; i < 400; i++) await store.putSetting(`k${i}`, 'x'.repeat(2_000));
    });
    // The writer's threshold (20 000 pages) is far away; only the background thread can have done this.
    const deadline = Date.now() + 10_000;
    while (statSync(path).size <= sizeBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(path).size).toBeGreaterThan(sizeBefore + 400 * 2_000);
    const [state] = walFrames(path);
    expect(state!.log).toBeGreaterThan(0);
    expect(state!.checkpointed).toBe(state!.log);
    await store.close();
    const reopened = openSqliteStore(path);
    expect(await reopened.getSetting('k399')).toBe('x'.repeat(2_000));
    await reopened.close();
  });

  it('hands checkpoints back to the writer when the thread dies', async () => {
    const path = join(dir, 'warden.db');
    const messages: string[] = [];
    const store = openSqliteStore(path, (message) => messages.push(message));
    const raw = store as unknown as { db: Database.Database; checkpointer: Checkpointer };
    expect(raw.db.pragma('wal_autocheckpoint', { simple: true })).toBe(20_000);
    // A crash, not a stop: the thread ends behind the checkpointer's back.
    await raw.checkpointer.thread.terminate();
    const deadline = Date.now() + 5_000;
    while (messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(messages.join('\n')).toMatch(/checkpoint thread stopped/);
    expect(raw.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    await store.putSetting('still', 'writes');
    await store.close();
    const reopened = openSqliteStore(path);
    expect(await reopened.getSetting('still')).toBe('writes');
    await reopened.close();
  });

  it('stops its thread before the store closes, and a closed store can be reopened at once', async () => {
    const path = join(dir, 'warden.db');
    for (let i = 0; i < 5; i++) {
      const store = openSqliteStore(path);
      await store.putSetting('round', String(i));
      const started = Date.now();
      await store.close();
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    const last = openSqliteStore(path);
    expect(await last.getSetting('round')).toBe('4');
    await last.close();
  });

  it('starts the log over while the writer never pauses for long, so the log stays short without the writer checkpointing', () => {
    const path = join(dir, 'busy.db');
    const writer = new Database(path);
    writer.pragma('journal_mode = WAL');
    writer.pragma('synchronous = NORMAL');
    // No safety net: only the thread can keep this log short.
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)');
    const insert = writer.prepare('INSERT INTO t (v) VALUES (?)');
    const write = writer.transaction(() => {
      for (let i = 0; i < 8; i++) insert.run(randomBytes(3_000));
    });
    const errors: string[] = [];
    const checkpointer = startCheckpointer(path, undefined, { onError: (message) => errors.push(message), onGone: () => errors.push('gone') }, 256);
    // The WAL header's checkpoint sequence number goes up each time a writer starts the log over.
    const restartsSoFar = () => {
      const fd = openSync(`${path}-wal`, 'r');
      try {
        const header = Buffer.alloc(32);
        return readSync(fd, header, 0, 32, 0) === 32 ? header.readUInt32BE(12) : 0;
      } finally {
        closeSync(fd);
      }
    };
    // Like a busy token service: a transaction of ~8 pages, then half a millisecond of other work, over and
    // over. A passive checkpoint (two fsyncs) never catches up with that; a restart takes its moment.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const TRANSACTIONS = 3_000;
    write();
    const first = restartsSoFar();
    for (let i = 1; i < TRANSACTIONS; i++) {
      write();
      Atomics.wait(pause, 0, 0, 0.5);
    }
    checkpointer.stop();
    expect(errors).toEqual([]);
    expect(restartsSoFar() - first).toBeGreaterThanOrEqual(3);
    // Without restarts the log would hold every transaction (over 100 MiB); the file keeps its high-water
    // mark, so this is the longest the log ever got.
    const written = TRANSACTIONS * 8 * 3_000;
    expect(statSync(`${path}-wal`).size).toBeLessThan(written * 0.4);
    expect((writer.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(TRANSACTIONS * 8);
    writer.close();
  });

  it('reports a checkpointer that cannot open the file, and stop() still returns at once', async () => {
    const errors: string[] = [];
    let gone = false;
    const checkpointer = startCheckpointer(join(dir, 'missing', 'warden.db'), undefined, { onError: (message) => errors.push(message), onGone: () => (gone = true) });
    const deadline = Date.now() + 10_000;
    while (!gone && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(gone).toBe(true);
    expect(errors.join('\n')).toMatch(/unable to open|directory does not exist|cannot open/i);
    const started = Date.now();
    checkpointer.stop();
    checkpointer.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
