/**
 * The PostgreSQL schema (src/main/store/pg/migrations.ts, sub-store-schema.ts, …) is written by hand after
 * SQLite's (src/main/store/migrations.ts), and applied migrations never change: nothing but this test keeps the
 * two from drifting. Both are migrated to the newest version and compared by table and column names. Every
 * difference is deliberate and listed below with its reason; anything else fails, naming the table and columns.
 * A listed table or column must still be missing from the other side (else the entry is stale: compare the two).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openStore } from '../../src/main/store/index';
import { describePg, openTestPgStore } from '../helpers/postgres';

type Schema = Map<string, string[]>;

/** Tables only SQLite has, and why PostgreSQL needs none. */
const SQLITE_ONLY_TABLES: Record<string, string> = {
  users_search: 'FTS5 trigram index of the users page; PostgreSQL searches with a pg_trgm GIN index on the users columns (users_text_trgm)',
  audit_fts: 'FTS5 trigram index of the audit; PostgreSQL uses a pg_trgm GIN index on the audit columns (audit_text_trgm)',
  audit_clock: "the audit clock's largest step back, for SQLite's binary search of a time window over seq; PostgreSQL reads the window from its (at, seq) index",
  counters: 'SQLite counters; PostgreSQL keeps every counter as append-only deltas (tally_deltas) folded into tallies, so increments never wait on a hot row',
  minute_buckets: 'SQLite per-minute counts; on PostgreSQL these are tally rows with a minute',
  row_counts: 'SQLite row counts kept by triggers; on PostgreSQL these are tally rows too',
};

/** Tables only PostgreSQL has, and why SQLite needs none. */
const PG_ONLY_TABLES: Record<string, string> = {
  schema_version: "the applied migrations; SQLite keeps its version in PRAGMA user_version",
  tally_deltas: 'append-only counter deltas (see counters above)',
  tallies: 'the folded counters, minute buckets and row counts (see counters above)',
  attempt_leases: "login attempts in flight, counted across instances; SQLite's single process counts them in memory",
  unknown_login_names: "failures on unknown usernames, counted across instances; SQLite's single process keeps them in memory",
  feed_presence: "other instances' feed subscribers, for the console's receipt; SQLite's single process lists its own from memory",
};

/** Columns only one side has, by table ('*': every table), and why. */
const SQLITE_ONLY_COLUMNS: Record<string, Record<string, string>> = {
  users: { search_key: "the user's rowid in users_search (FTS5); PostgreSQL's trigram index is on the users row itself" },
};
const PG_ONLY_COLUMNS: Record<string, Record<string, string>> = {
  '*': { ord: "an identity column: the insertion order, tie-breaker of listings and cursors, where SQLite uses the rowid" },
};

/** SQLite's own tables (sequences, planner statistics) and an FTS5 table's shadow tables belong to no schema. */
function isSqliteInternal(name: string, virtual: Set<string>): boolean {
  if (name.startsWith('sqlite_')) return true;
  const shadow = /^(.*)_(data|idx|content|docsize|config)$/.exec(name);
  return shadow !== null && virtual.has(shadow[1]!);
}

async function sqliteSchema(): Promise<Schema> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-schema-parity-'));
  try {
    const path = join(dir, 'warden.db');
    await openStore(path).close();
    const db = new Database(path, { readonly: true });
    try {
      const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all() as { name: string; sql: string }[];
      const virtual = new Set(tables.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql)).map((t) => t.name));
      const schema: Schema = new Map();
      for (const { name } of tables) {
        if (isSqliteInternal(name, virtual)) continue;
        schema.set(name, (db.prepare('SELECT name FROM pragma_table_info(?)').all(name) as { name: string }[]).map((c) => c.name));
      }
      return schema;
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pgSchema(): Promise<Schema> {
  const store = await openTestPgStore();
  try {
    const rows = await store.database.rows<{ t: string; c: string }>(`SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`);
    const schema: Schema = new Map();
    for (const { t, c } of rows) schema.set(t, [...(schema.get(t) ?? []), c]);
    return schema;
  } finally {
    await store.close();
  }
}

const listed = (map: Record<string, Record<string, string>>, table: string, column: string) => column in (map[table] ?? {}) || column in (map['*'] ?? {});

describePg('SQLite and PostgreSQL schemas', () => {
  it('have the same tables with the same columns, but for the differences listed with their reasons', async () => {
    const [lite, pg] = [await sqliteSchema(), await pgSchema()];
    // Sanity: both schemas were read (a wrong query would compare two empty sets).
    expect(lite.get('sessions')).toContain('refresh_ended_at');
    expect(pg.get('sessions')).toContain('refresh_ended_at');

    const unexplained: string[] = [];
    for (const table of [...new Set([...lite.keys(), ...pg.keys()])].sort()) {
      const a = lite.get(table);
      const b = pg.get(table);
      if (!b) {
        if (!(table in SQLITE_ONLY_TABLES)) unexplained.push(`table ${table} (columns ${a!.join(', ')}) is only in SQLite`);
        continue;
      }
      if (!a) {
        if (!(table in PG_ONLY_TABLES)) unexplained.push(`table ${table} (columns ${b.join(', ')}) is only in PostgreSQL`);
        continue;
      }
      for (const column of a) if (!b.includes(column) && !listed(SQLITE_ONLY_COLUMNS, table, column)) unexplained.push(`${table}.${column} is only in SQLite`);
      for (const column of b) if (!a.includes(column) && !listed(PG_ONLY_COLUMNS, table, column)) unexplained.push(`${table}.${column} is only in PostgreSQL`);
    }
    expect(unexplained).toEqual([]);

    // The list stays true: what it says one side lacks, that side lacks.
    const stale: string[] = [];
    for (const table of Object.keys(SQLITE_ONLY_TABLES)) if (pg.has(table)) stale.push(`table ${table} is in PostgreSQL too`);
    for (const table of Object.keys(PG_ONLY_TABLES)) if (lite.has(table)) stale.push(`table ${table} is in SQLite too`);
    for (const [table, columns] of Object.entries(SQLITE_ONLY_COLUMNS)) {
      for (const column of Object.keys(columns)) if (pg.get(table)?.includes(column)) stale.push(`${table}.${column} is in PostgreSQL too`);
    }
    for (const [table, columns] of Object.entries(PG_ONLY_COLUMNS)) {
      const tables = table === '*' ? [...lite.keys()] : [table];
      for (const column of Object.keys(columns)) for (const t of tables) if (lite.get(t)?.includes(column)) stale.push(`${t}.${column} is in SQLite too`);
    }
    expect(stale).toEqual([]);
  });
});
