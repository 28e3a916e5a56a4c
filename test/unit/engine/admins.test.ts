/**
 * Named admins in the engine: roles enforced by dispatchAdmin (the HTTP and IPC transports both call it),
 * refusals audited, the last owner kept, disabling and password resets ending sessions and keys, the
 * sign-in throttle under concurrency, TOTP, session lifetimes on the injected clock, API keys.
 */
import { describe, expect, it } from 'vitest';
import { dispatchAdmin, type ActorContext } from '../../../src/main/engine/dispatch';
import { sha256Hex } from '../../../src/main/engine/crypto';
import { passwordEvaluations } from '../../../src/main/engine/passwords';
import { base32Decode, totp } from '../../../src/main/engine/totp';
import { WardenError } from '../../../src/shared/errors';
import { adminSchema } from '../../../src/shared/admin-accounts';
import { ADMIN_ROLES } from '../../../src/shared/admin-api';
import { ADMIN, asRole, makeHarness, PHONE, type Harness } from './harness';

const PW = 'admin password 1';
const CLIENT = { ip: '127.0.0.9', userAgent: 'vitest' };

async function named(h: Harness, username: string, role: 'viewer' | 'operator' | 'owner') {
  const { id } = await h.engine.admin.createAdmin({ username, password: PW, role }, ADMIN);
  return id;
}
const signIn = (h: Harness, username: string, password = PW, code?: string) => h.engine.adminAccess.login({ username, password, totp: code, ...CLIENT });
const failure = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a failure'); }, (error: WardenError) => error.code);

describe('roles in dispatchAdmin', () => {
  it('speaks the contract\'s roles in the admin outputs too', () => {
    expect(adminSchema.shape.role.options).toEqual([...ADMIN_ROLES]);
  });


  it('refuses a viewer a destructive method with forbidden, audits it, and changes nothing', async () => {
    const h = await makeHarness();
    const session = await h.login(PHONE);
    await named(h, 'vera', 'viewer');
    const { who } = await signIn(h, 'vera');
    const result = await dispatchAdmin(h.engine.admin, 'revokeSession', { sessionId: session.sessionId, reason: 'x' }, who);
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await h.store.getSession(session.sessionId))?.revokedAt).toBeNull();
    const entry = (await h.store.listAudit({ type: 'admin.forbidden', limit: 5 }))[0];
    expect(entry).toMatchObject({ actor: 'admin:vera', data: { method: 'revokeSession', role: 'viewer', needed: 'operator' } });
    // Reads are the viewer's; so is looking at itself.
    expect(await dispatchAdmin(h.engine.admin, 'listSessions', {}, who)).toMatchObject({ ok: true });
    expect(await dispatchAdmin(h.engine.admin, 'getSignedInAdmin', {}, who)).toMatchObject({ ok: true, value: { actor: 'admin:vera', role: 'viewer', admin: { username: 'vera' } } });
  });

  it('checks the role before the input: a refused caller learns nothing from validation', async () => {
    const h = await makeHarness();
    const result = await dispatchAdmin(h.engine.admin, 'createAdmin', { username: '', nonsense: true }, asRole('operator'));
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('lets each role do what it includes: operator incident actions, owner admin management', async () => {
    const h = await makeHarness();
    const session = await h.login(PHONE);
    expect(await dispatchAdmin(h.engine.admin, 'revokeSession', { sessionId: session.sessionId }, asRole('operator'))).toMatchObject({ ok: true });
    expect(await dispatchAdmin(h.engine.admin, 'updateSettings', { maxFailedLogins: 9 }, asRole('operator'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await dispatchAdmin(h.engine.admin, 'createAdmin', { username: 'olga', password: PW, role: 'operator' }, asRole('owner'))).toMatchObject({ ok: true });
    expect((await h.store.listAudit({ type: 'admin.created', limit: 5 }))[0]).toMatchObject({ actor: 'admin:owner', data: { username: 'olga', role: 'operator' } });
  });
});

describe('admin accounts', () => {
  it("refuses a taken username whatever its case, and the engine actors' names", async () => {
    const h = await makeHarness();
    await named(h, 'Olga', 'owner');
    await expect(h.engine.admin.createAdmin({ username: 'olga', password: PW, role: 'viewer' }, ADMIN)).rejects.toMatchObject({ code: 'conflict' });
    await expect(h.engine.admin.createAdmin({ username: 'bootstrap', password: PW, role: 'owner' }, ADMIN)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('never lets the last enabled owner be demoted or disabled', async () => {
    const h = await makeHarness();
    const olga = await named(h, 'olga', 'owner');
    const omar = await named(h, 'omar', 'owner');
    await expect(h.engine.admin.updateAdmin({ adminId: olga, disabled: true }, ADMIN)).resolves.toBeDefined();
    await expect(() => h.engine.admin.updateAdmin({ adminId: omar, role: 'operator' }, ADMIN)).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
    await expect(() => h.engine.admin.updateAdmin({ adminId: omar, disabled: true }, ADMIN)).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
    // Re-enabled, olga is an owner again, and then omar may step down.
    await h.engine.admin.updateAdmin({ adminId: olga, disabled: false }, ADMIN);
    expect(await h.engine.admin.updateAdmin({ adminId: omar, role: 'viewer' }, ADMIN)).toMatchObject({ role: 'viewer' });
    expect(await h.store.admins.countEnabledOwners()).toBe(1);
  });

  it('keeps one owner when two owners are demoted at once', async () => {
    const h = await makeHarness();
    const [olga, omar] = [await named(h, 'olga', 'owner'), await named(h, 'omar', 'owner')];
    const results = await Promise.all([
      dispatchAdmin(h.engine.admin, 'updateAdmin', { adminId: olga, role: 'operator' }, ADMIN),
      dispatchAdmin(h.engine.admin, 'updateAdmin', { adminId: omar, disabled: true }, ADMIN),
    ]);
    expect(results.map((result) => (result.ok ? 'ok' : result.error.code)).sort()).toEqual(['conflict', 'ok']);
    expect(await h.store.admins.countEnabledOwners()).toBe(1);
  });

  it('ends every session and revokes every key of an admin who is disabled; re-enabling revives none', async () => {
    const h = await makeHarness();
    const ida = await named(h, 'ida', 'operator');
    const first = await signIn(h, 'ida');
    const second = await signIn(h, 'ida');
    const { key } = await h.engine.admin.createAdminKey({ adminId: ida, name: 'ci' }, ADMIN);
    expect(await h.engine.adminAccess.authenticateKey(key)).toMatchObject({ actor: 'admin:ida', role: 'operator' });
    await h.engine.admin.updateAdmin({ adminId: ida, disabled: true }, ADMIN);
    expect(await h.engine.adminAccess.authenticateSession(first.token)).toBeUndefined();
    expect(await h.engine.adminAccess.authenticateSession(second.token)).toBeUndefined();
    expect(await h.engine.adminAccess.authenticateKey(key)).toBeUndefined();
    expect(await failure(signIn(h, 'ida'))).toBe('unauthorized');
    await h.engine.admin.updateAdmin({ adminId: ida, disabled: false }, ADMIN);
    expect(await h.engine.adminAccess.authenticateSession(first.token)).toBeUndefined();
    expect(await h.engine.adminAccess.authenticateKey(key)).toBeUndefined();
    expect((await h.store.listAudit({ type: 'admin.session_ended', limit: 5 }))[0]).toMatchObject({ actor: 'admin:test', reason: 'admin disabled' });
  });

  it('a password reset ends the sessions and keys; the old password stops, the new one works', async () => {
    const h = await makeHarness();
    const ida = await named(h, 'ida', 'viewer');
    const before = await signIn(h, 'ida');
    const { key } = await h.engine.admin.createAdminKey({ adminId: ida, name: 'ci' }, ADMIN);
    await h.engine.admin.resetAdminPassword({ adminId: ida, password: 'a brand new one' }, ADMIN);
    expect(await h.engine.adminAccess.authenticateSession(before.token)).toBeUndefined();
    expect(await h.engine.adminAccess.authenticateKey(key)).toBeUndefined();
    expect(await failure(signIn(h, 'ida'))).toBe('invalid_credentials');
    await expect(signIn(h, 'ida', 'a brand new one')).resolves.toMatchObject({ who: { actor: 'admin:ida' } });
  });

  it('changing one\'s own password needs the current one and ends the other sessions only', async () => {
    const h = await makeHarness();
    await named(h, 'ida', 'viewer');
    const here = await signIn(h, 'ida');
    const elsewhere = await signIn(h, 'ida');
    expect(await dispatchAdmin(h.engine.admin, 'changeAdminPassword', { currentPassword: 'wrong one', newPassword: 'another one!' }, here.who)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await dispatchAdmin(h.engine.admin, 'changeAdminPassword', { currentPassword: PW, newPassword: 'another one!' }, here.who)).toMatchObject({ ok: true });
    expect(await h.engine.adminAccess.authenticateSession(here.token)).toBeDefined();
    expect(await h.engine.adminAccess.authenticateSession(elsewhere.token)).toBeUndefined();
    expect(await dispatchAdmin(h.engine.admin, 'changeAdminPassword', { currentPassword: PW, newPassword: 'x'.repeat(9) }, ADMIN)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});

describe('admin sign-in', () => {
  it('evaluates at most maxFailedLogins of 200 concurrent wrong passwords, then locks for loginLockSeconds', async () => {
    const h = await makeHarness();
    await named(h, 'ida', 'owner');
    const before = passwordEvaluations();
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => failure(signIn(h, 'ida', 'wrong password'))));
    expect(passwordEvaluations() - before).toBeLessThanOrEqual(h.engine.ctx.settings.maxFailedLogins);
    expect(outcomes.filter((code) => code === 'invalid_credentials').length).toBe(h.engine.ctx.settings.maxFailedLogins);
    expect(new Set(outcomes)).toEqual(new Set(['invalid_credentials', 'login_throttled']));
    // Locked: even the right password is refused without being looked at, until the lock ends.
    const locked = passwordEvaluations();
    expect(await failure(signIn(h, 'ida'))).toBe('login_throttled');
    expect(passwordEvaluations()).toBe(locked);
    h.clock.advance(h.engine.ctx.settings.loginLockSeconds * 1000);
    await expect(signIn(h, 'ida')).resolves.toMatchObject({ who: { actor: 'admin:ida' } });
  });

  it('with TOTP: no code is totp_required (no session), a wrong code counts as a failure, a code works once', async () => {
    const h = await makeHarness();
    h.clock.set(1_764_590_000_000);
    await named(h, 'ida', 'operator');
    const { who } = await signIn(h, 'ida');
    const { secret, otpauthUri } = await h.engine.admin.beginAdminTotp({}, who);
    expect(otpauthUri).toContain(`secret=${secret}`);
    const key = base32Decode(secret);
    await expect(() => h.engine.admin.confirmAdminTotp({ code: '000000' === totp(key, h.clock.now()) ? '111111' : '000000' }, who)).rejects.toThrow(expect.objectContaining({ code: 'invalid_input' }));
    await h.engine.admin.confirmAdminTotp({ code: totp(key, h.clock.now()) }, who);
    const sessionsBefore = (await h.store.admins.listLiveSessions(undefined, h.clock.now(), 100)).length;
    expect(await failure(signIn(h, 'ida'))).toBe('totp_required');
    expect(await h.store.admins.listLiveSessions(undefined, h.clock.now(), 100)).toHaveLength(sessionsBefore);
    expect((await h.store.admins.getAdminByUsername('ida'))?.failedLogins).toBe(0);
    expect(await failure(signIn(h, 'ida', PW, totp(key, h.clock.now() - 120_000)))).toBe('invalid_credentials');
    expect((await h.store.admins.getAdminByUsername('ida'))?.failedLogins).toBe(1);
    h.clock.advance(30_000);
    const code = totp(key, h.clock.now());
    await expect(signIn(h, 'ida', PW, code)).resolves.toMatchObject({ who: { actor: 'admin:ida' } });
    // The same code again (a replay) is refused.
    expect(await failure(signIn(h, 'ida', PW, code))).toBe('invalid_credentials');
    // Removing another admin's TOTP is an owner's call: refused and audited for the operator.
    const other = await named(h, 'omar', 'operator');
    await expect(() => h.engine.admin.removeAdminTotp({ adminId: other }, who)).rejects.toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect((await h.store.listAudit({ type: 'admin.forbidden', limit: 1 }))[0]).toMatchObject({ actor: 'admin:ida', data: { method: 'removeAdminTotp' } });
  });

  it('when owners require TOTP, an admin without it may only enroll until they have', async () => {
    const h = await makeHarness();
    h.clock.set(1_764_590_000_000);
    await named(h, 'ida', 'operator');
    await h.engine.admin.updateSettings({ adminTotpRequired: true }, ADMIN);
    const { who } = await signIn(h, 'ida');
    expect(who.mustEnrollTotp).toBe(true);
    expect(await dispatchAdmin(h.engine.admin, 'listUsers', {}, who)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await dispatchAdmin(h.engine.admin, 'getSignedInAdmin', {}, who)).toMatchObject({ ok: true, value: { totpEnrollmentRequired: true } });
    const begun = await dispatchAdmin(h.engine.admin, 'beginAdminTotp', {}, who);
    const { secret } = (begun as { ok: true; value: { secret: string } }).value;
    expect(await dispatchAdmin(h.engine.admin, 'confirmAdminTotp', { code: totp(base32Decode(secret), h.clock.now()) }, who)).toMatchObject({ ok: true });
    h.clock.advance(30_000);
    const again = await signIn(h, 'ida', PW, totp(base32Decode(secret), h.clock.now()));
    expect(again.who.mustEnrollTotp).toBe(false);
    expect(await dispatchAdmin(h.engine.admin, 'listUsers', {}, again.who)).toMatchObject({ ok: true });
  });
});

describe('admin console sessions', () => {
  it('end after the idle lifetime without a request, and at the absolute lifetime whatever the activity', async () => {
    const h = await makeHarness();
    await named(h, 'ida', 'viewer');
    const idle = h.engine.ctx.settings.adminIdleSeconds * 1000;
    const absolute = h.engine.ctx.settings.adminAbsoluteSeconds * 1000;
    expect([idle, absolute]).toEqual([30 * 60_000, 12 * 3600_000]);
    const quiet = await signIn(h, 'ida');
    const busy = await signIn(h, 'ida');
    h.clock.advance(idle - 1);
    expect(await h.engine.adminAccess.authenticateSession(busy.token)).toBeDefined();
    h.clock.advance(1);
    expect(await h.engine.adminAccess.authenticateSession(quiet.token)).toBeUndefined();
    // Used every 29 minutes, the busy one lives to exactly its absolute lifetime.
    while (h.clock.now() + 29 * 60_000 < busy.session.absoluteExpiresAt) {
      h.clock.advance(29 * 60_000);
      expect(await h.engine.adminAccess.authenticateSession(busy.token)).toBeDefined();
    }
    h.clock.set(busy.session.absoluteExpiresAt - 1);
    expect(await h.engine.adminAccess.authenticateSession(busy.token)).toBeDefined();
    h.clock.advance(1);
    expect(await h.engine.adminAccess.authenticateSession(busy.token)).toBeUndefined();
    expect(absolute).toBe(busy.session.absoluteExpiresAt - busy.session.createdAt);
  });

  it('are stored as hashes, survive a restart, and are listed and revoked by owners', async () => {
    const h = await makeHarness();
    const ida = await named(h, 'ida', 'viewer');
    const opened = await signIn(h, 'ida');
    expect((await h.store.admins.getSession(opened.session.id))?.tokenHash).toBe(sha256Hex(opened.token));
    await h.restart();
    expect(await h.engine.adminAccess.authenticateSession(opened.token)).toMatchObject({ who: { actor: 'admin:ida', adminSessionId: opened.session.id } });
    const listed = await h.engine.admin.listAdminSessions({ adminId: ida }, opened.who);
    expect(listed).toEqual([expect.objectContaining({ id: opened.session.id, actor: 'admin:ida', ip: CLIENT.ip, current: true })]);
    expect(await h.engine.admin.revokeAdminSession({ sessionId: opened.session.id }, ADMIN)).toMatchObject({ id: opened.session.id });
    expect(await h.engine.adminAccess.authenticateSession(opened.token)).toBeUndefined();
    expect(await h.engine.admin.listAdminSessions({ adminId: ida }, ADMIN)).toEqual([]);
  });

  it('sign out everywhere ends every session of that admin and no one else\'s', async () => {
    const h = await makeHarness();
    await named(h, 'ida', 'viewer');
    await named(h, 'omar', 'viewer');
    const [a, b, c] = [await signIn(h, 'ida'), await signIn(h, 'ida'), await signIn(h, 'omar')];
    expect(await h.engine.adminAccess.signOutEverywhere(a.who)).toBe(2);
    expect(await h.engine.adminAccess.authenticateSession(b.token)).toBeUndefined();
    expect(await h.engine.adminAccess.authenticateSession(c.token)).toBeDefined();
    const link = await h.engine.adminAccess.openBootstrapSession(CLIENT);
    expect(link.who).toMatchObject({ actor: 'admin:bootstrap', role: 'owner', adminId: null });
    // Signed out once the call resolves: on PostgreSQL a read made right after it runs at once on another
    // connection (on SQLite it would wait for the open transaction), so the call must wait for the commit.
    await h.engine.adminAccess.signOut(link.session.id, link.who);
    expect(await h.engine.adminAccess.authenticateSession(link.token)).toBeUndefined();
  });
});

describe('admin API keys', () => {
  it('are shown once, stored as SHA-256, act as their admin, record their last use, and stop when revoked', async () => {
    const h = await makeHarness();
    const ida = await named(h, 'ida', 'operator');
    const { keyId, key } = await h.engine.admin.createAdminKey({ adminId: ida, name: 'deploy bot' }, ADMIN);
    expect(key).toMatch(/^twk_[A-Za-z0-9_-]{43}$/);
    const row = (await h.store.admins.getKey(keyId))!;
    expect(row.keyHash).toBe(sha256Hex(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(4));
    expect(JSON.stringify(await h.engine.admin.listAdminKeys({}, ADMIN))).not.toContain(key.slice(4));
    expect(await h.engine.admin.listAdminKeys({ adminId: ida }, ADMIN)).toEqual([expect.objectContaining({ keyId, name: 'deploy bot', username: 'ida', lastUsedAt: null, revokedAt: null })]);

    const who: ActorContext | undefined = await h.engine.adminAccess.authenticateKey(key);
    expect(who).toEqual({ actor: 'admin:ida', role: 'operator', adminId: ida, adminSessionId: null });
    const firstUse = h.clock.now();
    expect((await h.store.admins.getKey(keyId))?.lastUsedAt).toBe(firstUse);
    h.clock.advance(60_000);
    await h.engine.adminAccess.authenticateKey(key);
    expect((await h.store.admins.getKey(keyId))?.lastUsedAt).toBe(firstUse + 60_000);

    expect(await h.engine.admin.revokeAdminKey({ keyId }, ADMIN)).toMatchObject({ keyId, revokedBy: 'admin:test' });
    expect(await h.engine.adminAccess.authenticateKey(key)).toBeUndefined();
    expect(await h.engine.adminAccess.authenticateKey(`twk_${'A'.repeat(43)}`)).toBeUndefined();
    expect((await h.store.listAudit({ type: 'admin.key_revoked', limit: 1 }))[0]).toMatchObject({ actor: 'admin:test', data: { keyId } });
  });
});
