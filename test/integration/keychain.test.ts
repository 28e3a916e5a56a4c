/**
 * The key vault against the REAL OS keychain (no mocks). Run it through a Secret Service:
 *   bash scripts/with-keyring.sh npx vitest run test/integration/keychain.test.ts
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AsyncEntry } from '@napi-rs/keyring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE, KeychainVault, openVault } from '../../src/main/keys';
import type { KeyVault } from '../../src/main/keys';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../..');

/** Unique per run so parallel or aborted runs never see each other's entries. */
const runId = `test-${randomUUID()}`;
const written: Array<{ vault: KeyVault; kid: string }> = [];

async function openOrExplain(instanceId: string): Promise<KeyVault> {
  try {
    return await openVault('keychain', instanceId);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const hint =
      process.env.WARDEN_KEYRING === 'ready'
        ? 'WARDEN_KEYRING=ready but the Secret Service still failed'
        : 'No Secret Service answers: run this suite through `bash scripts/with-keyring.sh npx vitest run test/integration/keychain.test.ts`';
    throw new Error(`${hint}. (${why})`);
  }
}

async function put(vault: KeyVault, kid: string, value: string): Promise<void> {
  written.push({ vault, kid });
  await vault.put(kid, value);
}

let a: KeyVault;
let b: KeyVault;

beforeAll(async () => {
  a = await openOrExplain(`${runId}-a`);
  b = await openOrExplain(`${runId}-b`);
});

afterAll(async () => {
  await Promise.all(written.map(({ vault, kid }) => vault.delete(kid)));
});

describe('KeychainVault on the real keychain', () => {
  it('is a keychain vault', () => {
    expect(a.kind).toBe('keychain');
    expect(a).toBeInstanceOf(KeychainVault);
  });

  it('puts, gets, overwrites and deletes a key', async () => {
    await put(a, 'k1', '{"kty":"OKP","d":"first"}');
    expect(await a.get('k1')).toBe('{"kty":"OKP","d":"first"}');
    await a.put('k1', '{"kty":"OKP","d":"second"}');
    expect(await a.get('k1')).toBe('{"kty":"OKP","d":"second"}');
    await a.delete('k1');
    expect(await a.get('k1')).toBeUndefined();
  });

  it('files entries under service token-warden, account <instanceId>:<kid>', async () => {
    await put(a, 'named', 'secret-value');
    const raw = new AsyncEntry(KEYCHAIN_SERVICE, `${runId}-a:named`, { linux: { store: 'secret-service' } });
    expect(await raw.getPassword()).toBe('secret-value');
  });

  it('namespaces keys by instance id', async () => {
    await put(a, 'shared-kid', 'from-a');
    expect(await b.get('shared-kid')).toBeUndefined();
    await put(b, 'shared-kid', 'from-b');
    expect(await a.get('shared-kid')).toBe('from-a');
    expect(await b.get('shared-kid')).toBe('from-b');
    await b.delete('shared-kid');
    expect(await a.get('shared-kid')).toBe('from-a');
  });

  it('round-trips unicode and long JSON values exactly', async () => {
    const jwk = JSON.stringify({
      kty: 'OKP',
      crv: 'Ed25519',
      note: 'clé – ключ – 鍵 – 🔑 – "quoted" \\ back\nline',
      pad: 'x'.repeat(8_000),
      nested: Array.from({ length: 50 }, (_, i) => ({ i, s: `ß${i}` })),
    });
    await put(a, 'unicode', jwk);
    expect(await a.get('unicode')).toBe(jwk);
  });

  it('resolves when deleting a key that is not there', async () => {
    await expect(a.delete(`missing-${randomUUID()}`)).resolves.toBeUndefined();
    expect(await a.get(`missing-${randomUUID()}`)).toBeUndefined();
  });

  it('rejects caller misuse with a TypeError', async () => {
    await expect(a.put('', 'x')).rejects.toBeInstanceOf(TypeError);
  });
});

describe('without a Secret Service', () => {
  it('open() fails with keychain_unavailable and names --key-store memory', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'warden-nokeyring-'));
    try {
      const script = join(scratch, 'probe.mts');
      const vaultModule = JSON.stringify(resolve(repoRoot, 'src/main/keys/index.ts'));
      await writeFile(
        script,
        `import { openVault } from ${vaultModule};
         try { await openVault('keychain', 'unreachable-probe'); console.log(JSON.stringify({ opened: true })); }
         catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`,
      );
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: scratch,
        XDG_RUNTIME_DIR: scratch,
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
      };
      const { stdout } = await run(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env, timeout: 30_000 });
      const outcome = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { opened?: boolean; code?: string; message?: string };
      expect(outcome.opened).toBeUndefined();
      expect(outcome.code).toBe('keychain_unavailable');
      expect(outcome.message).toContain('--key-store memory');
      expect(outcome.message).toMatch(/no OS keychain/i);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
