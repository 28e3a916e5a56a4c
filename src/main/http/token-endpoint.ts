/**
 * POST /oauth/token (RFC 6749 §4.1.3 authorization code grant with RFC 7636 PKCE, §4.3 password grant, §6
 * refresh grant). The engine holds every rule; this module parses the form, identifies the client, takes the
 * device from the request and throttles failed password attempts per source address.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isWardenError } from '../../shared/errors';
import type { TokenSet } from '../engine/types';
import { readForm, type FormParams } from './body';
import { identifyClient } from './client-auth';
import { allowAnyOrigin } from './cors';
import type { ServiceContext } from './context';
import { deviceFromRequest, deviceNameFromUserAgent } from './device';
import { oauthEndpoint } from './oauth-endpoint';
import { HttpError, NO_STORE, sendJson } from './respond';

const MAX_PARAM = 1024;

function required(params: FormParams, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw new HttpError(400, 'invalid_request', `The ${name} parameter is required.`);
  if (value.length > MAX_PARAM) throw new HttpError(400, 'invalid_request', `The ${name} parameter is too long.`);
  return value;
}

function optional(params: FormParams, name: string): string | undefined {
  const value = params.get(name);
  if (value !== undefined && value.length > MAX_PARAM) throw new HttpError(400, 'invalid_request', `The ${name} parameter is too long.`);
  return value;
}

function rememberMe(params: FormParams): boolean {
  const value = params.get('remember_me');
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new HttpError(400, 'invalid_request', 'remember_me must be "true" or "false".');
}

/** RFC 6749 §5.1 success body; no `scope` member when none was granted (none was asked for); OIDC's `id_token` when issued. */
function tokenResponse(tokens: TokenSet) {
  return {
    access_token: tokens.accessToken,
    token_type: tokens.tokenType,
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
    ...(tokens.scope ? { scope: tokens.scope } : {}),
    ...(tokens.idToken ? { id_token: tokens.idToken } : {}),
  };
}

const GRANT_TYPES = new Set(['authorization_code', 'password', 'refresh_token']);

export function tokenEndpoint(ctx: ServiceContext) {
  return oauthEndpoint(ctx, 'POST /oauth/token', async (req: IncomingMessage, res: ServerResponse) => {
    // Single-page apps call it from their own origin (see ./cors.ts); errors must be readable there too.
    allowAnyOrigin(res);
    const params = await readForm(req);
    const grantType = required(params, 'grant_type');
    if (!GRANT_TYPES.has(grantType)) {
      throw new HttpError(400, 'unsupported_grant_type', 'Supported grant types: authorization_code, password, refresh_token.');
    }
    const client = await identifyClient(ctx.engine, req, params);
    const device = deviceFromRequest(req, params);
    let tokens: TokenSet;
    if (grantType === 'authorization_code') {
      const code = required(params, 'code');
      // A missing redirect_uri or code_verifier cannot match what the code is bound to: the engine refuses it
      // as invalid_grant like a wrong one, and neither changes anything.
      const redirectUri = optional(params, 'redirect_uri');
      const codeVerifier = optional(params, 'code_verifier');
      // The session is the browser's: it is named from the browser's user agent, unless the app names it.
      const deviceName = params.get('device_name') !== undefined ? () => device.name : deviceNameFromUserAgent;
      tokens = await ctx.engine.exchangeCode({ code, redirectUri, codeVerifier, clientId: client.clientId, device, deviceName });
    } else if (grantType === 'password') {
      const username = required(params, 'username');
      const password = required(params, 'password');
      const scope = optional(params, 'scope');
      const remember = rememberMe(params);
      // The attempt counts from here: reserved before the engine looks at the password, settled after it answered.
      const attempt = await ctx.throttle.reserve(device.ip);
      if ('retryAfterMs' in attempt) {
        throw new HttpError(429, 'temporarily_unavailable', 'Too many failed sign-in attempts from this address; try again later.', {
          'Retry-After': Math.ceil(attempt.retryAfterMs / 1000),
        });
      }
      let failed = false;
      try {
        tokens = await ctx.engine.login({ username, password, clientId: client.clientId, device, rememberMe: remember, ...(scope ? { scope } : {}) });
      } catch (error) {
        failed = isWardenError(error) && error.code === 'invalid_credentials';
        throw error;
      } finally {
        attempt.settle(failed);
      }
    } else {
      const refreshToken = required(params, 'refresh_token');
      tokens = await ctx.engine.refresh({ refreshToken, clientId: client.clientId, device });
    }
    sendJson(res, 200, tokenResponse(tokens), NO_STORE);
  });
}
