/**
 * Admin actions of two instances that revoke the same sessions in opposite orders, at the same moment. A bulk
 * revocation updates each session's rows and inserts its revocation (under the revocation log's advisory lock,
 * held to commit) one session after another, so without a common lock order instance A would hold the log's lock
 * and wait for a session row that instance B holds, while B waits for the log's lock: a deadlock, and an admin
 * action is not re-run (its receipt would be a storage_error). On a shared store a durable unit takes the audit
 * chain's lock before anything else (EngineContext.commit), so such actions queue instead.
 *
 * In one process (two engines, two PgStores on one database, one memory vault), as the refresh-batch deadlock
 * test does: the interleaving is then the engines', not the network's.
 */
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { Engine } from '../../src/main/engine/engine';
import { MemoryVault } from '../../src/main/keys/memory-vault';
import { openPgStore } from '../../src/main/store/pg/pg-store';
import { WardenError } from '../../src/shared/errors';
import { describePg, freshDatabase } from '../helpers/postgres';

const ISSUER = 'http://127.0.0.1:7777';
const ADMIN = { actor: 'admin:test', role: 'owner' as const, adminId: null };
const DEVICE = { name: 'phone', userAgent: 'Test/1.0', ip: '127.0.0.2' };
const PASSWORD = 'correct horse battery';
const SESSIONS = 6;
const ROUNDS = 4;

describePg('admin actions of two instances revoking the same sessions in opposite orders', () => {
  const engines: Engine[] = [];
  let a: Engine;
  let b: Engine;
  beforeEach(async () => {
    const url = await freshDatabase();
    // Deadlocks are looked for once a lock wait lasts deadlock_timeout (1 s by default): sooner here.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET deadlock_timeout = '100ms'`).finally(() => admin.end());
    const clock = new ManualClock();
    const vault = new MemoryVault();
    const open = async () => {
      const engine = await Engine.open({ store: await openPgStore({ url }), vault, clock, issuer: ISSUER, onError: () => {} });
      engines.push(engine);
      return engine;
    };
    a = await open();
    b = await open();
    await a.admin.createUser({ username: 'ana', password: PASSWORD }, ADMIN);
    await a.admin.createClient({ clientId: 'app', kind: 'public', name: 'App', grantTypes: ['password', 'refresh_token'] }, ADMIN);
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
  });

  const attempt = (promise: Promise<unknown>) =>
    promise.then(() => 'ok', (error: unknown) => (error instanceof WardenError ? `${error.code} ${error.detail ?? ''}` : String(error)));

  it('an admin unit PostgreSQL aborted as the deadlock victim of another instance\'s refresh batch is run again', async () => {
    for (let k = 0; k < 2; k++) await a.login({ username: 'ana', password: PASSWORD, clientId: 'app', device: DEVICE, rememberMe: false });
    const [one, two] = (await a.admin.listSessions({ offset: 0, limit: 10 }, ADMIN)).items.map((session) => session.id);
    // A durable unit on A (an admin action's shape: ctx.run) and a routine batch on B (a refresh batch's:
    // runMany) each update one session, meet at a barrier, then update the other: a certain cycle over rows.
    // A asks first, so its wait reaches deadlock_timeout first and PostgreSQL aborts A's transaction.
    let arrived = 0;
    let release!: () => void;
    const barrier = new Promise<void>((resolve) => (release = resolve));
    const runs = { a: 0, b: 0 };
    const step = async (name: 'a' | 'b', first: string, second: string, now: number) => {
      runs[name] += 1;
      const store = name === 'a' ? a.store : b.store;
      await store.updateSession(first, { lastActivityAt: now });
      if (++arrived === 2) release();
      await barrier;
      if (name === 'b') await new Promise((resolve) => setTimeout(resolve, 30));
      await store.updateSession(second, { lastActivityAt: now });
      return name;
    };
    const [admin, batch] = await Promise.all([
      attempt(a.ctx.run((tx) => step('a', one!, two!, tx.now))),
      b.ctx.runMany([(tx) => step('b', two!, one!, tx.now)]),
    ]);
    expect(admin).toBe('ok');
    expect(batch).toEqual([{ ok: true, value: 'b' }]);
    // One of them was the victim and ran twice.
    expect(runs.a + runs.b).toBe(3);
  }, 60_000);

  it('both bulk revocations succeed, every session revoked once, the audit chain valid', async () => {
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < SESSIONS; k++) await a.login({ username: 'ana', password: PASSWORD, clientId: 'app', device: DEVICE, rememberMe: false });
      const open = (await a.admin.listSessions({ offset: 0, limit: 500 }, ADMIN)).items.filter((session) => session.status === 'active').map((session) => session.id);
      expect(open).toHaveLength(SESSIONS);
      const [first, second] = await Promise.all([
        attempt(a.admin.revokeSessions({ sessionIds: open, reason: `round ${round} on a` }, ADMIN)),
        attempt(b.admin.revokeSessions({ sessionIds: [...open].reverse(), reason: `round ${round} on b` }, ADMIN)),
      ]);
      if (first !== 'ok') failures.push(`round ${round}: a ${first}`);
      if (second !== 'ok') failures.push(`round ${round}: b ${second}`);
    }
    expect(failures).toEqual([]);
    const sessions = await a.admin.listSessions({ offset: 0, limit: 500 }, ADMIN);
    expect(sessions.items.filter((session) => session.status !== 'revoked')).toEqual([]);
    // Each session's revocation is in the log once: the second action found it revoked and killed nothing.
    const rows = await a.revocationsAfter(0, 1000);
    const perSession = new Map<string, number>();
    for (const row of rows) if (row.kind === 'session') perSession.set(row.subject, (perSession.get(row.subject) ?? 0) + 1);
    expect([...perSession.values()].filter((count) => count !== 1)).toEqual([]);
    expect(perSession.size).toBe(SESSIONS * ROUNDS);
    expect((await a.admin.verifyAuditChain({}, ADMIN)).ok).toBe(true);
  }, 120_000);
});
