/**
 * The verifiers built on `jsonwebtoken`, each configured as its README shows with keys from `jwks-rsa`:
 * jsonwebtoken's own getKey recipe, passport-jwt (secretOrKeyProvider = passportJwtSecret), express-jwt
 * (secret = expressJwtSecret) and @nestjs/jwt (JwtService.verifyAsync with secretOrKeyProvider).
 * Every one gets issuer, audience and `algorithms: [alg]` for the algorithm under test.
 */
import 'reflect-metadata';
import { createServer } from 'node:http';
import { JwtService } from '@nestjs/jwt';
import express, { type NextFunction, type Request, type Response } from 'express';
import { expressjwt, type GetVerificationKey } from 'express-jwt';
import jwt, { type Algorithm, type GetPublicKeyOrSecret } from 'jsonwebtoken';
import jwksClient, { expressJwtSecret, passportJwtSecret } from 'jwks-rsa';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import type { SigningAlg } from '../../src/shared/dto';
import { callWithBearer, listen } from './apps';
import { ALGS, outcomeOf, type StockVerifier, type VerifierTarget } from './matrix';

// @types/jsonwebtoken's Algorithm union has no EdDSA; the libraries take the string as given.
const algorithms = (alg: SigningAlg) => [alg] as unknown as Algorithm[];

// jwks-rsa's EXAMPLES.md configures its express and passport integrations this way.
const integrationOptions = (target: VerifierTarget) => ({ cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri: target.jwksUri });

export function jsonwebtokenVerifier(target: VerifierTarget): StockVerifier {
  const client = jwksClient({ jwksUri: target.jwksUri });
  // jsonwebtoken's README recipe, plus passing jwks-rsa's error on (the recipe would crash on it).
  const getKey: GetPublicKeyOrSecret = (header, callback) => {
    client.getSigningKey(header.kid, (error, key) => (error || !key ? callback(error ?? new Error('no key')) : callback(null, key.getPublicKey())));
  };
  return {
    name: 'jsonwebtoken + jwks-rsa',
    packages: ['jsonwebtoken', 'jwks-rsa'],
    verify: (token, alg) =>
      outcomeOf(
        () =>
          new Promise((resolve, reject) => {
            jwt.verify(token, getKey, { issuer: target.issuer, audience: target.audience, algorithms: algorithms(alg) }, (error, decoded) => (error ? reject(error) : resolve(decoded)));
          }),
      ),
    close: async () => {},
  };
}

export function nestJwtVerifier(target: VerifierTarget): StockVerifier {
  const client = jwksClient({ jwksUri: target.jwksUri });
  const services = new Map<SigningAlg, JwtService>();
  const serviceFor = (alg: SigningAlg) => {
    let service = services.get(alg);
    if (!service) {
      service = new JwtService({
        secretOrKeyProvider: async (_type, token) => {
          const decoded = jwt.decode(String(token), { complete: true });
          return (await client.getSigningKey(decoded?.header.kid)).getPublicKey();
        },
        verifyOptions: { issuer: target.issuer, audience: target.audience, algorithms: algorithms(alg) },
      });
      services.set(alg, service);
    }
    return service;
  };
  return {
    name: '@nestjs/jwt + jwks-rsa',
    packages: ['@nestjs/jwt', 'jsonwebtoken', 'jwks-rsa'],
    verify: (token, alg) => outcomeOf(() => serviceFor(alg).verifyAsync(token)),
    close: async () => {},
  };
}

const passOnError = (error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
  res.status(error.status ?? 500).json({ error: error.message });
};

export async function passportJwtVerifier(target: VerifierTarget): Promise<StockVerifier> {
  const passport = new Passport();
  const app = express();
  app.use(passport.initialize());
  for (const alg of ALGS) {
    passport.use(
      `jwt-${alg}`,
      new JwtStrategy(
        {
          secretOrKeyProvider: passportJwtSecret(integrationOptions(target)),
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          issuer: target.issuer,
          audience: target.audience,
          algorithms: algorithms(alg),
        },
        (payload: unknown, done: (error: unknown, user?: unknown) => void) => done(null, payload),
      ),
    );
    // A custom callback: passport's default answers a bare 401, and the matrix wants the strategy's reason.
    app.get(`/${alg}`, (req, res, next) => {
      passport.authenticate(`jwt-${alg}`, { session: false }, (error: unknown, user: unknown, info: unknown) => {
        if (error) return next(error);
        if (!user) return res.status(401).json({ error: info instanceof Error ? info.message : String(info) });
        res.json({ ok: true });
      })(req, res, next);
    });
  }
  app.use(passOnError);
  const server = await listen(createServer(app));
  return {
    name: 'passport-jwt + jwks-rsa',
    packages: ['passport-jwt', 'passport', 'jsonwebtoken', 'jwks-rsa'],
    verify: (token, alg) => callWithBearer(`${server.url}/${alg}`, token),
    close: server.close,
  };
}

export async function expressJwtVerifier(target: VerifierTarget): Promise<StockVerifier> {
  const app = express();
  for (const alg of ALGS) {
    app.get(
      `/${alg}`,
      expressjwt({ secret: expressJwtSecret(integrationOptions(target)) as GetVerificationKey, audience: target.audience, issuer: target.issuer, algorithms: algorithms(alg) }),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
  }
  app.use(passOnError);
  const server = await listen(createServer(app));
  return {
    name: 'express-jwt + jwks-rsa',
    packages: ['express-jwt', 'jsonwebtoken', 'jwks-rsa'],
    verify: (token, alg) => callWithBearer(`${server.url}/${alg}`, token),
    close: server.close,
  };
}
