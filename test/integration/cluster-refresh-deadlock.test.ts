/**
 * Two instances committing refresh batches (group commit: one transaction per batch, EngineContext.runMany)
 * that touch the same sessions in opposite orders. Instance A rotates the fresh tokens of sessions 1…K in one
 * batch; instance B presents the used tokens of sessions K…1 (reuse: each revokes its session) in another,
 * at the same moment. On PostgreSQL the two transactions lock the same session and token rows in opposite
 * orders and can deadlock: PostgreSQL aborts one after deadlock_timeout (1 s). Every refresh must still end in a
 * rule outcome (rotated, or refused by the reuse rule), never a storage_error, and the invariants hold: each
 * session revoked once, no token rotated twice.
 *
 * In one process (two engines, two PgStores on one database, one memory vault) so that each batch is exactly
 * the refreshes pushed in one turn: over HTTP the batches would depend on timing.
 */
import { expect, it } from 'vitest';
import { refreshTokenKey } from '../../src/main/engine/issue';
import type { Engine } from '../../src/main/engine/engine';
import type { TokenSet } from '../../src/main/engine/types';
import { WardenError } from '../../src/shared/errors';
import { ADMIN, DEVICE, useEnginePair } from '../helpers/engine-pair';
import { describePg } from '../helpers/postgres';

const SESSIONS = 8;
const ROUNDS = 4;
const RACES = 16;

describePg('refresh batches of two instances touching the same rows in opposite orders', () => {
  const pair = useEnginePair();

  const outcome = (promise: Promise<TokenSet>) =>
    promise.then(
      (tokens) => ({ ok: true as const, tokens }),
      (error: unknown) => ({ ok: false as const, code: error instanceof WardenError ? error.code : String(error), detail: error instanceof WardenError ? error.detail : undefined }),
    );

  it('runs a batch again that PostgreSQL aborted as a deadlock victim, instead of failing it', async () => {
    const { a, b } = pair;
    for (let k = 0; k < 2; k++) await pair.login();
    const [one, two] = (await a.admin.listSessions({ offset: 0, limit: 10 }, ADMIN)).items.map((session) => session.id);
    // Each unit updates one session, waits until the other instance's unit has updated the other, then updates
    // that one: a certain deadlock, of which PostgreSQL aborts one transaction. Run again, the victim's unit
    // waits for the winner's commit and goes through (the barrier is passed once).
    let arrived = 0;
    let release!: () => void;
    const barrier = new Promise<void>((resolve) => (release = resolve));
    const runs = { a: 0, b: 0 };
    const unit = (engine: Engine, name: 'a' | 'b', first: string, second: string) =>
      engine.ctx.runMany([
        async (tx) => {
          runs[name] += 1;
          await engine.store.updateSession(first, { lastActivityAt: tx.now });
          if (++arrived === 2) release();
          await barrier;
          await engine.store.updateSession(second, { lastActivityAt: tx.now });
          return name;
        },
      ]);
    const results = await Promise.all([unit(a, 'a', one!, two!), unit(b, 'b', two!, one!)]);
    expect(results, JSON.stringify(results)).toEqual([[{ ok: true, value: 'a' }], [{ ok: true, value: 'b' }]]);
    // One of them was the victim and ran twice.
    expect(runs.a + runs.b).toBe(3);
  }, 60_000);

  it('a refresh racing an admin revocation of its session on the other instance: both end in a rule outcome', async () => {
    const { a, b } = pair;
    const tokens: string[] = [];
    for (let k = 0; k < RACES; k++) tokens.push((await pair.login()).refreshToken);
    const ids = (await a.admin.listSessions({ offset: 0, limit: 500 }, ADMIN)).items.map((session) => session.id).reverse();
    const failures: string[] = [];
    for (let k = 0; k < RACES; k++) {
      // The rotation locks the session's token row, the revocation the session row and then its tokens.
      const [refreshed, revoked] = await Promise.all([
        outcome(a.refresh({ refreshToken: tokens[k]!, clientId: 'app', device: DEVICE })),
        b.admin.revokeSession({ sessionId: ids[k]!, reason: 'race' }, ADMIN).then(() => 'ok', (error: unknown) => (error instanceof WardenError ? `${error.code} ${error.detail ?? ''}` : String(error))),
      ]);
      if (!refreshed.ok && !['session_revoked', 'invalid_refresh_token'].includes(refreshed.code)) failures.push(`race ${k}: refresh ${refreshed.code} ${refreshed.detail ?? ''}`);
      if (revoked !== 'ok') failures.push(`race ${k}: revoke ${revoked}`);
      // A rotation that won came before the revocation, which then revoked its new token too: a rotation after
      // it would hand out a live-looking token of a revoked session, with an access token the revocation's
      // expiry does not cover.
      if (refreshed.ok) {
        const successor = await a.store.getRefreshToken(refreshTokenKey(refreshed.tokens.refreshToken)!);
        if (successor?.revokedAt === null) failures.push(`race ${k}: rotated after the revocation`);
      }
    }
    expect(failures).toEqual([]);
    const sessions = await a.admin.listSessions({ offset: 0, limit: 500 }, ADMIN);
    expect(sessions.items.filter((session) => session.status !== 'revoked')).toEqual([]);
  }, 120_000);

  it('ends every refresh in a rule outcome, never a storage error', async () => {
    const { a, b } = pair;
    for (let round = 0; round < ROUNDS; round++) {
      const logins = [];
      for (let k = 0; k < SESSIONS; k++) logins.push(await pair.login());
      const used = logins.map((login) => login.refreshToken);
      const fresh: string[] = [];
      for (const token of used) fresh.push((await a.refresh({ refreshToken: token, clientId: 'app', device: DEVICE })).refreshToken);
      // Pushed in one turn each: one batch on A (sessions in order), one on B (reversed), committing together.
      const rotations = fresh.map((token) => outcome(a.refresh({ refreshToken: token, clientId: 'app', device: DEVICE })));
      const reuses = used.slice().reverse().map((token) => outcome(b.refresh({ refreshToken: token, clientId: 'app', device: DEVICE })));
      const results = [...(await Promise.all(rotations)), ...(await Promise.all(reuses))];
      const failures = results.filter((result) => !result.ok);
      const context = `round ${round}: ${JSON.stringify(failures)}`;
      for (const failure of failures) expect(['refresh_token_reused', 'session_revoked'], context).toContain(failure.code);
      // Every reuse is refused (the token was used), whichever batch went first.
      expect((await Promise.all(reuses)).every((result) => !result.ok), context).toBe(true);
      // Every session ends revoked: a reuse revokes it even after a rotation won.
      const sessions = await a.admin.listSessions({ offset: 0, limit: 500 }, ADMIN);
      expect(sessions.items.filter((session) => session.status !== 'revoked').map((session) => session.status), context).toEqual([]);
    }
  }, 120_000);
});
