/**
 * The blast radius of a revocation, previewed before the action runs (the console's confirmation dialogs).
 * It says what dies and what survives, in the same terms as the action: revoking sessions ends them and
 * their tokens; a refresh-version bump ends no session and revokes no access token (the sessions can no
 * longer refresh, the tokens live to exp); revoking a key or one access token signs nobody out (the sessions
 * carrying those tokens lose them and keep refreshing).
 */
import type { RevocationTarget } from '../../shared/admin-api';
import type { BlastRadius } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { AccessTokenRow, SessionRow } from '../store/store';
import type { EngineContext } from './context';
import { sessionStatus, usernames } from './queries';
import { maxExpiry } from './revoke';
import { judgeState } from './verify';

/** A key's sessions listed by name; more are counted, up to KEY_SESSIONS_COUNTED. */
export const KEY_SESSIONS_LISTED = 50;
export const KEY_SESSIONS_COUNTED = 1000;

type Fates = Pick<BlastRadius, 'sessionsFate' | 'accessTokensFate'>;
const REVOKES: Fates = { sessionsFate: 'revoked', accessTokensFate: 'revoked' };

export async function previewBlastRadius(ctx: EngineContext, input: { target: RevocationTarget }): Promise<BlastRadius> {
  const now = ctx.now();
  const target = input.target;
  let sessions: SessionRow[] = [];
  let tokens: AccessTokenRow[] = [];
  let fates = REVOKES;
  switch (target.kind) {
    case 'session': {
      const session = await ctx.store.getSession(target.sessionId);
      if (!session) throw new WardenError('not_found', `No session with id ${target.sessionId}.`);
      sessions = sessionStatus(session, now) === 'revoked' ? [] : [session];
      tokens = await ctx.store.listLiveAccessTokensOfSessions(sessions.map((s) => s.id), now);
      break;
    }
    case 'sessions': {
      // A selection (the Sessions view): the open ones among them, one radius for the whole batch.
      for (const sessionId of new Set(target.sessionIds)) {
        const session = await ctx.store.getSession(sessionId);
        if (!session) throw new WardenError('not_found', `No session with id ${sessionId}.`);
        if (sessionStatus(session, now) !== 'revoked') sessions.push(session);
      }
      tokens = await ctx.store.listLiveAccessTokensOfSessions(sessions.map((s) => s.id), now);
      break;
    }
    case 'user': {
      if (!await ctx.store.getUser(target.userId)) throw new WardenError('not_found', `No user with id ${target.userId}.`);
      sessions = await ctx.store.listActiveSessionsOfUser(target.userId, now);
      tokens = await ctx.store.listLiveAccessTokensOfUser(target.userId, now);
      break;
    }
    case 'refresh_version': {
      if (!await ctx.store.getUser(target.userId)) throw new WardenError('not_found', `No user with id ${target.userId}.`);
      // Only the sessions that can still refresh lose something; those a bump already ended lose nothing more.
      sessions = (await ctx.store.listActiveSessionsOfUser(target.userId, now)).filter((s) => sessionStatus(s, now) === 'active');
      // Not revoked: these live to exp, and worstCaseExpiry says until when.
      tokens = await ctx.store.listLiveAccessTokensOfUser(target.userId, now);
      fates = { sessionsFate: 'cant_refresh', accessTokensFate: 'live_to_exp' };
      break;
    }
    case 'access_token': {
      const token = await ctx.store.getAccessToken(target.jti);
      if (!token) throw new WardenError('not_found', `No access token with jti ${target.jti}.`);
      tokens = token.expiresAt > now ? [token] : [];
      const session = tokens.length ? await ctx.store.getSession(token.sessionId) : undefined;
      sessions = session && sessionStatus(session, now) !== 'revoked' ? [session] : [];
      fates = { sessionsFate: 'stay_open', accessTokensFate: 'revoked' };
      break;
    }
    case 'key':
      return keyRadius(ctx, target.kid, now);
  }
  const live: AccessTokenRow[] = [];
  for (const t of tokens) {
    if (!await judgeState(ctx, { sub: t.userId, sid: t.sessionId, jti: t.jti, iat: Math.floor(t.issuedAt / 1000) })) live.push(t);
  }
  return {
    ...(await described(ctx, sessions)),
    sessionCount: sessions.length,
    sessionCountCapped: false,
    ...fates,
    liveAccessTokens: live.length,
    worstCaseExpiry: maxExpiry(live) ?? null,
    // Tokens-only revocations leave every refresh family working.
    refreshFamilies: fates.sessionsFate === 'stay_open' ? 0 : sessions.length,
    clients: [...new Set([...sessions.map((s) => s.clientId), ...live.map((t) => t.clientId)])],
  };
}

/**
 * A key may have signed for the whole install: its tokens are counted and its sessions read in bounded steps
 * (the first KEY_SESSIONS_LISTED open ones by name, up to KEY_SESSIONS_COUNTED counted).
 */
async function keyRadius(ctx: EngineContext, kid: string, now: number): Promise<BlastRadius> {
  if (!await ctx.store.getKey(kid)) throw new WardenError('key_not_found', `No signing key with kid ${kid}.`);
  const ids = await ctx.store.tokenReach.sessionIdsWithLiveTokensOfKid(kid, now, KEY_SESSIONS_COUNTED + 1);
  const capped = ids.length > KEY_SESSIONS_COUNTED;
  const open: SessionRow[] = [];
  for (const id of ids.slice(0, KEY_SESSIONS_COUNTED)) {
    const session = await ctx.store.getSession(id);
    if (session && sessionStatus(session, now) !== 'revoked') open.push(session);
  }
  const listed = open.slice(0, KEY_SESSIONS_LISTED);
  const count = await ctx.store.countLiveAccessTokensByKid(kid, now);
  return {
    ...(await described(ctx, listed)),
    sessionCount: capped ? KEY_SESSIONS_COUNTED : open.length,
    sessionCountCapped: capped,
    sessionsFate: 'stay_open',
    liveAccessTokens: count,
    accessTokensFate: 'revoked',
    worstCaseExpiry: count ? (await ctx.store.tokenReach.latestLiveExpiryOfKid(kid, now) ?? null) : null,
    refreshFamilies: 0,
    clients: [...new Set(open.map((s) => s.clientId))],
  };
}

async function described(ctx: EngineContext, sessions: SessionRow[]): Promise<Pick<BlastRadius, 'sessions' | 'devices'>> {
  const nameOf = usernames(ctx);
  return {
    sessions: await Promise.all(sessions.map(async (s) => ({ id: s.id, userId: s.userId, username: await nameOf(s.userId), deviceName: s.deviceName, clientId: s.clientId, ip: s.ip }))),
    devices: [...new Set(sessions.map((s) => s.deviceName))],
  };
}
