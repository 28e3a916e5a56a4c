/**
 * POST /oauth/revoke (RFC 7009). A client revokes one of its own access or refresh tokens. Unknown or invalid
 * tokens get 200 (§2.2); a token issued to another client is refused with 400 `unauthorized_client` (§2.1:
 * the server verifies the token was issued to the requesting client and, if not, informs it of the error).
 * The 200 carries an empty JSON object rather than an empty body: clients that parse every answer as JSON
 * (simple-oauth2 refuses a body without a JSON content type) then read it like any other response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm } from './body';
import { identifyClient } from './client-auth';
import type { ServiceContext } from './context';
import { oauthEndpoint } from './oauth-endpoint';
import { HttpError, NO_STORE, sendJson } from './respond';

const MAX_TOKEN = 16_384;

export function revokeEndpoint(ctx: ServiceContext) {
  return oauthEndpoint(ctx, 'POST /oauth/revoke', async (req: IncomingMessage, res: ServerResponse) => {
    const params = await readForm(req);
    const client = await identifyClient(ctx.engine, req, params);
    const token = params.get('token');
    if (token === undefined) throw new HttpError(400, 'invalid_request', 'The token parameter is required.');
    // token_type_hint is only a hint (§2.1): the engine looks the token up either way.
    if (token.length <= MAX_TOKEN) await ctx.engine.revokeToken(token, client.clientId);
    sendJson(res, 200, {}, NO_STORE);
  });
}
