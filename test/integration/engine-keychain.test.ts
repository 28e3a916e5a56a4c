/**
 * The engine with its private keys in the REAL OS keychain (Secret Service via gnome-keyring; run through
 * scripts/with-keyring.sh, as `npm test` does): store, reload after reopening, rotate, delete.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { Engine } from '../../src/main/engine/engine';
import { openVault } from '../../src/main/keys';
import { openStore } from '../../src/main/store';

const dir = mkdtempSync(join(tmpdir(), 'warden-keychain-engine-'));
const path = join(dir, 'warden.db');
const clock = new ManualClock();
const ADMIN = { actor: 'admin:test', role: 'owner' as const, adminId: null };

async function openEngine() {
  const store = openStore(path);
  const vault = await openVault('keychain', store.instanceId());
  return { engine: await Engine.open({ store, vault, clock, issuer: 'http://127.0.0.1:1' }), vault };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('engine keys in the OS keychain', () => {
  it('stores the private key only in the keychain, reloads it after a restart, rotates and deletes', async () => {
    let { engine, vault } = await openEngine();
    const [first, next] = engine.jwks().keys;
    expect(first).toBeDefined();
    expect(await vault.get(first!.kid)).toContain('"d"');
    expect(await vault.get(next!.kid)).toContain('"d"');
    await engine.admin.createUser({ username: 'kim', password: 'a long password' }, ADMIN);
    await engine.admin.createClient({ clientId: 'app', kind: 'public', name: 'App', grantTypes: ['password', 'refresh_token'] }, ADMIN);
    const tokens = await engine.login({ username: 'kim', password: 'a long password', clientId: 'app', device: { name: 'cli', userAgent: 'test', ip: '127.0.0.1' }, rememberMe: false });
    await engine.close();

    // Nothing secret on disk: the database holds public keys only.
    for (const file of readdirSync(dir)) {
      expect(readFileSync(join(dir, file)).includes('"d":"')).toBe(false);
    }

    ({ engine, vault } = await openEngine());
    expect(engine.jwks().keys.map((k) => k.kid)).toEqual([first!.kid, next!.kid]);
    expect((await engine.verifyAccessToken(tokens.accessToken)).active).toBe(true);
    const signedAfterRestart = await engine.login({ username: 'kim', password: 'a long password', clientId: 'app', device: { name: 'cli', userAgent: 'test', ip: '127.0.0.1' }, rememberMe: false });
    expect(JSON.parse(Buffer.from(signedAfterRestart.accessToken.split('.')[0]!, 'base64url').toString()).kid).toBe(first!.kid);

    const rotated = await engine.admin.rotateSigningKey({}, ADMIN);
    expect(rotated.kid).toBe(next!.kid);
    expect(await vault.get(rotated.kid)).toContain('"d"');
    expect(await vault.get(first!.kid)).toBeUndefined();
    expect((await engine.verifyAccessToken(tokens.accessToken)).active).toBe(true);

    await engine.admin.revokeSigningKey({ kid: rotated.kid, reason: 'test cleanup' }, ADMIN);
    expect(await vault.get(rotated.kid)).toBeUndefined();
    const replacements = engine.jwks().keys.filter((k) => k.kid !== first!.kid);
    for (const key of replacements) await vault.delete(key.kid);
    for (const key of replacements) expect(await vault.get(key.kid)).toBeUndefined();
    await engine.close();
  });
});
