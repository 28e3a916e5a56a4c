/**
 * GET/POST /oauth/userinfo (OpenID Connect Core §5.3). The access token comes as a Bearer token in the
 * Authorization header (RFC 6750 §2.1) or, on POST, as `access_token` in a form body (§2.2), never both.
 * Refusals are RFC 6750 §3: 401 with a `Bearer` challenge (naming `invalid_token` when a token was presented),
 * 403 `insufficient_scope` for a token without `openid`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isWardenError } from '../../shared/errors';
import { readForm } from './body';
import type { ServiceContext } from './context';
import { allowAnyOrigin } from './cors';
import { NO_STORE, sendJson } from './respond';

const MAX_TOKEN = 16_384;

/** The `WWW-Authenticate` challenge; quotes and backslashes cannot occur in our descriptions, but are dropped to be sure. */
function challenge(error?: string, description?: string): string {
  if (!error) return 'Bearer realm="token-warden"';
  const clean = (description ?? '').replace(/["\\]/g, '');
  return `Bearer realm="token-warden", error="${error}", error_description="${clean}"`;
}

function refuse(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description }, { ...NO_STORE, 'WWW-Authenticate': challenge(error, description) });
}

async function presentedToken(req: IncomingMessage): Promise<{ token: string } | { error: string }> {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)[ ]*$/i.exec(header);
  if (header !== undefined && !match) return { error: 'The Authorization header is not a Bearer token.' };
  const form = req.method === 'POST' && /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '') ? await readForm(req) : undefined;
  const inForm = form?.get('access_token');
  if (match && inForm !== undefined) return { error: 'Send the access token one way, not two (RFC 6750 §2).' };
  const token = match?.[1] ?? inForm;
  return token === undefined ? { error: '' } : { token };
}

export function userinfoEndpoint(ctx: ServiceContext) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    allowAnyOrigin(res);
    try {
      const presented = await presentedToken(req);
      if ('error' in presented) {
        if (presented.error === '') sendJson(res, 401, { error: 'invalid_request', error_description: 'An access token is required.' }, { ...NO_STORE, 'WWW-Authenticate': challenge() });
        else refuse(res, 400, 'invalid_request', presented.error);
        return;
      }
      const result = presented.token.length > MAX_TOKEN ? { ok: false as const, error: 'invalid_token' as const, description: 'The access token is not active (malformed).' } : await ctx.engine.userinfo(presented.token);
      if (!result.ok) {
        refuse(res, result.error === 'insufficient_scope' ? 403 : 401, result.error, result.description);
        return;
      }
      sendJson(res, 200, result.claims, NO_STORE);
    } catch (error) {
      // A body that is not a form (too large, duplicated parameters): the caller's fault, said as RFC 6750 does.
      if (isWardenError(error) && (error.code === 'invalid_input' || error.code === 'payload_too_large')) {
        refuse(res, error.code === 'payload_too_large' ? 413 : 400, 'invalid_request', error.message);
        return;
      }
      throw error;
    }
  };
}
