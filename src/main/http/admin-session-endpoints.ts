/**
 * The console's sign-in over HTTP (area A): a named admin's password (+ TOTP), the one-time link, who is
 * signed in, sign-out. Sessions are the engine's (src/main/engine/admin-sessions.ts); the cookie is
 * `tw_admin=…; HttpOnly; SameSite=Strict; Path=/admin` (+ `Secure` when the issuer is https), lasting the
 * session's absolute lifetime. Every tab of the browser shares it.
 *
 *   POST /admin/login       {username, password, totp?} → AdminMe + Set-Cookie   (401 invalid_credentials |
 *                           totp_required (no cookie), 429 login_throttled + Retry-After)
 *   POST /admin/session     {code} → AdminMe + Set-Cookie                       (the one-time link: admin:bootstrap)
 *   GET  /admin/me          AdminMe: who, role, csrfToken, expiries             (cookie or Bearer)
 *   POST /admin/logout      ends this session, clears the cookie                 (cookie + X-CSRF-Token)
 *   POST /admin/logout-all  ends every session of this admin → {ended}           (cookie + X-CSRF-Token, or Bearer)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminMe } from '../../shared/admin-accounts';
import { displayText } from '../../shared/display-text';
import { WardenError } from '../../shared/errors';
import { AddressThrottle, DEFAULT_ADDRESS_THROTTLE, type ThrottleOptions } from './address-throttle';
import { csrfTokenFor, type AdminAuth, type AdminPrincipal } from './admin-auth';
import { sendResult, wrapAdminEndpoint } from './admin-endpoints';
import { readJson } from './body';
import { clientAddress, requestIsHttps } from './client-address';
import type { Endpoint, ServiceContext } from './context';
import type { OpenedSession } from '../engine/admin-sessions';

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
}

function clientOf(req: IncomingMessage): { ip: string; userAgent: string } {
  return { ip: clientAddress(req), userAgent: displayText(req.headers['user-agent'] ?? '', 512) };
}

export class AdminSessionEndpoints {
  /** Failed admin sign-ins per address: its own budget, apart from the users' sign-in page and token endpoint. */
  private readonly throttle: AddressThrottle;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly auth: AdminAuth,
    throttle: ThrottleOptions = DEFAULT_ADDRESS_THROTTLE,
  ) {
    this.throttle = new AddressThrottle(ctx.clock, throttle);
  }

  private async me(principal: AdminPrincipal): Promise<AdminMe> {
    const session = principal.session;
    return {
      ...await this.ctx.engine.adminAccess.whoami(principal.who),
      csrfToken: session ? csrfTokenFor(session.cookie) : null,
      idleExpiresAt: session?.row.idleExpiresAt ?? null,
      absoluteExpiresAt: session?.row.absoluteExpiresAt ?? null,
    };
  }

  private async started(req: IncomingMessage, res: ServerResponse, opened: OpenedSession): Promise<void> {
    const principal: AdminPrincipal = { who: opened.who, session: { row: opened.session, cookie: opened.token } };
    const cookie = this.auth.sessionCookie({ token: opened.token, absoluteExpiresAt: opened.session.absoluteExpiresAt }, requestIsHttps(req));
    sendResult(res, { ok: true, value: await this.me(principal) }, { 'Set-Cookie': cookie });
  }

  login(): Endpoint {
    return wrapAdminEndpoint(this.ctx, 'POST /admin/login', async (req, res) => {
      this.auth.checkPlace(req);
      const body = await readJson(req);
      const client = clientOf(req);
      const attempt = await this.throttle.reserve(client.ip);
      if ('retryAfterMs' in attempt) {
        throw new WardenError('login_throttled', 'Too many failed sign-ins from this address; try again later.', { retryAfterSeconds: Math.ceil(attempt.retryAfterMs / 1000) });
      }
      let failed = false;
      try {
        const opened = await this.ctx.engine.adminAccess.login({ username: field(body, 'username'), password: field(body, 'password'), totp: field(body, 'totp'), ...client });
        await this.started(req, res, opened);
      } catch (error) {
        // Only an evaluated, wrong password (or TOTP code) uses up the address's budget.
        failed = error instanceof WardenError && error.code === 'invalid_credentials';
        throw error;
      } finally {
        attempt.settle(failed);
      }
    });
  }

  session(): Endpoint {
    return wrapAdminEndpoint(this.ctx, 'POST /admin/session', async (req, res) => {
      this.auth.checkPlace(req);
      this.auth.consumeCode(field(await readJson(req), 'code'));
      await this.started(req, res, await this.ctx.engine.adminAccess.openBootstrapSession(clientOf(req)));
    });
  }

  whoami(): Endpoint {
    return wrapAdminEndpoint(this.ctx, 'GET /admin/me', async (req, res) => {
      this.auth.checkPlace(req);
      sendResult(res, { ok: true, value: await this.me(await this.auth.authenticate(req, { enrollment: true })) });
    });
  }

  logout(): Endpoint {
    return wrapAdminEndpoint(this.ctx, 'POST /admin/logout', async (req, res) => {
      this.auth.checkPlace(req);
      const principal = await this.auth.authenticate(req, { enrollment: true });
      if (!principal.session) throw new WardenError('invalid_input', 'Only a console session signs out; a key is revoked instead (revokeAdminKey).');
      // Committed before the answer: the browser's next request must not find the session live.
      await this.ctx.engine.adminAccess.signOut(principal.session.row.id, principal.who);
      sendResult(res, { ok: true, value: { ended: 1 } }, { 'Set-Cookie': this.auth.sessionCookie(null, requestIsHttps(req)) });
    });
  }

  logoutAll(): Endpoint {
    return wrapAdminEndpoint(this.ctx, 'POST /admin/logout-all', async (req, res) => {
      this.auth.checkPlace(req);
      const principal = await this.auth.authenticate(req, { enrollment: true });
      const ended = await this.ctx.engine.adminAccess.signOutEverywhere(principal.who);
      sendResult(res, { ok: true, value: { ended } }, principal.session ? { 'Set-Cookie': this.auth.sessionCookie(null, requestIsHttps(req)) } : {});
    });
  }
}
