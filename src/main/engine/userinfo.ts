/**
 * OpenID Connect UserInfo (Core §5.3): the claims about the user an access token was issued for. The token
 * gets the engine's full check (signature, claims, and every revocation: a forced-out or blocked user's token
 * is refused here at once), then must carry the `openid` scope. Claims: `sub`, and `preferred_username` for
 * `profile` (users have no other profile claim yet).
 */
import type { EngineContext } from './context';
import { hasScope } from './id-token';
import type { UserinfoResult } from './types';
import { verifyDetailed } from './verify';

export async function userinfo(ctx: EngineContext, accessToken: unknown): Promise<UserinfoResult> {
  const { verdict } = await verifyDetailed(ctx, accessToken);
  if (!verdict.active) return { ok: false, error: 'invalid_token', description: `The access token is not active (${verdict.reason}).` };
  const { claims } = verdict;
  if (!hasScope(claims.scope, 'openid')) return { ok: false, error: 'insufficient_scope', description: 'The access token was not issued for the openid scope.' };
  const user = await ctx.store.getUser(claims.sub);
  if (!user) return { ok: false, error: 'invalid_token', description: 'The access token is not active (unknown_user).' };
  return { ok: true, claims: { sub: user.id, ...(hasScope(claims.scope, 'profile') ? { preferred_username: user.username } : {}) } };
}
