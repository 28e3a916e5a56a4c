/**
 * PgStore.rotateRefreshToken (src/main/store/pg/pg-store-tokens.ts): the refresh's session update,
 * compare-and-set and the successor's and access token's inserts in one statement. It must act exactly as
 * updateSession, markRefreshTokenUsed and then the two inserts: the winner writes all three, a loser (already used, unknown, or racing on another store of the
 * same database, as another instance) writes nothing; of two racing rotations exactly one wins
 * (docs/postgres.md).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import type { AccessTokenRow, Presenter, RefreshTokenRow, SessionRow } from '../../src/main/store/store';
import { describePg, freshDatabase, openTestPgStore } from '../helpers/postgres';
import { T0, access, client, refresh, session, sha, user } from './pg-fixtures';

describePg('PgStore.rotateRefreshToken', () => {
  let a: PgStore;
  let b: PgStore;
  beforeAll(async () => {
    const url = await freshDatabase();
    a = await openTestPgStore({ url });
    b = await openTestPgStore({ url });
    await a.insertUser(user({ id: 'u', username: 'u' }));
    await a.insertClient(client('app'));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  /** The rotation of `presented` (a name) into `successor`, the session's activity moved to `usedAt`. */
  const rotation = (s: SessionRow, presented: string, usedAt: number, successor: RefreshTokenRow, accessRow: AccessTokenRow, presenter?: Presenter) => ({
    sessionId: s.id, session: { lastActivityAt: usedAt, idleExpiresAt: usedAt + 1_000, refreshCount: s.refreshCount + 1 },
    hash: sha(presented), usedAt, presenter, successor, access: accessRow,
  });
  const chain = async (id: string) => {
    const s = session({ id, userId: 'u', clientId: 'app' });
    await a.insertSession(s);
    await a.insertRefreshToken(refresh(s, `${id}-0`));
    return s;
  };

  it('the winner marks the token used and writes its successor and the access token', async () => {
    const s = await chain('s1');
    const next = refresh(s, 's1-1', { createdAt: T0 + 5 });
    expect(await a.rotateRefreshToken(rotation(s, 's1-0', T0 + 5, next, access(s, 'j1'), { ip: '10.0.0.1', userAgent: 'ua' }))).toBe(true);
    expect(await a.getRefreshToken(sha('s1-0'))).toMatchObject({ usedAt: T0 + 5, successorHash: sha('s1-1'), usedIp: '10.0.0.1', usedUserAgent: 'ua' });
    expect(await a.getRefreshToken(sha('s1-1'))).toEqual(next);
    expect(await a.getAccessToken('j1')).toEqual(access(s, 'j1'));
    expect(await a.getSession('s1')).toMatchObject({ lastActivityAt: T0 + 5, idleExpiresAt: T0 + 1_005, refreshCount: 1 });
  });

  it('a used or unknown token writes nothing', async () => {
    const s = await chain('s2');
    expect(await a.rotateRefreshToken(rotation(s, 's2-0', T0 + 5, refresh(s, 's2-1'), access(s, 'j2')))).toBe(true);
    expect(await a.rotateRefreshToken(rotation(s, 's2-0', T0 + 6, refresh(s, 's2-x'), access(s, 'j2x')))).toBe(false);
    expect(await a.rotateRefreshToken(rotation(s, 'nothing', T0 + 6, refresh(s, 's2-y'), access(s, 'j2y')))).toBe(false);
    for (const name of ['s2-x', 's2-y']) expect(await a.getRefreshToken(sha(name))).toBeUndefined();
    for (const jti of ['j2x', 'j2y']) expect(await a.getAccessToken(jti)).toBeUndefined();
    expect((await a.getRefreshToken(sha('s2-0')))?.successorHash).toBe(sha('s2-1'));
    await expect(a.rotateRefreshToken(rotation(s, 's2-1', T0, refresh(s, 'z', { hash: 'raw' }), access(s, 'jz')))).rejects.toThrow(TypeError);
    // The session gone: not_found, as updateSession, and nothing written.
    const gone = session({ id: 'gone', userId: 'u' });
    await expect(a.rotateRefreshToken(rotation(gone, 's2-1', T0 + 7, refresh(s, 'g1'), access(s, 'jg'))))
      .rejects.toMatchObject({ code: 'not_found' });
    expect(await a.getRefreshToken(sha('g1'))).toBeUndefined();
    expect((await a.getRefreshToken(sha('s2-1')))?.usedAt).toBeNull();
  });

  it('of two rotations racing on two stores, exactly one wins and only its rows exist', async () => {
    for (let round = 0; round < 8; round++) {
      const id = `race${round}`;
      const s = await chain(id);
      // Each in a transaction of its own, as a refresh batch runs: the loser waits for the winner's row lock.
      const results = await Promise.all([a, b].map((store, i) => store.transaction(() =>
        store.rotateRefreshToken(rotation(s, `${id}-0`, T0 + 5, refresh(s, `${id}-by${i}`), access(s, `${id}-j${i}`))))));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      const loser = 1 - winner;
      expect((await a.getRefreshToken(sha(`${id}-0`)))?.successorHash).toBe(sha(`${id}-by${winner}`));
      expect(await a.getRefreshToken(sha(`${id}-by${winner}`))).toBeDefined();
      expect(await a.getRefreshToken(sha(`${id}-by${loser}`))).toBeUndefined();
      expect(await a.getAccessToken(`${id}-j${winner}`)).toBeDefined();
      expect(await a.getAccessToken(`${id}-j${loser}`)).toBeUndefined();
    }
  });
});
