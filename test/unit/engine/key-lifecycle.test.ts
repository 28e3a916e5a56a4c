/**
 * The key lifecycle next → active → retiring → retired (revoked at any point), seen from outside: what a
 * verifier holding a cached JWKS accepts after each step, what the store and the vault hold, and that every
 * algorithm works end to end.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SignJWT, createLocalJWKSet, importJWK, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/main/engine/clock';
import { Engine } from '../../../src/main/engine/engine';
import { DEFAULT_SIGNING_ALG } from '../../../src/main/engine/settings';
import { MemoryVault } from '../../../src/main/keys/memory-vault';
import { MIGRATIONS, migrate } from '../../../src/main/store/migrations';
import type { SigningAlg } from '../../../src/shared/dto';
import { ADMIN, ISSUER, PASSWORD, PHONE, itSqliteOnly, makeHarness, storeSite, type Harness } from './harness';

const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
const statuses = async (h: { store: Harness['store'] }) => (await h.store.listKeys()).map((key) => key.status);
/** What a resource server that fetched the JWKS now would hold until its next fetch. */
const snapshot = (engine: Engine) => createLocalJWKSet(structuredClone(engine.jwks()) as JSONWebKeySet);
const verifyWith = (jwks: ReturnType<typeof snapshot>, token: string, h: Harness) =>
  jwtVerify(token, jwks, { issuer: ISSUER, audience: 'token-warden-api', typ: 'at+jwt', currentDate: new Date(h.clock.now()) });

const opened: Engine[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

/** An engine on a store of its own (this pass's: test/unit/engine/harness.ts), opened (and reopened) with the given first-key algorithm. */
async function install(initialSigningAlg?: SigningAlg) {
  const site = await storeSite();
  const path = join(site.dir, 'warden.db');
  const vault = new MemoryVault();
  const clock = new ManualClock();
  const open = async (alg = initialSigningAlg) => {
    await opened.pop()?.close();
    const engine = await Engine.open({ store: await site.open(), vault, clock, issuer: ISSUER, initialSigningAlg: alg });
    opened.push(engine);
    return engine;
  };
  return { path, vault, clock, open };
}

/** This case rebuilds warden.db as SQLite schema 3 wrote it. */
const itOnSqliteFile = itSqliteOnly("rebuilds warden.db with SQLite's migrations 1–3");

describe('the next key', () => {
  it('a verifier holding the JWKS fetched before a routine rotation accepts the first token signed after it', async () => {
    const h = await makeHarness();
    const cached = snapshot(h.engine);
    await h.engine.admin.rotateSigningKey({ reason: 'quarterly' }, ADMIN);
    const first = await h.login(PHONE);
    await expect(verifyWith(cached, first.accessToken, h)).resolves.toMatchObject({ protectedHeader: { kid: kidOf(first.accessToken) } });
    // And again after the next routine rotation, with the set fetched after the first one.
    const recached = snapshot(h.engine);
    await h.engine.admin.rotateSigningKey({}, ADMIN);
    await expect(verifyWith(recached, (await h.login(PHONE)).accessToken, h)).resolves.toBeDefined();
  });

  it('an algorithm change signs at once with a key no cached JWKS holds; the unused next key is retired and one of the new algorithm published', async () => {
    const h = await makeHarness({ initialSigningAlg: 'EdDSA' });
    const cached = snapshot(h.engine);
    const [old, oldNext] = await h.store.listKeys();
    const key = await h.engine.admin.rotateSigningKey({ alg: 'ES256', reason: 'verifier support' }, ADMIN);
    expect(key).toMatchObject({ alg: 'ES256', status: 'active' });
    expect(key.kid).not.toBe(oldNext!.kid);
    const token = await h.login(PHONE);
    expect(kidOf(token.accessToken)).toBe(key.kid);
    await expect(verifyWith(cached, token.accessToken, h)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    await expect(verifyWith(snapshot(h.engine), token.accessToken, h)).resolves.toBeDefined();

    const rows = await h.store.listKeys();
    expect(rows.find((k) => k.kid === old!.kid)).toMatchObject({ status: 'retiring' });
    expect(rows.find((k) => k.kid === oldNext!.kid)).toMatchObject({ status: 'retired', retiringSince: null, retiresAt: h.clock.now() });
    const next = rows.find((k) => k.status === 'next')!;
    expect(next.alg).toBe('ES256');
    expect(h.engine.jwks().keys.map((k) => k.kid)).toEqual([key.kid, next.kid, old!.kid]);
    expect(await h.vault.get(oldNext!.kid)).toBeUndefined();
    // The algorithm asked for becomes the setting, so the next routine rotation keeps it (and is gap-free).
    expect(await h.engine.admin.getSettings({}, ADMIN)).toMatchObject({ signingAlg: 'ES256' });
    const recorded = (await h.store.listAudit({ limit: 10 })).filter((entry) => entry.type.startsWith('key.') || entry.type === 'settings.changed');
    expect(recorded.slice(0, 3).map((entry) => [entry.type, entry.data.kid ?? null])).toEqual([['key.retired', oldNext!.kid], ['key.rotated', key.kid], ['settings.changed', null]]);
    expect(recorded[1]!.data).toMatchObject({ previousKid: old!.kid, nextKid: next.kid, gapFree: false });
    const routine = await h.engine.admin.rotateSigningKey({}, ADMIN);
    expect(routine.kid).toBe(next.kid);
  });

  it('a token with a valid signature by the next key is refused as next_kid: the key has signed nothing, so it leaked', async () => {
    const h = await makeHarness();
    const real = (await h.login(PHONE)).accessToken;
    const claims = JSON.parse(Buffer.from(real.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const next = (await h.store.listKeys()).find((k) => k.status === 'next')!;
    const leaked = await importJWK(JSON.parse((await h.vault.get(next.kid))!) as never, next.alg);
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: next.alg, typ: 'at+jwt', kid: next.kid }).sign(leaked);
    expect(await h.engine.verifyAccessToken(forged)).toMatchObject({ active: false, reason: 'next_kid' });
    expect(await h.engine.introspect(forged)).toEqual({ active: false });
    // Without the private half: the next key's kid on a signature it did not make.
    const tampered = `${forged.slice(0, forged.lastIndexOf('.'))}.${real.split('.')[2]}`;
    expect(await h.engine.verifyAccessToken(tampered)).toMatchObject({ active: false, reason: 'bad_signature' });
  });

  it('revoking the next key replaces it and touches nothing the active key signed; the feed carries the revocation', async () => {
    const h = await makeHarness();
    const token = await h.login(PHONE);
    const [active, next] = await h.store.listKeys();
    const receipt = await h.engine.admin.revokeSigningKey({ kid: next!.kid, reason: 'next key exposed' }, ADMIN);
    expect(receipt).toMatchObject({ accessTokensRevoked: 0 });
    expect(await h.engine.revocationsAfter(0, 10)).toEqual([expect.objectContaining({ id: receipt.feedEventId, kind: 'key', subject: next!.kid })]);
    expect(await statuses(h)).toEqual(['active', 'revoked', 'next']);
    const replacement = (await h.store.listKeys())[2]!;
    expect(h.engine.jwks().keys.map((k) => k.kid)).toEqual([active!.kid, replacement.kid]);
    expect(await h.vault.get(next!.kid)).toBeUndefined();
    expect(await h.engine.verifyAccessToken(token.accessToken)).toMatchObject({ active: true });
    expect((await h.engine.admin.rotateSigningKey({}, ADMIN)).kid).toBe(replacement.kid);
  });

  it('concurrent rotations run one after another: each promotes the next key the previous one published', async () => {
    const h = await makeHarness();
    const firstNext = (await h.store.listKeys())[1]!.kid;
    const rotated = await Promise.all([1, 2, 3].map(() => h.engine.admin.rotateSigningKey({}, ADMIN)));
    expect(rotated[0]!.kid).toBe(firstNext);
    expect(new Set(rotated.map((k) => k.kid)).size).toBe(3);
    expect(await statuses(h)).toEqual(['retiring', 'retiring', 'retiring', 'active', 'next']);
    expect(h.engine.ctx.keys.activeKid()).toBe(rotated[2]!.kid);
    expect(kidOf((await h.login(PHONE)).accessToken)).toBe(rotated[2]!.kid);
  });

  it('an open with the next private half lost retires that key unused and publishes a new one', async () => {
    const h = await makeHarness();
    const [active, next] = await h.store.listKeys();
    await h.vault.delete(next!.kid);
    await h.restart();
    const rows = await h.store.listKeys();
    expect(rows.map((k) => [k.kid, k.status])).toEqual([[active!.kid, 'active'], [next!.kid, 'retired'], [rows[2]!.kid, 'next']]);
    expect(await h.vault.get(rows[2]!.kid)).toContain('"d"');
  });
});

describe('installs and upgrades', () => {
  it('a new install with --signing-alg RS256 signs RS256 from its first start, publishes an RS256 next key and keeps RS256', async () => {
    const site = await install('RS256');
    let engine = await site.open();
    expect((await engine.store.listKeys()).map((k) => [k.alg, k.status])).toEqual([['RS256', 'active'], ['RS256', 'next']]);
    expect(await engine.admin.getSettings({}, ADMIN)).toMatchObject({ signingAlg: 'RS256' });
    expect(engine.jwks().keys.map((k) => k.kty)).toEqual(['RSA', 'RSA']);
    expect((await engine.store.listAudit({ limit: 10 })).filter((e) => e.type === 'key.created')).toHaveLength(1);
    // Once keys exist the flag no longer matters, and the algorithm stays recorded with the install.
    engine = await site.open('EdDSA');
    expect(await engine.admin.getSettings({}, ADMIN)).toMatchObject({ signingAlg: 'RS256' });
    expect((await engine.admin.rotateSigningKey({}, ADMIN)).alg).toBe('RS256');
  });

  it('a new install without the flag records the built-in default, and only that field', async () => {
    const engine = await (await install()).open();
    expect(JSON.parse((await engine.store.getSetting('engine_settings'))!)).toEqual({ signingAlg: DEFAULT_SIGNING_ALG });
    expect((await engine.store.listKeys()).map((k) => [k.alg, k.status])).toEqual([[DEFAULT_SIGNING_ALG, 'active'], [DEFAULT_SIGNING_ALG, 'next']]);
  });

  itOnSqliteFile('an install upgraded from schema 3 keeps signing with its key, publishes a next key at open, and keeps EdDSA', async () => {
    const site = await install();
    const old = await site.open();
    const activeRow = (await old.store.listKeys())[0]!;
    const privateJwk = (await site.vault.get(activeRow.kid))!;
    await opened.pop()!.close();
    // Rebuild the file as schema 3 wrote it: the one active key, no next.
    rmSync(site.path);
    rmSync(`${site.path}-wal`, { force: true });
    rmSync(`${site.path}-shm`, { force: true });
    const db = new Database(site.path);
    migrate(db, MIGRATIONS.slice(0, 3));
    db.prepare('INSERT INTO signing_keys (kid, alg, public_jwk, status, created_at) VALUES (?, ?, ?, ?, ?)').run(activeRow.kid, 'EdDSA', activeRow.publicJwk, 'active', activeRow.createdAt);
    db.close();
    await site.vault.put(activeRow.kid, privateJwk);

    const engine = await site.open('RS256');
    const rows = await engine.store.listKeys();
    expect(rows.map((k) => [k.kid === activeRow.kid, k.alg, k.status])).toEqual([[true, 'EdDSA', 'active'], [false, 'EdDSA', 'next']]);
    expect(engine.ctx.keys.activeKid()).toBe(activeRow.kid);
    expect(await engine.admin.getSettings({}, ADMIN)).toMatchObject({ signingAlg: 'EdDSA' });
    expect((await engine.store.listAudit({ limit: 1 }))[0]).toMatchObject({ type: 'key.created', data: { kid: rows[1]!.kid, status: 'next' } });
  });
});

describe.each(['EdDSA', 'ES256', 'RS256'] as const)('%s end to end', (alg) => {
  it('login → refresh → verify → introspect → a security event, all signed by the active key and verified from the JWKS', async () => {
    const site = await install(alg);
    const engine = await site.open();
    await engine.admin.createUser({ username: 'ana', password: PASSWORD }, ADMIN);
    await engine.admin.createClient({ clientId: 'mobile', kind: 'public', name: 'Mobile app', grantTypes: ['password', 'refresh_token'] }, ADMIN);
    const active = engine.ctx.keys.activeKid();
    const jwks = snapshot(engine);
    const options = { issuer: ISSUER, audience: 'token-warden-api', currentDate: new Date(site.clock.now()) };
    const login = await engine.login({ username: 'ana', password: PASSWORD, clientId: 'mobile', device: PHONE, rememberMe: false });
    const refreshed = await engine.refresh({ refreshToken: login.refreshToken, clientId: 'mobile', device: PHONE });
    for (const token of [login.accessToken, refreshed.accessToken]) {
      await expect(jwtVerify(token, jwks, { ...options, typ: 'at+jwt' })).resolves.toMatchObject({ protectedHeader: { alg, kid: active } });
      expect(await engine.verifyAccessToken(token)).toMatchObject({ active: true });
      expect(await engine.introspect(token)).toMatchObject({ active: true, sub: login.userId });
    }
    const set = engine.signSecurityEvent({ iss: ISSUER, aud: 'token-warden-api', iat: Math.floor(site.clock.now() / 1000), jti: 'set-1', events: {} });
    await expect(jwtVerify(set, jwks, { ...options, typ: 'secevent+jwt' })).resolves.toMatchObject({ protectedHeader: { alg, kid: active } });
  });
});
