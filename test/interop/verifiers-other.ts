/**
 * express-oauth2-jwt-bearer (Auth0's middleware: `auth({ issuerBaseURL, audience, tokenSigningAlg })`,
 * discovery through the service's metadata), jose (createRemoteJWKSet + jwtVerify) and PyJWT from Debian's
 * python3-jwt, run with /usr/bin/python3.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { auth, type AuthOptions } from 'express-oauth2-jwt-bearer';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { SigningAlg } from '../../src/shared/dto';
import { callWithBearer, listen } from './apps';
import { ALGS, outcomeOf, type Outcome, type StockVerifier, type VerifierTarget } from './matrix';

/**
 * One Express app with a route per algorithm. With a function, each route gets its own `auth(options(alg))`
 * (and so its own key cache); with plain options, every route shares one `auth()` middleware, as an API
 * that does not pin the algorithm would.
 */
export async function expressOauth2JwtBearerApp(options: AuthOptions | ((alg: SigningAlg) => AuthOptions)): Promise<StockVerifier> {
  const app = express();
  const shared = typeof options === 'function' ? undefined : auth(options);
  for (const alg of ALGS) {
    app.get(`/${alg}`, shared ?? auth((options as (alg: SigningAlg) => AuthOptions)(alg)), (_req, res) => {
      res.json({ ok: true });
    });
  }
  app.use((error: Error & { status?: number; code?: string }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error.status ?? 500).json({ error: error.code ? `${error.code}: ${error.message}` : error.message });
  });
  const server = await listen(createServer(app));
  return {
    name: 'express-oauth2-jwt-bearer',
    packages: ['express-oauth2-jwt-bearer', 'express-oauth2-jwt-bearer/node_modules/jose'],
    verify: (token, alg) => callWithBearer(`${server.url}/${alg}`, token),
    close: server.close,
  };
}

export function expressOauth2JwtBearerVerifier(target: VerifierTarget): Promise<StockVerifier> {
  return expressOauth2JwtBearerApp((alg) => ({ issuerBaseURL: target.issuer, audience: target.audience, tokenSigningAlg: alg }));
}

export function joseVerifier(target: VerifierTarget): StockVerifier {
  const jwks = createRemoteJWKSet(new URL(target.jwksUri));
  return {
    name: 'jose',
    packages: ['jose'],
    verify: (token, alg) => outcomeOf(() => jwtVerify(token, jwks, { issuer: target.issuer, audience: target.audience, typ: 'at+jwt', algorithms: [alg] })),
    close: async () => {},
  };
}

const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(import.meta.dirname, 'pyjwt_verify.py');

function runPython(args: string[], input: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = execFile(SYSTEM_PYTHON, [SCRIPT, ...args], { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${SYSTEM_PYTHON} ${SCRIPT} failed: ${stderr || error.message}`));
      resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
    child.stdin?.end(input);
  });
}

/** PyJWT's verifier, or the reason it cannot run here. */
export async function pyjwtVerifier(target: VerifierTarget): Promise<StockVerifier | { skip: string }> {
  if (!existsSync(SYSTEM_PYTHON)) return { skip: `${SYSTEM_PYTHON} is missing` };
  const probe = await runPython(['--versions'], '');
  if (typeof probe.skip === 'string') return { skip: probe.skip };
  return {
    name: 'PyJWT (Debian python3-jwt)',
    packages: [`python3-jwt ${String(probe.pyjwt)}`, `cryptography ${String(probe.cryptography)}`],
    verify: async (token, alg): Promise<Outcome> => {
      const result = await runPython([], JSON.stringify({ jwks_uri: target.jwksUri, issuer: target.issuer, audience: target.audience, alg, token }));
      return result.accepted === true ? { accepted: true } : { accepted: false, error: String(result.error) };
    },
    close: async () => {},
  };
}
