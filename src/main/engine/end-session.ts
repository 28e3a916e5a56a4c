/**
 * OpenID Connect RP-Initiated Logout 1.0, the engine's half: read an `id_token_hint` (one of our ID tokens,
 * expired ones included, as §2 allows), and end the provider's browser session with every app session signed
 * in under it (S2's endBrowserSession, so the revocation feed and back-channel logout follow). The endpoint
 * (src/main/http/end-session-endpoint.ts) checks the request and redirects.
 */
import type { ClientRow } from '../store/store';
import { endBrowserSession } from './browser-sessions';
import type { EngineContext } from './context';
import { decodeJwt, verifyJwtSignature } from './jwt';
import { nothingKilled, revokeSession, type Killed } from './revoke';
import { BACKCHANNEL_LOGOUT_EVENT } from './backchannel';

/** What a valid hint says: who signed in to which app, in which session. */
export interface IdTokenHint {
  client: ClientRow;
  userId: string;
  /** The ID token's `sid`: the app session (and through it the browser session) to end. */
  sessionId: string;
}

export interface LogoutRequest {
  hint: IdTokenHint | undefined;
  /** The browser session the request's cookie names, when it is live. */
  browserSessionId: string | undefined;
  /** The user whose browser session that is. */
  browserSessionUserId: string | undefined;
}

export interface EndSession {
  /** The verified hint, or undefined when the token is not one of our ID tokens (see readIdTokenHint). */
  readHint(token: unknown): Promise<IdTokenHint | undefined>;
  /** Ends what the request names; idempotent (an ended session kills nothing). */
  logout(request: LogoutRequest): Promise<Killed>;
}

const str = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 1000;

/**
 * An ID token we signed, whatever its age: a known key that is not revoked (a revoked key's signatures prove
 * nothing) and not the unused next key; `typ` JWT or none (so neither an access token nor a logout token,
 * which must never pass for an ID token); our `iss`; `aud` a single registered client; `sub` and `sid`.
 * `exp` is not checked: §2 asks the OP to accept a hint that has expired.
 */
export async function readIdTokenHint(ctx: EngineContext, token: unknown): Promise<IdTokenHint | undefined> {
  const decoded = decodeJwt(token);
  if (!decoded) return undefined;
  const { header, payload } = decoded;
  const key = typeof header.kid === 'string' ? ctx.keys.get(header.kid) : undefined;
  if (!key || key.row.alg !== header.alg || key.row.status === 'revoked' || key.row.status === 'next') return undefined;
  if (!verifyJwtSignature(decoded, key.row.alg, key.publicKey)) return undefined;
  if (header.typ !== undefined && header.typ !== 'JWT') return undefined;
  if ('events' in payload && typeof payload.events === 'object' && payload.events !== null && BACKCHANNEL_LOGOUT_EVENT in payload.events) return undefined;
  const { iss, aud, sub, sid } = payload;
  const audience = Array.isArray(aud) && aud.length === 1 ? aud[0] : aud;
  if (iss !== ctx.issuer || !str(audience) || !str(sub) || !str(sid)) return undefined;
  const client = await ctx.store.getClient(audience);
  if (!client) return undefined;
  const session = await ctx.store.getSession(sid);
  // The session must be the one this token was issued for: same user, same app.
  if (session && (session.userId !== sub || session.clientId !== client.clientId)) return undefined;
  return { client, userId: sub, sessionId: sid };
}

export function createEndSession(ctx: EngineContext): EndSession {
  return {
    readHint: async (token) => readIdTokenHint(ctx, token),
    logout: async (request) =>
      ctx.run(async (tx) => {
        const killed = nothingKilled();
        const add = (more: Killed) => {
          killed.sessionIds.push(...more.sessionIds);
          killed.accessTokens += more.accessTokens;
          killed.refreshTokens += more.refreshTokens;
          killed.feedEventId = more.feedEventId ?? killed.feedEventId;
        };
        const userId = request.hint?.userId ?? request.browserSessionUserId;
        const actor = userId ? `user:${userId}` : 'user';
        const reason = request.hint ? `RP-initiated logout from ${request.hint.client.clientId}` : 'RP-initiated logout';
        const ended = new Set<string>();
        const end = async (browserSessionId: string) => {
          if (ended.has(browserSessionId)) return;
          ended.add(browserSessionId);
          add(await endBrowserSession(ctx, tx, browserSessionId, actor, reason, 'logout'));
        };
        const session = request.hint ? await ctx.store.getSession(request.hint.sessionId) : undefined;
        if (session?.browserSessionId) await end(session.browserSessionId);
        else if (session) add(await revokeSession(ctx, tx, session, actor, reason, 'logout', true));
        // The cookie's browser session too, unless it is someone else's than the hint names.
        if (request.browserSessionId && (!request.hint || request.browserSessionUserId === request.hint.userId)) await end(request.browserSessionId);
        return killed;
      }),
  };
}
