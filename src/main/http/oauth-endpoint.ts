/** Wraps an OAuth endpoint so every failure leaves as an RFC 6749 error, and only real faults as a 500. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceContext } from './context';
import { InternalFault, toOAuthHttpError } from './oauth-errors';
import { sendOAuthError } from './respond';

export function oauthEndpoint(
  ctx: ServiceContext,
  name: string,
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void,
) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      await handler(req, res, url);
    } catch (error) {
      try {
        const http = toOAuthHttpError(error);
        sendOAuthError(res, http.status, http.error, http.description, http.headers);
      } catch (mapped) {
        ctx.logFault(name, mapped instanceof InternalFault ? mapped.fault : mapped);
        sendOAuthError(res, 500, 'server_error', 'An internal error occurred.');
      }
    }
  };
}
