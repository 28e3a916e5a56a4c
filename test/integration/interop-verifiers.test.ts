/**
 * Stock JWT verifiers against a running service, for each signing algorithm the service offers: the
 * library × algorithm matrix as measured, compared cell by cell with the table published in
 * docs/interop.md (so the page cannot drift from what the libraries do). A library that cannot verify an
 * algorithm is a measured "no" with its own error, not an assumption.
 */
import path from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningAlg } from '../../src/shared/dto';
import { startTestWarden, type TestWarden } from '../helpers/warden';
import { ALGS, cell, formatMatrix, hasMatrix, packageLabel, readDocumentedMatrix, type MatrixRow, type StockVerifier, type VerifierTarget } from '../interop/matrix';
import { fastifyJwtJwksVerifier, fastifyJwtVerifier } from '../interop/verifiers-fastify';
import { expressJwtVerifier, jsonwebtokenVerifier, nestJwtVerifier, passportJwtVerifier } from '../interop/verifiers-jsonwebtoken';
import { expressOauth2JwtBearerVerifier, joseVerifier, pyjwtVerifier } from '../interop/verifiers-other';

const DOC = path.join(import.meta.dirname, '../../docs/interop.md');
const README = path.join(import.meta.dirname, '../../README.md');

/** The same token with one signature byte changed: every verifier must refuse it. */
function tampered(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

describe('stock verifiers × signing algorithms', () => {
  let t: TestWarden;
  let target: VerifierTarget;
  const tokens = new Map<SigningAlg, string>();
  const signingFailures = new Map<SigningAlg, string>();
  const verifiers: StockVerifier[] = [];
  const skipped: string[] = [];
  const measured: MatrixRow[] = [];
  let mask: Record<string, string>;

  beforeAll(async () => {
    t = await startTestWarden();
    const metadata = (await (await fetch(`${t.baseUrl}/.well-known/oauth-authorization-server`)).json()) as { issuer: string; jwks_uri: string };
    const { audience } = await t.admin('getSettings', {});
    target = { issuer: metadata.issuer, audience, jwksUri: metadata.jwks_uri };
    const user = await t.createUser();
    const clientId = await t.createPublicClient();
    // One token per algorithm: switch the signing key as an operator would, then sign in again. Every
    // key stays in the key set while its tokens live, so all three tokens verify at the end.
    for (const alg of ALGS) {
      const active = (await t.admin('listKeys', {})).find((key) => key.status === 'active');
      try {
        if (active?.alg !== alg) await t.admin('rotateSigningKey', { alg, reason: `interop matrix: ${alg}` });
        const { access_token } = await t.login(user, clientId);
        expect(decodeProtectedHeader(access_token).alg).toBe(alg);
        tokens.set(alg, access_token);
      } catch (error) {
        signingFailures.set(alg, error instanceof Error ? error.message : String(error));
      }
    }
    mask = { [target.issuer]: '<issuer>' };
    for (const key of await t.admin('listKeys', {})) mask[key.kid] = '<kid>';
    // Verifiers start after the last rotation: the matrix measures what each library can verify, not how
    // it caches (interop-rotation.test.ts does that).
    verifiers.push(
      jsonwebtokenVerifier(target),
      await passportJwtVerifier(target),
      await expressJwtVerifier(target),
      nestJwtVerifier(target),
      await fastifyJwtVerifier(target),
      await fastifyJwtJwksVerifier(target),
      await expressOauth2JwtBearerVerifier(target),
      joseVerifier(target),
    );
    const pyjwt = await pyjwtVerifier(target);
    if ('skip' in pyjwt) {
      console.warn(`PyJWT row skipped: ${pyjwt.skip}`);
      skipped.push('PyJWT (Debian python3-jwt)');
    } else verifiers.push(pyjwt);
  });

  afterAll(async () => {
    for (const verifier of verifiers) await verifier.close();
    await t?.close();
  });

  it('signs a token with each algorithm (rotateSigningKey {alg})', () => {
    expect(Object.fromEntries(signingFailures)).toEqual({});
  });

  it('measures every verifier with every algorithm, and each refuses a tampered signature', async () => {
    for (const verifier of verifiers) {
      const row: MatrixRow = {
        library: verifier.name,
        versions: verifier.packages.map((name) => (name.includes(' ') ? name : packageLabel(name))).join(', '),
        cells: {} as Record<SigningAlg, string>,
      };
      for (const alg of ALGS) {
        const token = tokens.get(alg);
        if (!token) {
          row.cells[alg] = `not measured: the service did not sign with ${alg}`;
          continue;
        }
        row.cells[alg] = cell(await verifier.verify(token, alg), mask);
        const forged = await verifier.verify(tampered(token), alg);
        expect(forged.accepted, `${verifier.name} accepted a tampered ${alg} signature`).toBe(false);
      }
      measured.push(row);
    }
    console.log(`measured matrix:\n${formatMatrix(measured)}`);
  });

  it('publishes exactly the measured matrix in docs/interop.md (and in the README once it carries the block)', () => {
    for (const file of [DOC, README]) {
      if (file === README && !hasMatrix(README)) continue;
      const documented = readDocumentedMatrix(file).filter((row) => !skipped.includes(row.library));
      expect(documented, `${path.basename(file)} differs from the measurement; the measured table is:\n${formatMatrix(measured)}\n`).toEqual(measured);
    }
  });
});
