/**
 * verify: the resource-server kit's full check (signature, claims, revocation state) against jose.jwtVerify
 * and a bare node:crypto Ed25519 verify of the very same signatures, in one process, in alternating rounds.
 *
 * Cold: every token is presented once (each round uses tokens the kit has never seen). The kit and the bare
 * reference take the round's tokens in interleaved blocks of COLD_BLOCK, alternating who goes first, and the
 * ratio is of their summed times: on a shared machine a burst of noise lasts longer than one whole round of
 * ~0.3 s (single rounds were seen 20 % slow), but it cannot fall on one side of a pair of 25 ms blocks only.
 * Warm: each token is presented 50 times in shuffled order (fresh tokens per round, within the kit's default
 * cache of 10 000). The bare reference gets its inputs pre-split (signed bytes and signature as Buffers): it is
 * the pure cost of one signature check. Targets: cold kit ≥ 0.95× bare (issue 15's limit); warm kit ≥ 10× jose.
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { importJWK, jwtVerify } from 'jose';
import { createVerifier, type Verifier } from '@token-warden/verifier';
import { startBenchWarden, within, type BenchWarden } from '../lib/in-process-warden';
import { check, ratioRow, type BenchRow, type Suite } from '../lib/report';
import { median, seededRandom, shuffle } from '../lib/stats';

type JoseKey = Awaited<ReturnType<typeof importJWK>>;

const COLD_ROUNDS = 8;
const COLD_PER_ROUND = 2_500;
/** Tokens per interleaved kit/bare block in the cold rounds (~25 ms each). */
const COLD_BLOCK = 250;
const WARM_ROUNDS = 5;
const WARM_DISTINCT = 2_000;
const WARM_REPEAT = 50;
/** jose and bare cost the same per presentation warm or cold; a bounded prefix of the warm sequence suffices. */
const WARM_REFERENCE_OPS = 2_500;
const SESSIONS = 50;
/** Per contender per round: a loop stops here even if it has not finished its tokens. */
const ROUND_BUDGET_MS = 5_000;

interface Bare {
  data: Buffer;
  signature: Buffer;
}

function splitForBare(token: string): Bare {
  const dot = token.lastIndexOf('.');
  return { data: Buffer.from(token.slice(0, dot)), signature: Buffer.from(token.slice(dot + 1), 'base64url') };
}

/** Mints access tokens through real refresh rotations, one rotation per session per round (coalesced). */
async function mintTokens(bench: BenchWarden, count: number): Promise<string[]> {
  let refresh = (await Promise.all(Array.from({ length: SESSIONS }, () => bench.login()))).map((c) => c.refreshToken);
  const tokens: string[] = [];
  while (tokens.length < count) {
    const next = await Promise.all(refresh.map((token) => bench.refresh(token)));
    refresh = next.map((t) => t.refreshToken);
    tokens.push(...next.map((t) => t.accessToken));
  }
  return tokens.slice(0, count);
}

type Runner = (tokens: string[], bare: Bare[]) => Promise<{ ops: number; ms: number; failures: number }>;

function timed(loop: (deadline: number) => Promise<{ ops: number; failures: number }> | { ops: number; failures: number }): Promise<{ ops: number; ms: number; failures: number }> {
  return (async () => {
    const started = performance.now();
    const { ops, failures } = await loop(started + ROUND_BUDGET_MS);
    return { ops, failures, ms: performance.now() - started };
  })();
}

function runners(kit: Verifier, joseKey: JoseKey, bareKey: KeyObject, issuer: string, audience: string): Record<'kit' | 'jose' | 'bare', Runner> {
  return {
    kit: (tokens) =>
      timed((deadline) => {
        let failures = 0;
        let i = 0;
        for (; i < tokens.length; i += 1) {
          const verdict = kit.verify(tokens[i]);
          if (verdict instanceof Promise || !verdict.active) failures += 1;
          if ((i & 1023) === 1023 && performance.now() > deadline) break;
        }
        return { ops: Math.min(i + 1, tokens.length), failures };
      }),
    jose: (tokens) =>
      timed(async (deadline) => {
        let failures = 0;
        let i = 0;
        for (; i < tokens.length; i += 1) {
          try {
            await jwtVerify(tokens[i]!, joseKey, { issuer, audience, typ: 'at+jwt', algorithms: ['EdDSA'] });
          } catch {
            failures += 1;
          }
          if ((i & 255) === 255 && performance.now() > deadline) break;
        }
        return { ops: Math.min(i + 1, tokens.length), failures };
      }),
    bare: (_tokens, bare) =>
      timed((deadline) => {
        let failures = 0;
        let i = 0;
        for (; i < bare.length; i += 1) {
          const item = bare[i]!;
          if (!cryptoVerify(null, item.data, bareKey, item.signature)) failures += 1;
          if ((i & 1023) === 1023 && performance.now() > deadline) break;
        }
        return { ops: Math.min(i + 1, bare.length), failures };
      }),
  };
}

/** Waits for the kit to apply the next revocation event. */
function nextRevocation(kit: Verifier): Promise<void> {
  return within(new Promise<void>((resolve) => {
    const off = kit.on('revocation', () => {
      off();
      resolve();
    });
  }), 5_000, 'the kit applying a revocation from the feed');
}

async function checkAnswers(bench: BenchWarden, kit: Verifier, joseKey: JoseKey, bareKey: KeyObject, sample: string[]): Promise<void> {
  const issuer = bench.warden.issuer;
  for (const token of sample) {
    const verdict = await kit.verify(token);
    check(verdict.active, `the kit refused a fresh token: ${JSON.stringify(verdict)}`);
    const { payload } = await jwtVerify(token, joseKey, { issuer, audience: 'token-warden-api', typ: 'at+jwt' });
    check(payload.jti === verdict.claims.jti, 'jose and the kit disagree about a token');
    const bare = splitForBare(token);
    check(cryptoVerify(null, bare.data, bareKey, bare.signature), 'node:crypto rejected a genuine signature');
  }
  const forged = `${sample[0]!.slice(0, -6)}AAAAAA`;
  const forgedVerdict = await kit.verify(forged);
  check(!forgedVerdict.active && forgedVerdict.reason === 'bad_signature', `the kit accepted a forged signature: ${JSON.stringify(forgedVerdict)}`);
  const forgedBare = splitForBare(forged);
  check(!cryptoVerify(null, forgedBare.data, bareKey, forgedBare.signature), 'node:crypto accepted a forged signature');

  // Revocation must be honoured on the warm path (a cached token) and on the cold path (never seen).
  const engine = bench.warden.engine;
  const seen = await bench.login();
  check((await kit.verify(seen.accessToken)).active, 'the kit refused a fresh login token');
  const revoked = nextRevocation(kit);
  await engine.admin.revokeSession({ sessionId: seen.sessionId, reason: 'bench check' }, { actor: 'admin', role: 'owner', adminId: null });
  await revoked;
  const warmVerdict = await kit.verify(seen.accessToken);
  check(!warmVerdict.active && warmVerdict.reason === 'session_revoked', `a cached token of a revoked session still verifies: ${JSON.stringify(warmVerdict)}`);

  const unseen = await bench.refresh((await bench.login()).refreshToken);
  const jtiRevoked = nextRevocation(kit);
  await engine.admin.revokeAccessToken({ jti: unseen.jti, reason: 'bench check' }, { actor: 'admin', role: 'owner', adminId: null });
  await jtiRevoked;
  const coldVerdict = await kit.verify(unseen.accessToken);
  check(!coldVerdict.active && coldVerdict.reason === 'jti_revoked', `a revoked jti verifies as active: ${JSON.stringify(coldVerdict)}`);
}

async function rounds(count: number, run: (round: number, order: Array<'kit' | 'jose' | 'bare'>) => Promise<void>): Promise<void> {
  const orders: Array<Array<'kit' | 'jose' | 'bare'>> = [['kit', 'jose', 'bare'], ['jose', 'bare', 'kit'], ['bare', 'kit', 'jose']];
  for (let round = 0; round < count; round += 1) {
    await run(round, orders[round % orders.length]!);
    // Let the feed's heartbeats and timers run between rounds.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export const verifySuite: Suite = {
  name: 'verify',
  describe: 'kit full check vs jose.jwtVerify vs bare node:crypto, cold and warm',
  async run({ log }) {
    // The reference is a bare Ed25519 verify, and the earlier figures are EdDSA's: pin it (the default is ES256).
    const bench = await startBenchWarden({ signingAlg: 'EdDSA' });
    const kit = createVerifier({ issuer: bench.warden.issuer, audience: 'token-warden-api', ...bench.api });
    try {
      await within(kit.start(), 10_000, 'the kit syncing with the feed');
      // The figures are the package's: the kit measured here is the build users install, not the sources.
      check(/\/packages\/verifier\/dist\/esm\/index\.js$/.test(import.meta.resolve('@token-warden/verifier')), 'the kit is the built package (dist)');
      const jwk = bench.warden.engine.jwks().keys[0];
      check(jwk && jwk.alg === 'EdDSA', 'the service signs with EdDSA');
      const joseKey = await importJWK({ ...jwk }, 'EdDSA');
      const bareKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });

      const started = performance.now();
      const total = COLD_ROUNDS * COLD_PER_ROUND + WARM_ROUNDS * WARM_DISTINCT + 10;
      const tokens = await mintTokens(bench, total);
      check(new Set(tokens).size === tokens.length, 'minted tokens are not distinct');
      log(`minted ${tokens.length.toLocaleString('en-US')} access tokens through refresh rotations in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      await checkAnswers(bench, kit, joseKey, bareKey, tokens.slice(-10));
      log('answers checked (genuine accepted by all three, forged refused, revoked session and jti refused by the kit)');

      const run = runners(kit, joseKey, bareKey, bench.warden.issuer, 'token-warden-api');
      const cold: Record<string, number[]> = { kit: [], jose: [], bare: [] };
      const coldMs = { kit: 0, bare: 0 };
      let coldTokens = 0;
      await rounds(COLD_ROUNDS, async (round) => {
        const slice = tokens.slice(round * COLD_PER_ROUND, (round + 1) * COLD_PER_ROUND);
        const bare = slice.map(splitForBare);
        const roundMs = { kit: 0, bare: 0 };
        for (let at = 0, block = 0; at < slice.length; at += COLD_BLOCK, block += 1) {
          const pair: Array<'kit' | 'bare'> = (round + block) % 2 === 0 ? ['kit', 'bare'] : ['bare', 'kit'];
          for (const who of pair) {
            const result = await run[who](slice.slice(at, at + COLD_BLOCK), bare.slice(at, at + COLD_BLOCK));
            check(result.failures === 0 && result.ops === Math.min(COLD_BLOCK, slice.length - at), `cold round ${round}: ${who} refused ${result.failures} genuine tokens`);
            roundMs[who] += result.ms;
          }
        }
        coldMs.kit += roundMs.kit;
        coldMs.bare += roundMs.bare;
        coldTokens += slice.length;
        cold.kit!.push(slice.length / (roundMs.kit / 1000));
        cold.bare!.push(slice.length / (roundMs.bare / 1000));
        const jose = await run.jose(slice, bare);
        check(jose.failures === 0, `cold round ${round}: jose refused ${jose.failures} genuine tokens`);
        cold.jose!.push(jose.ops / (jose.ms / 1000));
      });
      const warm: Record<string, number[]> = { kit: [], jose: [], bare: [] };
      const random = seededRandom(11);
      const warmBase = COLD_ROUNDS * COLD_PER_ROUND;
      await rounds(WARM_ROUNDS, async (round, order) => {
        const distinct = tokens.slice(warmBase + round * WARM_DISTINCT, warmBase + (round + 1) * WARM_DISTINCT);
        const sequence = shuffle(Array.from({ length: WARM_DISTINCT * WARM_REPEAT }, (_, i) => distinct[i % WARM_DISTINCT]!), random);
        const prefix = sequence.slice(0, WARM_REFERENCE_OPS);
        const barePrefix = prefix.map(splitForBare);
        for (const who of order) {
          const result = await run[who](who === 'kit' ? sequence : prefix, barePrefix);
          check(result.failures === 0, `warm round ${round}: ${who} refused ${result.failures} genuine presentations`);
          warm[who]!.push(result.ops / (result.ms / 1000));
        }
      });

      const m = (values: number[]) => median(values);
      const ops = (value: number) => ({ value, unit: 'ops/s' });
      const rows: BenchRow[] = [
        // Pooled over every interleaved block: the same tokens, the same moments, for both.
        ratioRow('verify', 'cold (each token once): kit full check', ops(coldTokens / (coldMs.kit / 1000)), { label: 'bare node:crypto', ...ops(coldTokens / (coldMs.bare / 1000)) }, 0.95),
        ratioRow('verify', 'cold: kit full check vs jose', ops(m(cold.kit!)), { label: 'jose.jwtVerify', ...ops(m(cold.jose!)) }, null),
        ratioRow('verify', `warm (each token ×${WARM_REPEAT}): kit full check`, ops(m(warm.kit!)), { label: 'jose.jwtVerify', ...ops(m(warm.jose!)) }, 10),
      ];
      log(`cold medians: kit ${m(cold.kit!).toFixed(0)}, jose ${m(cold.jose!).toFixed(0)}, bare ${m(cold.bare!).toFixed(0)} ops/s; pooled kit/bare ${(coldMs.bare / coldMs.kit).toFixed(3)}×`);
      log(`warm medians: kit ${m(warm.kit!).toFixed(0)}, jose ${m(warm.jose!).toFixed(0)}, bare ${m(warm.bare!).toFixed(0)} ops/s`);
      const perRound = (values: Record<string, number[]>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.map(Math.round)]));
      return {
        rows,
        figures: {
          coldOpsPerSecond: perRound(cold),
          warmOpsPerSecond: perRound(warm),
          joseToBareCold: m(cold.jose!) / m(cold.bare!),
          rounds: { cold: COLD_ROUNDS, coldTokensPerRound: COLD_PER_ROUND, coldBlock: COLD_BLOCK, warm: WARM_ROUNDS, warmDistinct: WARM_DISTINCT, warmRepeat: WARM_REPEAT, warmReferenceOps: WARM_REFERENCE_OPS },
        },
        notes: [
          `Same EdDSA tokens (minted by real refresh rotations) for all three, one process, ${COLD_ROUNDS} cold rounds (kit and bare in interleaved blocks of ${COLD_BLOCK}, ratio of pooled times) and ${WARM_ROUNDS} warm rounds in rotating order (medians). The bare reference is crypto.verify on pre-split Buffers (no parsing, no claims). jose/bare cold = ${(m(cold.jose!) / m(cold.bare!)).toFixed(2)}×.`,
        ],
      };
    } finally {
      kit.stop();
      await bench.close();
    }
  },
};
