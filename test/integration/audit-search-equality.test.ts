/**
 * The SQLite audit search's fast paths (time windows as seq ranges found by binary search, free text looked up
 * by a distinctive part and checked in full) against a straightforward scan of every entry, on a generated
 * audit of a few thousand entries whose clock steps back twice. The scan's free text is the FTS5 index's own
 * answer for the whole phrase (the meaning the search keeps); every other filter is applied here.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/shared/dto';
import type { AuditSearchFilter } from '../../src/main/store/audit-search-store';
import { migrate, MIGRATIONS } from '../../src/main/store/migrations';
import { containsText, ftsPhrase, TrigramDensities } from '../../src/main/store/sqlite-audit-text';
import { windowSeqRange } from '../../src/main/store/sqlite-audit-window';
import { SqliteStore } from '../../src/main/store/sqlite-store';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const TYPES = ['user.login', 'session.refreshed', 'session.revoked', 'user.created', 'key.created'];
const AGENTS = ['Mozilla/5.0 (Windows NT 10.0) Chrome/126.0 Safari/537.36', 'okhttp/4.12.0', 'Mozilla/5.0 (iPhone) Version/17.5 Safari/604.1'];

/** mulberry32: the same entries and filters on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function openMigrated(): { db: Database.Database; store: SqliteStore } {
  const db = new Database(':memory:');
  migrate(db);
  return { db, store: new SqliteStore(db, 'test', []) };
}

/** 3,000 entries over ~50 hours; the clock steps back 5 minutes at entry 1,000 and 6 hours at entry 2,000. */
async function generate(store: SqliteStore, random: () => number): Promise<void> {
  const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  let at = T0;
  await store.transaction(async () => {
    for (let i = 0; i < 3000; i += 1) {
      at += Math.floor(random() * 2 * MIN);
      if (i === 1000) at -= 5 * MIN;
      if (i === 2000) at -= 360 * MIN;
      const user = Math.floor(random() * 60);
      // Few distinct addresses, so that a part of one (a candidate) is often in others (near misses).
      const ip = `10.${Math.floor(random() * 4)}.${Math.floor(random() * 16)}.${Math.floor(random() * 24)}`;
      await store.appendAudit({
        at,
        type: pick(TYPES),
        actor: pick(['admin', `user:usr_${user}`, `client:app${user % 3}`]),
        userId: random() < 0.9 ? `usr_${user}` : null,
        sessionId: random() < 0.8 ? `ses_${Math.floor(random() * 400)}` : null,
        reason: random() < 0.1 ? pick(['Laptop stolen', 'seen at 10.1.2.3 again', 'rotated']) : null,
        // `via`: another address without its "10." (a candidate for a whole address, and no match).
        data: { ip, userAgent: pick(AGENTS), username: `user${user}.name`, ...(random() < 0.5 ? { via: `${Math.floor(random() * 4)}.${Math.floor(random() * 16)}.${Math.floor(random() * 24)}` } : {}) },
        prevHash: 'p',
        hash: 'h',
      });
    }
  });
}

type Row = Omit<AuditEntry, 'data' | 'reason' | 'prevHash' | 'hash'> & { ip: string };

function scan(db: Database.Database, all: Row[], filter: AuditSearchFilter): number[] {
  const text = filter.q === undefined ? null : new Set(db.prepare('SELECT rowid FROM audit_fts WHERE audit_fts MATCH ?').pluck().all(ftsPhrase(filter.q)) as number[]);
  return all
    .filter((e) => (text === null || text.has(e.seq))
      && (!filter.types || filter.types.includes(e.type))
      && (filter.actor === undefined || e.actor === filter.actor)
      && (filter.actorPrefix === undefined || e.actor.startsWith(filter.actorPrefix))
      && (filter.userId === undefined || e.userId === filter.userId)
      && (filter.userPrefix === undefined || (e.userId ?? '').startsWith(filter.userPrefix) && e.userId !== null)
      && (filter.sessionId === undefined || e.sessionId === filter.sessionId)
      && (filter.since === undefined || e.at >= filter.since)
      && (filter.until === undefined || e.at <= filter.until)
      && (filter.beforeSeq === undefined || e.seq < filter.beforeSeq))
    .map((e) => e.seq)
    .sort((a, b) => b - a)
    .slice(0, filter.limit);
}

function randomFilter(random: () => number, all: Row[]): AuditSearchFilter {
  const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const some = pick(all);
  const filter: AuditSearchFilter = { limit: 1 + Math.floor(random() * 60) };
  const ip = some.ip;
  if (random() < 0.5) filter.q = pick([ip, ip.replace(/\d+$/, ''), ip.slice(-5), 'Safari', 'okhttp/4', `user${some.userId?.slice(4) ?? '1'}.n`, '10.1.2.3', 'stolen', 'chrome/126']);
  if (random() < 0.3) filter.types = [pick(TYPES), ...(random() < 0.5 ? [pick(TYPES)] : [])];
  if (random() < 0.15) filter.actorPrefix = pick(['admin', 'client:', `user:usr_${Math.floor(random() * 6)}`]);
  if (random() < 0.1) filter.userPrefix = `usr_${Math.floor(random() * 6)}`;
  if (random() < 0.05 && some.sessionId) filter.sessionId = some.sessionId;
  if (random() < 0.6) {
    const from = pick(all).at - Math.floor(random() * 60 * MIN);
    filter.since = from;
    filter.until = from + Math.floor(random() * (random() < 0.5 ? 30 * MIN : 40 * 60 * MIN));
  }
  if (random() < 0.3) filter.beforeSeq = 1 + Math.floor(random() * all.length);
  return filter;
}

describe('SQLite audit search: fast paths against a straightforward scan', () => {
  it('answers 600 generated filters exactly as a scan of every entry does', async () => {
    const { db, store } = openMigrated();
    const random = seeded(16);
    await generate(store, random);
    const all = (db.prepare("SELECT seq, at, type, actor, user_id AS userId, session_id AS sessionId, json_extract(data, '$.ip') AS ip FROM audit").all() as Row[]);
    const texts = new TrigramDensities((sql) => db.prepare(sql));
    let checkedHere = 0;
    let windows = 0;
    for (let i = 0; i < 600; i += 1) {
      const filter = randomFilter(random, all);
      if (filter.q !== undefined && texts.plan(filter.q).verify) checkedHere += 1;
      if (filter.since !== undefined) windows += 1;
      expect((await store.auditSearch.search(filter)).map((e) => e.seq), JSON.stringify(filter)).toEqual(scan(db, all, filter));
    }
    // Both fast paths were taken, not only the plain ones.
    expect(checkedHere).toBeGreaterThan(30);
    expect(windows).toBeGreaterThan(300);
    db.close();
  });

  it('finds a window seq range holding every entry of the window, exact while the clock never stepped back', async () => {
    const { db, store } = openMigrated();
    const q = (sql: string) => db.prepare(sql);
    const ats = [10, 20, 20, 30, 40, 50];
    for (const at of ats) await store.appendAudit({ at, type: 't', actor: 'a', userId: null, sessionId: null, reason: null, data: {}, prevHash: 'p', hash: 'h' });
    expect(windowSeqRange(q, 20, 40)).toEqual({ lo: 2, hi: 5 });
    expect(windowSeqRange(q, 21, 29)).toMatchObject({ lo: 4, hi: 3 });
    expect(windowSeqRange(q, 0, 1000)).toEqual({ lo: 1, hi: 6 });
    // A step back of 25 ms: the entry at 25 comes after the one at 50.
    await store.appendAudit({ at: 25, type: 't', actor: 'a', userId: null, sessionId: null, reason: null, data: {}, prevHash: 'p', hash: 'h' });
    expect(db.prepare('SELECT max_step_back FROM audit_clock').pluck().get()).toBe(25);
    const range = windowSeqRange(q, 21, 29);
    expect(range.lo).toBeLessThanOrEqual(7);
    expect(range.hi).toBeGreaterThanOrEqual(7);
    db.close();
  });

  it('computes the largest step back of the entries written before the audit clock existed', async () => {
    const db = new Database(':memory:');
    const version = MIGRATIONS.find((m) => m.sql.includes('audit_clock'))!.version;
    migrate(db, MIGRATIONS.filter((m) => m.version < version));
    const insert = db.prepare("INSERT INTO audit (at, type, actor, data, prev_hash, hash) VALUES (?, 't', 'a', '{}', 'p', 'h')");
    for (const at of [100, 300, 200, 250, 90, 400]) insert.run(at);
    migrate(db);
    expect(db.prepare('SELECT max_step_back FROM audit_clock').pluck().get()).toBe(210);
    insert.run(150);
    expect(db.prepare('SELECT max_step_back FROM audit_clock').pluck().get()).toBe(250);
    const store = new SqliteStore(db, 'test', []);
    expect((await store.auditSearch.search({ since: 95, until: 260, limit: 10 })).map((e) => e.at)).toEqual([150, 250, 200, 100]);
    db.close();
  });

  it('matches text in a rare type exactly as the index does, beyond ASCII case folding', async () => {
    const { db, store } = openMigrated();
    const append = (type: string, reason: string | null, data: Record<string, unknown> = {}) =>
      store.appendAudit({ at: T0, type, actor: 'system', userId: null, sessionId: null, reason, data, prevHash: 'p', hash: 'h' });
    // The index folds U+017F (long s) to "s" and leaves U+0130 (I with a dot) alone; JavaScript's toLowerCase
    // does neither (it keeps U+017F and turns U+0130 into "i" and a combining dot). A rare type is matched here.
    const longS = await append('key.created', 'Rotated by \u017Fafari-bot');
    await append('key.created', 'TAX\u0130 fleet');
    for (let i = 0; i < 5; i += 1) await append('user.login', null, { ua: 'Safari', note: 'taxi' });
    expect((await store.auditSearch.search({ q: 'safari-bot', types: ['key.created'], limit: 10 })).map((e) => e.seq)).toEqual([longS]);
    expect(await store.auditSearch.search({ q: 'axi', types: ['key.created'], limit: 10 })).toEqual([]);
    expect((await store.auditSearch.search({ q: 'safari-bot', limit: 10 })).map((e) => e.seq)).toEqual([longS]);
    db.close();
  });

  it("folds text as the trigram index does: of all non-ASCII code points only U+212A and U+017F match ASCII", () => {
    const db = new Database(':memory:');
    db.exec("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram')");
    const insert = db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
    db.transaction(() => {
      for (let c = 0x80; c <= 0xffff; c += 1) if (c < 0xd800 || c > 0xdfff) insert.run(c, `#${String.fromCodePoint(c)}#`);
    })();
    const match = db.prepare('SELECT rowid FROM t WHERE t MATCH ?').pluck();
    const folds: string[] = [];
    for (let a = 0x20; a < 0x7f; a += 1) {
      const ascii = String.fromCharCode(a);
      for (const c of match.all(ftsPhrase(`#${ascii}#`)) as number[]) {
        folds.push(`${c.toString(16)}:${ascii}`);
        expect(containsText({ type: `#${String.fromCodePoint(c)}#`, actor: '', userId: null, sessionId: null, reason: null, data: '' }, `#${ascii}#`)).toBe(true);
      }
    }
    expect(folds.sort()).toEqual(['17f:S', '17f:s', '212a:K', '212a:k']);
    expect(containsText({ type: 'TAX\u0130', actor: '', userId: null, sessionId: null, reason: null, data: '' }, 'axi')).toBe(false);
    db.close();
  });
});
