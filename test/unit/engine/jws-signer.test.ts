import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compactVerify, importJWK, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { JwsSigner, OFFLOAD_MIN_BATCH, signNow, type PendingJws } from '../../../src/main/engine/jws-signer';
import { jwsSigningInput } from '../../../src/main/engine/jwt';
import { randomId, randomSecret } from '../../../src/main/engine/crypto';
import { ADMIN, PHONE, makeHarness } from './harness';

const ed = generateKeyPairSync('ed25519');
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function pending(n: number, alg: 'EdDSA' | 'ES256' = 'EdDSA'): PendingJws[] {
  const key = alg === 'EdDSA' ? ed.privateKey : ec.privateKey;
  return Array.from({ length: n }, (_, i) => ({ signingInput: jwsSigningInput({ alg, typ: 'JWT' }, { n: i }), alg, key }));
}

async function assertVerifies(tokens: string[], alg: 'EdDSA' | 'ES256'): Promise<void> {
  const publicKey = createPublicKey(alg === 'EdDSA' ? ed.privateKey : ec.privateKey);
  for (const [i, token] of tokens.entries()) {
    const { payload } = await compactVerify(token, publicKey);
    expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ n: i });
  }
}

const signers: JwsSigner[] = [];
function makeSigner(errors: unknown[] = []): JwsSigner {
  const signer = new JwsSigner((error) => errors.push(error));
  signers.push(signer);
  return signer;
}
afterEach(() => signers.splice(0).forEach((s) => s.close()));

describe('the JWS signer thread', () => {
  it('signs a batch on the worker thread, in order, for EdDSA and ES256', async () => {
    const signer = makeSigner();
    for (const alg of ['EdDSA', 'ES256'] as const) {
      const batch = pending(OFFLOAD_MIN_BATCH + 20, alg);
      const tokens = await signer.signAll(batch);
      expect(tokens).toHaveLength(batch.length);
      tokens.forEach((token, i) => expect(token.startsWith(`${batch[i]!.signingInput}.`)).toBe(true));
      await assertVerifies(tokens, alg);
    }
    // The worker really ran: Ed25519 is deterministic, so the worker's signature equals an inline one.
    const [one] = pending(1);
    expect((await signer.signAll(pending(OFFLOAD_MIN_BATCH)))[0]).toBe(signNow(one!));
  });

  it('mixes keys in one batch', async () => {
    const signer = makeSigner();
    const batch = [...pending(3, 'EdDSA'), ...pending(3, 'ES256')];
    const tokens = await signer.signAll(batch);
    await assertVerifies(tokens.slice(0, 3), 'EdDSA');
    await assertVerifies(tokens.slice(3), 'ES256');
  });

  it('signs inline when the worker is gone, and after close', async () => {
    const errors: unknown[] = [];
    const signer = makeSigner(errors);
    await signer.signAll(pending(OFFLOAD_MIN_BATCH));
    // Kill the worker mid-flight: the batch waiting on it is signed inline, nothing is lost.
    const worker = (signer as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const inFlight = signer.signAll(pending(50));
    await worker.terminate();
    await assertVerifies(await inFlight, 'EdDSA');
    expect(errors.length).toBeGreaterThan(0);
    await assertVerifies(await signer.signAll(pending(10)), 'EdDSA');
    signer.close();
    await assertVerifies(await signer.signAll(pending(10)), 'EdDSA');
  });

  it('keeps a process alive while it owes signatures, and never when idle', () => {
    // A script that awaits two batches and then has nothing left to do: it must print both lines (the
    // thread held the process while answers were owed) and then exit on its own (the idle thread did not).
    const signerModule = fileURLToPath(new URL('../../../src/main/engine/jws-signer.ts', import.meta.url));
    const jwtModule = fileURLToPath(new URL('../../../src/main/engine/jwt.ts', import.meta.url));
    const script = `
      import { generateKeyPairSync } from 'node:crypto';
      import { JwsSigner } from ${JSON.stringify(signerModule)};
      import { jwsSigningInput } from ${JSON.stringify(jwtModule)};
      const { privateKey } = generateKeyPairSync('ed25519');
      const signer = new JwsSigner((error) => { console.error(error); process.exitCode = 3; });
      const batch = Array.from({ length: 10 }, (_, i) => ({ signingInput: jwsSigningInput({ alg: 'EdDSA' }, { i }), alg: 'EdDSA', key: privateKey }));
      console.log('first', (await signer.signAll(batch)).length);
      console.log('second', (await signer.signAll(batch)).length);
    `;
    const dir = mkdtempSync(join(tmpdir(), 'warden-signer-'));
    try {
      writeFileSync(join(dir, 'script.mts'), script);
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'script.mts')], { cwd: fileURLToPath(new URL('../../../', import.meta.url)), encoding: 'utf8', timeout: 20_000 });
      expect(run.stdout).toBe('first 10\nsecond 10\n');
      expect(run.signal).toBeNull(); // not killed by the timeout: it exited by itself
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects (never hangs) when a signature cannot be made at all', async () => {
    const signer = makeSigner();
    const bad = pending(OFFLOAD_MIN_BATCH).map((p) => ({ ...p, key: createPublicKey(ed.privateKey) }));
    await expect(signer.signAll(bad)).rejects.toThrow();
    await expect(signer.signAll(bad.slice(0, 1))).rejects.toThrow();
  });
});

describe('coalesced refreshes signed on the signer thread', () => {
  it('a batch large enough to leave the event loop returns valid, distinct access tokens', async () => {
    const h = await makeHarness();
    const sessions = await Promise.all(Array.from({ length: OFFLOAD_MIN_BATCH * 3 }, () => h.login(PHONE)));
    const rotated = await Promise.all(sessions.map((s) => h.engine.refresh({ refreshToken: s.refreshToken, clientId: 'mobile', device: PHONE })));
    expect(new Set(rotated.map((r) => r.accessToken)).size).toBe(sessions.length);
    const jwks = h.engine.jwks().keys;
    for (const [i, tokens] of rotated.entries()) {
      expect(h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: true, claims: { sid: sessions[i]!.sessionId, jti: tokens.jti } });
      const kid = JSON.parse(Buffer.from(tokens.accessToken.split('.')[0]!, 'base64url').toString()).kid;
      const key = await importJWK(jwks.find((k) => k.kid === kid)!, 'EdDSA');
      await expect(jwtVerify(tokens.accessToken, key, { typ: 'at+jwt', currentDate: new Date(h.clock.now()) })).resolves.toBeTruthy();
    }
    expect(h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true });
  });
});

describe('random identifiers from the pool', () => {
  it('never repeat across pool refills and keep their shapes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const secret = randomSecret();
      const id = randomId('ses');
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(id).toMatch(/^ses_[A-Za-z0-9_-]{22}$/);
      seen.add(secret).add(id.slice(4));
    }
    expect(seen.size).toBe(4_000);
  });
});
