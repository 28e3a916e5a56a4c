/**
 * Schema 8 (area H): sessions a refresh-version bump left open before `refresh_ended_at` existed (not revoked,
 * no usable refresh token) are back-filled, so they read "can't refresh" after the upgrade too; nothing else is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/main/store/index';
import { MIGRATIONS, migrate } from '../../src/main/store/migrations';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const version = MIGRATIONS.findIndex((m) => m.sql.includes('ADD COLUMN refresh_ended_at')) + 1;

describe(`schema ${version}: refresh_ended_at`, () => {
  it('back-fills the open sessions whose every refresh token is revoked or used, with when the last was revoked', async () => {
    expect(version).toBeGreaterThan(1);
    const dir = mkdtempSync(join(tmpdir(), 'warden-refresh-ended-'));
    dirs.push(dir);
    const path = join(dir, 'warden.db');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, version - 1));
    const hash = (n: number) => n.toString(16).padStart(64, '0');
    old.exec(`
      INSERT INTO users (id, username, password_hash, status, created_at, refresh_version) VALUES ('u1', 'ana', 'x', 'active', 1, 2);
      INSERT INTO clients (client_id, kind, name, created_at) VALUES ('app', 'public', 'App', 1);
      INSERT INTO sessions (id, user_id, client_id, device_name, user_agent, ip, remember_me, scope, created_at, last_activity_at,
        idle_expires_at, absolute_expires_at, live_until, revoked_at) VALUES
        ('bumped', 'u1', 'app', 'd', 'ua', '::1', 0, '', 1, 1, 100, 200, 100, NULL),
        ('live', 'u1', 'app', 'd', 'ua', '::1', 0, '', 1, 1, 100, 200, 100, NULL),
        ('ended', 'u1', 'app', 'd', 'ua', '::1', 0, '', 1, 1, 100, 200, 100, 9),
        ('bare', 'u1', 'app', 'd', 'ua', '::1', 0, '', 1, 1, 100, 200, 100, NULL);
      INSERT INTO refresh_tokens (hash, session_id, user_id, client_id, refresh_version, created_at, used_at, successor_hash, revoked_at) VALUES
        ('${hash(1)}', 'bumped', 'u1', 'app', 1, 1, 5, '${hash(2)}', NULL),
        ('${hash(2)}', 'bumped', 'u1', 'app', 1, 5, NULL, NULL, 7),
        ('${hash(3)}', 'live', 'u1', 'app', 2, 8, NULL, NULL, NULL),
        ('${hash(4)}', 'ended', 'u1', 'app', 1, 1, NULL, NULL, 9);
    `);
    old.close();

    const store = openSqliteStore(path);
    try {
      expect(store.migrationsApplied).toContain(version);
      expect((await store.getSession('bumped'))?.refreshEndedAt).toBe(7);
      expect((await store.getSession('live'))?.refreshEndedAt).toBeNull();
      // Revoked: its status says so already. No refresh token at all: nothing says a bump ended it.
      expect((await store.getSession('ended'))?.refreshEndedAt).toBeNull();
      expect((await store.getSession('bare'))?.refreshEndedAt).toBeNull();
      expect((await store.listSessions({ userId: 'u1', status: 'cant_refresh', now: 50, offset: 0, limit: 10 })).items.map((s) => s.id)).toEqual(['bumped']);
      expect(await store.listSessions({ status: 'active', now: 50, offset: 0, limit: 10 })).toMatchObject({ total: 2 });
    } finally {
      await store.close();
    }
  });
});
