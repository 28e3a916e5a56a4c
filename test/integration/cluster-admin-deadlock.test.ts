/**
 * Admin actions of two instances that revoke the same sessions in opposite orders, at the same moment. A bulk
 * revocation updates each session's rows and inserts its revocation (under the revocation log's advisory lock,
 * held to commit) one session after another, so without a common lock order instance A would hold the log's lock
 * and wait for a session row that instance B holds, while B waits for the log's lock: a deadlock in every round.
 * On a shared store a durable unit takes the audit chain's lock before anything else (EngineContext.commit), so
 * such actions queue instead; and a unit that still loses a deadlock (a cycle over rows with a refresh batch) is
 * run again (EngineContext.run), as a batch is.
 *
 * In one process (test/helpers/engine-pair.ts), as the refresh-batch deadlock test does: the interleaving is
 * then the engines', not the network's.
 */
import { expect, it } from 'vitest';
import { describePg } from '../helpers/postgres';
import { ADMIN, outcomeOf as attempt, useEnginePair } from '../helpers/engine-pair';

const SESSIONS = 6;
const ROUNDS = 4;

describePg('admin actions of two instances revoking the same sessions in opposite orders', () => {
  const pair = useEnginePair();

  it('an admin unit PostgreSQL aborted as the deadlock victim of another instance\'s refresh batch is run again', async () => {
    const { a, b } = pair;
    for (let k = 0; k < 2; k++) await pair.login();
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
    const { a, b } = pair;
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < SESSIONS; k++) await pair.login();
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
