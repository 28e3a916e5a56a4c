/**
 * What the authorization endpoint (src/main/http/authorize-endpoint.ts) asks of the engine: sign a person in
 * on the hosted page, find the browser session a cookie names, and issue an authorization code under it.
 */
import type { BrowserSessionRow } from '../store/browser-session-store';
import { WardenError } from '../../shared/errors';
import { issueAuthorizationCode } from './authorization-codes';
import { browserSessionFromCookie, isLive } from './browser-sessions';
import type { EngineContext } from './context';
import { signIn, type SignedIn, type SignInRequest } from './sign-in';

export interface CodeRequest {
  clientId: string;
  browserSessionId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  nonce: string | null;
}

export interface FrontChannel {
  /** See ./sign-in.ts. Throws invalid_credentials, login_throttled or user_blocked. */
  signIn(request: SignInRequest): Promise<SignedIn>;
  /** The live browser session a cookie value names, or undefined. */
  browserSession(cookie: unknown): Promise<BrowserSessionRow | undefined>;
  /** A one-time code for the app (S3's rules); throws login_required-like `unauthorized` when the browser session ended meanwhile. */
  issueCode(request: CodeRequest): Promise<string>;
}

export function createFrontChannel(ctx: EngineContext): FrontChannel {
  return {
    signIn: (request) => signIn(ctx, request),
    browserSession: async (cookie) => browserSessionFromCookie(ctx, cookie),
    issueCode: async (request) =>
      ctx.run(async (tx) => {
        // Re-read inside the transaction: a force logout may have ended it since the cookie was read.
        const row = await ctx.store.browserSessions.get(request.browserSessionId);
        if (!row || !await isLive(ctx, row, tx.now)) throw new WardenError('unauthorized', 'The browser session has ended; sign in again.');
        await ctx.store.browserSessions.update(row.id, { lastSeenAt: tx.now });
        return issueAuthorizationCode(ctx, tx, {
          clientId: request.clientId,
          userId: row.userId,
          browserSessionId: row.id,
          redirectUri: request.redirectUri,
          codeChallenge: request.codeChallenge,
          scope: request.scope,
          nonce: request.nonce,
          authTime: row.authTime,
        });
      }),
  };
}
