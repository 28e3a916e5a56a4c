/**
 * The Fastify plugin: `app.register(fastifyPlugin, { verifier })`. Every request of the scope it is registered
 * in gets an `onRequest` check: a valid token puts its claims on `request.auth`, anything else is answered
 * 401 with the RFC 6750 challenge, exactly as the node:http/Express middleware answers.
 *
 * The kit has no dependency on fastify: these types describe only what the plugin touches, and the plugin
 * marks itself the way the `fastify-plugin` package would, so its hook and decoration reach the routes.
 */
import type { AccessTokenClaims } from './verdict-reasons.js';
import { bearerToken, invalidToken, MISSING_TOKEN, type Refusal } from './bearer.js';
import type { KitVerdict } from './types.js';

/** What the plugin reads and writes on a Fastify request. */
export interface FastifyRequestLike {
  headers: { authorization?: string | undefined };
  auth?: AccessTokenClaims | null;
}

/** What the plugin calls on a Fastify reply. */
export interface FastifyReplyLike {
  code(statusCode: number): this;
  header(name: string, value: string): this;
  send(payload?: unknown): this;
}

type OnRequestHook = (request: FastifyRequestLike, reply: FastifyReplyLike, done: (error?: Error) => void) => void;

/** What the plugin calls on the Fastify instance it is registered on. */
export interface FastifyInstanceLike {
  decorateRequest(property: 'auth', value: null): unknown;
  hasRequestDecorator(property: 'auth'): boolean;
  addHook(name: 'onRequest', hook: OnRequestHook): unknown;
}

export interface FastifyPluginOptions {
  /** The verifier from `createVerifier()` (started by you: `await verifier.start()`). */
  verifier: { verify(token: unknown): KitVerdict | Promise<KitVerdict> };
}

export type FastifyVerifierPlugin = (instance: FastifyInstanceLike, options: FastifyPluginOptions, done: (error?: Error) => void) => void;

function refuse(reply: FastifyReplyLike, refusal: Refusal): void {
  reply.code(401).header('www-authenticate', refusal.challenge).header('cache-control', 'no-store').send(refusal.body);
}

function tokenWardenVerifier(instance: FastifyInstanceLike, options: FastifyPluginOptions, done: (error?: Error) => void): void {
  const verifier = (options as Partial<FastifyPluginOptions> | undefined)?.verifier;
  if (typeof verifier?.verify !== 'function') {
    done(new TypeError('fastifyPlugin needs { verifier }: the object createVerifier() returned'));
    return;
  }
  // Registered again in a child scope, the inherited decoration is already there (decorating twice throws).
  if (!instance.hasRequestDecorator('auth')) instance.decorateRequest('auth', null);
  instance.addHook('onRequest', (request, reply, next) => {
    const token = bearerToken(request.headers.authorization);
    if (token === null) {
      refuse(reply, MISSING_TOKEN);
      return; // answering without calling `next` ends the request here (Fastify's callback-style hooks)
    }
    const conclude = (verdict: KitVerdict) => {
      if (!verdict.active) {
        refuse(reply, invalidToken(verdict.reason));
        return;
      }
      request.auth = verdict.claims;
      next();
    };
    const verdict = verifier.verify(token);
    if (verdict instanceof Promise) verdict.then(conclude, (error: unknown) => next(error instanceof Error ? error : new Error(String(error))));
    else conclude(verdict);
  });
  done();
}

/**
 * `skip-override` is what `fastify-plugin` sets: without it Fastify would run the plugin in a scope of its own,
 * and its hook and `request.auth` would reach no route outside it. The name lets other plugins declare a
 * dependency on this one. Set in the export's own expression, so a bundler keeps the marks with the function.
 */
export const fastifyPlugin: FastifyVerifierPlugin = Object.assign(tokenWardenVerifier, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@token-warden/verifier',
  [Symbol.for('plugin-meta')]: { name: '@token-warden/verifier' },
});
