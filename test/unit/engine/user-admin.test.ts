/** User management: the lock as a status, unlock, passwords set by an admin, profile edits, deletion. */
import { describe, expect, it } from 'vitest';
import type { Receipt, UserDetail } from '../../../src/shared/dto';
import { ADMIN, MINUTE, PASSWORD, PHONE, expectCode, makeHarness, type Harness } from './harness';

const NEW_PASSWORD = 'a brand new secret';

async function lockOut(h: Harness): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await expectCode(() => h.engine.login({ username: 'ana', password: 'wrong password', clientId: 'mobile', device: PHONE, rememberMe: false }), 'invalid_credentials');
  }
}
const detail = async (h: Harness) => (await h.engine.admin.getUser({ userId: h.userId }, ADMIN)) as UserDetail;
const audit = async (h: Harness, type: string) => ((await h.engine.admin.listAudit({ type }, ADMIN)) as { items: { actor: string; userId: string | null; data: Record<string, unknown> }[] }).items;

describe('a locked user', () => {
  it('reads "locked" with when it unlocks and the failed-login count that locked them, not "active" and 0', async () => {
    const h = await makeHarness();
    await lockOut(h);
    const user = await detail(h);
    expect(user).toMatchObject({ status: 'locked', failedLogins: 5, lockedUntil: h.clock.now() + 15 * MINUTE });
    const listed = await h.engine.admin.listUsers({ status: 'locked' }, ADMIN) as { items: { id: string; status: string }[]; total: number };
    expect(listed).toMatchObject({ total: 1, items: [{ id: h.userId, status: 'locked' }] });
    expect(((await h.engine.admin.listUsers({ status: 'active' }, ADMIN)) as { total: number }).total).toBe(0);
  });

  it('when the lock ends reads active with 0 failures, and has the whole allowance again', async () => {
    const h = await makeHarness();
    await lockOut(h);
    h.clock.advance(15 * MINUTE);
    expect(await detail(h)).toMatchObject({ status: 'active', failedLogins: 0, lockedUntil: null });
    for (let i = 1; i <= 4; i += 1) {
      await expectCode(() => h.engine.login({ username: 'ana', password: 'wrong password', clientId: 'mobile', device: PHONE, rememberMe: false }), 'invalid_credentials');
      expect(await detail(h)).toMatchObject({ status: 'active', failedLogins: i });
    }
    await expect(h.login()).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(await detail(h)).toMatchObject({ status: 'active', failedLogins: 0 });
  });

  it('is unlocked by an operator at once: the right password works, audited with the actor', async () => {
    const h = await makeHarness();
    await lockOut(h);
    await expectCode(() => h.login(), 'login_throttled');
    const lockedUntil = (await detail(h)).lockedUntil;
    const after = await h.engine.admin.unlockUser({ userId: h.userId, reason: 'called the help desk' }, ADMIN) as UserDetail;
    expect(after).toMatchObject({ status: 'active', failedLogins: 0, lockedUntil: null });
    await expect(h.login()).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(await audit(h, 'user.unlocked')).toEqual([expect.objectContaining({ actor: ADMIN.actor, userId: h.userId, data: expect.objectContaining({ lockedUntil, failedLogins: 5 }) })]);
    // Unlocking a user who is not locked changes and audits nothing.
    await h.engine.admin.unlockUser({ userId: h.userId }, ADMIN);
    expect(await audit(h, 'user.unlocked')).toHaveLength(1);
    await expectCode(() => h.engine.admin.unlockUser({ userId: 'usr_nope' }, ADMIN), 'not_found');
  });
});

describe('setUserPassword', () => {
  it('replaces the password and, by default, signs the user out everywhere (feed event, receipt)', async () => {
    const h = await makeHarness();
    const tokens = await h.login();
    const receipt = (await h.engine.admin.setUserPassword({ userId: h.userId, password: NEW_PASSWORD }, ADMIN)) as Receipt;
    expect(receipt).toMatchObject({ action: 'setUserPassword', actor: ADMIN.actor, sessionsRevoked: [tokens.sessionId] });
    expect(receipt.feedEventId).toBeGreaterThan(0);
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false });
    await expectCode(() => h.login(), 'invalid_credentials');
    await expect(h.engine.login({ username: 'ana', password: NEW_PASSWORD, clientId: 'mobile', device: PHONE, rememberMe: false })).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(await audit(h, 'user.password_set')).toEqual([expect.objectContaining({ actor: ADMIN.actor, data: expect.objectContaining({ revokeSessions: true, sessionsRevoked: 1 }) })]);
    // The password itself is in no audit entry.
    const everything = JSON.stringify(await h.engine.admin.listAudit({ limit: 500 }, ADMIN));
    expect(everything).not.toContain(NEW_PASSWORD);
  });

  it('keeps sessions when asked to, and clears a lock', async () => {
    const h = await makeHarness();
    const tokens = await h.login();
    await lockOut(h);
    const receipt = (await h.engine.admin.setUserPassword({ userId: h.userId, password: NEW_PASSWORD, revokeSessions: false }, ADMIN)) as Receipt;
    expect(receipt.sessionsRevoked).toEqual([]);
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: true });
    expect(await detail(h)).toMatchObject({ status: 'active', failedLogins: 0 });
    await expectCode(() => h.engine.admin.setUserPassword({ userId: 'usr_nope', password: NEW_PASSWORD }, ADMIN), 'not_found');
  });
});

describe('updateUser', () => {
  it('saves display name, email and attributes, audits each change, and the search finds them', async () => {
    const h = await makeHarness();
    const updated = await h.engine.admin.updateUser({ userId: h.userId, displayName: 'Ana Lima', email: 'ana.lima@corp.example', attributes: { team: 'payments' } }, ADMIN) as UserDetail;
    expect(updated).toMatchObject({ displayName: 'Ana Lima', email: 'ana.lima@corp.example', attributes: { team: 'payments' } });
    const [entry] = await audit(h, 'user.updated');
    expect(entry).toMatchObject({ actor: ADMIN.actor, data: { changes: { displayName: { from: null, to: 'Ana Lima' }, email: { from: null, to: 'ana.lima@corp.example' }, attributes: { from: {}, to: { team: 'payments' } } } } });
    for (const search of ['LIMA', 'corp.exam', 'na li']) {
      expect(((await h.engine.admin.listUsers({ search }, ADMIN)) as { items: { id: string }[] }).items.map((u) => u.id)).toEqual([h.userId]);
    }
    // Nothing changed: no entry. Null clears.
    await h.engine.admin.updateUser({ userId: h.userId, displayName: 'Ana Lima' }, ADMIN);
    expect(await audit(h, 'user.updated')).toHaveLength(1);
    expect(await h.engine.admin.updateUser({ userId: h.userId, email: null }, ADMIN)).toMatchObject({ email: null, displayName: 'Ana Lima' });
  });

  it('sorts on the server by username, last login and status', async () => {
    const h = await makeHarness();
    const ids: Record<string, string> = { ana: h.userId };
    for (const name of ['carla', 'bruno']) ids[name] = ((await h.engine.admin.createUser({ username: name, password: PASSWORD }, ADMIN)) as { id: string }).id;
    await h.engine.admin.blockUser({ userId: ids.carla! }, ADMIN);
    await h.login(PHONE, false, 'bruno');
    const order = async (by: 'username' | 'lastLoginAt' | 'status', dir: 'asc' | 'desc') =>
      ((await h.engine.admin.listUsers({ sort: { by, dir } }, ADMIN)) as { items: { username: string }[] }).items.map((u) => u.username);
    expect(await order('username', 'asc')).toEqual(['ana', 'bruno', 'carla']);
    expect(await order('username', 'desc')).toEqual(['carla', 'bruno', 'ana']);
    expect((await order('lastLoginAt', 'desc'))[0]).toBe('bruno');
    expect((await order('status', 'desc'))[0]).toBe('carla');
  });
});

describe('deleteUser', () => {
  it('refuses without the username typed as confirmation', async () => {
    const h = await makeHarness();
    await expectCode(() => h.engine.admin.deleteUser({ userId: h.userId, confirm: 'ANA' }, ADMIN), 'invalid_input');
    expect((await detail(h)).username).toBe('ana');
  });

  it('revokes every session first (published), removes the user and their rows, and the audit keeps the record', async () => {
    const h = await makeHarness();
    const phone = await h.login();
    const second = await h.login();
    const revocations: { kind: string; subject: string }[] = [];
    h.engine.onRevocation((row) => revocations.push(row));
    const receipt = (await h.engine.admin.deleteUser({ userId: h.userId, confirm: 'ana', reason: 'left the company' }, ADMIN)) as Receipt;
    expect(receipt).toMatchObject({ action: 'deleteUser', actor: ADMIN.actor, reason: 'left the company' });
    expect([...receipt.sessionsRevoked].sort()).toEqual([phone.sessionId, second.sessionId].sort());
    expect(revocations).toEqual([expect.objectContaining({ kind: 'user', subject: h.userId })]);
    expect(receipt.feedEventId).toBe((revocations[0] as unknown as { id: number }).id);
    expect(await h.engine.verifyAccessToken(phone.accessToken)).toMatchObject({ active: false });
    await expectCode(() => h.engine.refresh({ refreshToken: phone.refreshToken, clientId: 'mobile' } as never), 'invalid_refresh_token');
    await expectCode(() => h.engine.admin.getUser({ userId: h.userId }, ADMIN), 'not_found');
    expect(await h.store.getSession(phone.sessionId)).toBeUndefined();
    expect(((await h.engine.admin.listUsers({ search: 'ana' }, ADMIN)) as { total: number }).total).toBe(0);
    // The audit keeps everything that named the user, and says who was deleted and by whom.
    const types = ((await h.engine.admin.listAudit({ userId: h.userId, limit: 100 }, ADMIN)) as { items: { type: string }[] }).items.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['user.created', 'user.login', 'session.revoked', 'user.forced_out', 'user.deleted']));
    expect(await audit(h, 'user.deleted')).toEqual([expect.objectContaining({ actor: ADMIN.actor, data: expect.objectContaining({ username: 'ana', sessionsRevoked: 2 }) })]);
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true });
    // The name is free again; the new account is another user.
    const again = (await h.engine.admin.createUser({ username: 'ana', password: PASSWORD }, ADMIN)) as { id: string };
    expect(again.id).not.toBe(h.userId);
    await expect(h.login()).resolves.toMatchObject({ tokenType: 'Bearer' });
    await expectCode(() => h.engine.admin.deleteUser({ userId: h.userId, confirm: 'ana' }, ADMIN), 'not_found');
  });
});
