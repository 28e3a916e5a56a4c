/** POST /oauth/introspect (RFC 7662), for confidential clients authenticated with client_secret_basic. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm } from './body';
import { requireConfidentialClient } from './client-auth';
import type { ServiceContext } from './context';
import { oauthEndpoint } from './oauth-endpoint';
import { HttpError, NO_STORE, sendJson } from './respond';

const MAX_TOKEN = 16_384;

export function introspectEndpoint(ctx: ServiceContext) {
  return oauthEndpoint(ctx, 'POST /oauth/introspect', async (req: IncomingMessage, res: ServerResponse) => {
    const params = await readForm(req);
    await requireConfidentialClient(ctx.engine, req);
    const token = params.get('token');
    if (token === undefined) throw new HttpError(400, 'invalid_request', 'The token parameter is required.');
    const body = token.length > MAX_TOKEN ? { active: false } : await ctx.engine.introspect(token);
    sendJson(res, 200, body, NO_STORE);
  });
}
