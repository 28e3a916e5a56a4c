/**
 * Fault injection: a store whose transactions run their work and then fail to commit, as SQLite does when
 * the disk is full. Whatever failed to commit must not show in memory: the key that signs, the JWKS, the
 * key statuses, the settings. And after a restart on the same file, every token the engine handed out verifies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../../../src/main/engine/clock';
import { Engine } from '../../../src/main/engine/engine';
import { MemoryVault } from '../../../src/main/keys/memory-vault';
import { openStore } from '../../../src/main/store';
import { commitFailing } from './commit-failing-store';
import { ADMIN, ISSUER, PASSWORD, PHONE, SECOND, describeSqliteOnly } from './harness';


/** The store reports SQLite's failure as a coded error, with SQLite's own code kept in `detail`. */
const DISK_FULL = expect.objectContaining({ code: 'storage_error', detail: expect.stringContaining('SQLITE_FULL') });

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'warden-commit-'));
  dirs.push(dir);
  const path = join(dir, 'warden.db');
  const clock = new ManualClock();
  const vault = new MemoryVault();
  const faulty = commitFailing(openStore(path));
  let engine = await Engine.open({ store: faulty.store, vault, clock, issuer: ISSUER });
  await engine.admin.createUser({ username: 'ana', password: PASSWORD }, ADMIN);
  await engine.admin.createClient({ clientId: 'mobile', kind: 'public', name: 'Mobile app', grantTypes: ['password', 'refresh_token'] }, ADMIN);
  const login = () => engine.login({ username: 'ana', password: PASSWORD, clientId: 'mobile', device: PHONE, rememberMe: false });
  const memory = async () => ({
    activeKid: engine.ctx.keys.activeKid(),
    jwks: engine.jwks().keys.map((key) => key.kid),
    statuses: (await engine.store.listKeys()).map((key) => [key.kid, engine.ctx.keys.status(key.kid)]),
    settings: engine.ctx.settings,
  });
  const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
  const restart = async () => {
    await engine.close();
    engine = await Engine.open({ store: openStore(path), vault, clock, issuer: ISSUER });
    return engine;
  };
  return { get engine() { return engine; }, faulty, vault, clock, login, memory, kidOf, restart };
}

/** The fault injected is SQLite's (SQLITE_FULL at commit, reported with its code in `detail`). */
const describeDiskFull = describeSqliteOnly("injects SQLite's disk-full failure at commit (SQLITE_FULL)");

describeDiskFull('a transaction that fails to commit changes nothing in memory', () => {
  it('a failed rotation keeps signing with the committed key, publishes no new key, and every token verifies after a restart', async () => {
    const t = await setup();
    const before = await t.memory();
    const vaultBefore = [...(await Promise.all((await t.engine.store.listKeys()).map(async (key) => [key.kid, await t.vault.get(key.kid)])))];
    t.faulty.fail(true);
    // Routine (the next key would sign) and an algorithm change (new keys would sign).
    await expect(t.engine.admin.rotateSigningKey({ reason: 'disk is full' }, ADMIN)).rejects.toThrow(DISK_FULL);
    expect(await t.memory()).toEqual(before);
    await expect(t.engine.admin.rotateSigningKey({ alg: 'ES256' }, ADMIN)).rejects.toThrow(DISK_FULL);
    t.faulty.fail(false);
    expect(await t.memory()).toEqual(before);
    // The private halves the failed rotations generated were taken out of the vault again; the others stay.
    for (const [kid, privateJwk] of vaultBefore) expect(await t.vault.get(kid!)).toBe(privateJwk);

    const token = await t.login();
    expect(t.kidOf(token.accessToken)).toBe(before.activeKid);
    const engine = await t.restart();
    expect(await engine.verifyAccessToken(token.accessToken)).toMatchObject({ active: true });
    expect(engine.ctx.keys.activeKid()).toBe(before.activeKid);
  });

  it('a failed emergency revoke leaves the key signing and its tokens valid', async () => {
    const t = await setup();
    const token = await t.login();
    const before = await t.memory();
    t.faulty.fail(true);
    await expect(t.engine.admin.revokeSigningKey({ kid: before.activeKid!, reason: 'leaked' }, ADMIN)).rejects.toThrow(DISK_FULL);
    const next = (await t.engine.store.listKeys()).find((key) => key.status === 'next')!;
    await expect(t.engine.admin.revokeSigningKey({ kid: next.kid }, ADMIN)).rejects.toThrow(DISK_FULL);
    t.faulty.fail(false);
    expect(await t.memory()).toEqual(before);
    expect(await t.engine.verifyAccessToken(token.accessToken)).toMatchObject({ active: true });
    expect(await t.engine.revocationsAfter(0, 10)).toEqual([]);
  });

  it('a failed retirement keeps the retiring key verifying; the next maintenance retires it', async () => {
    const t = await setup();
    const token = await t.login();
    const old = t.engine.ctx.keys.activeKid()!;
    await t.engine.admin.rotateSigningKey({}, ADMIN);
    t.clock.advance(605 * SECOND);
    t.faulty.fail(true);
    await expect(() => t.engine.maintain()).rejects.toThrow(DISK_FULL);
    t.faulty.fail(false);
    expect(t.engine.ctx.keys.status(old)).toBe('retiring');
    // The ring (committed state) still publishes it; the served JWKS leaves it out by the clock alone.
    expect(t.engine.ctx.keys.publicJwks().map((key) => key.kid)).toContain(old);
    await t.engine.maintain();
    expect(t.engine.ctx.keys.status(old)).toBe('retired');
    expect(await t.engine.verifyAccessToken(token.accessToken)).toMatchObject({ active: false, reason: 'retired_kid' });
  });

  it('a client whose creation failed to commit is not served from the client cache, and the audit chain stays whole', async () => {
    const t = await setup();
    t.faulty.fail(true);
    await expect(() => t.engine.admin.createClient({ clientId: 'ghost', kind: 'public', name: 'Ghost' }, ADMIN)).rejects.toThrow(DISK_FULL);
    await expect(async () => t.engine.admin.blockUser({ userId: (await t.engine.store.listUsers({ offset: 0, limit: 1 })).items[0]!.id }, ADMIN)).rejects.toThrow(DISK_FULL);
    t.faulty.fail(false);
    expect(await t.engine.getClient('ghost')).toBeUndefined();
    expect(await t.engine.admin.createClient({ clientId: 'ghost', kind: 'public', name: 'Ghost' }, ADMIN)).toEqual({ clientId: 'ghost' });
    // The chain head in memory did not move with the rolled-back entries: the next entry links to the last committed one.
    expect(await t.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true });
  });

  it('failed settings changes leave the settings in force', async () => {
    const t = await setup();
    const before = await t.memory();
    t.faulty.fail(true);
    await expect(() => t.engine.admin.updateSettings({ accessTokenTtlSeconds: 60 }, ADMIN)).rejects.toThrow(DISK_FULL);
    // A new signingAlg switches access tokens to that algorithm's keys (created first when it has none): a key step, asynchronous.
    await expect(t.engine.admin.updateSettings({ accessTokenTtlSeconds: 60, signingAlg: 'RS256' }, ADMIN)).rejects.toThrow(DISK_FULL);
    t.faulty.fail(false);
    expect(await t.memory()).toEqual(before);
    expect(await t.engine.admin.getSettings({}, ADMIN)).toEqual(before.settings);
    expect(t.kidOf((await t.login()).accessToken)).toBe(before.activeKid);
  });
});
