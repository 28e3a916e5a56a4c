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

export function previewBlastRadius(ctx: EngineContext, input: { target: RevocationTarget }): BlastRadius {
  const now = ctx.now();
  const target = input.target;
  let sessions: SessionRow[] = [];
  let tokens: AccessTokenRow[] = [];
  let fates = REVOKES;
  switch (target.kind) {
    case 'session': {
      const session = ctx.store.getSession(target.sessionId);
      if (!session) throw new WardenError('not_found', `No session with id ${target.sessionId}.`);
      sessions = sessionStatus(session, now) === 'revoked' ? [] : [session];
      tokens = ctx.store.listLiveAccessTokensOfSessions(sessions.map((s) => s.id), now);
      break;
    }
    case 'sessions': {
      // A selection (the Sessions view): the open ones among them, one radius for the whole batch.
      for (const sessionId of new Set(target.sessionIds)) {
        const session = ctx.store.getSession(sessionId);
        if (!session) throw new WardenError('not_found', `No session with id ${sessionId}.`);
        if (sessionStatus(session, now) !== 'revoked') sessions.push(session);
      }
      tokens = ctx.store.listLiveAccessTokensOfSessions(sessions.map((s) => s.id), now);
      break;
    }
    case 'user': {
      if (!ctx.store.getUser(target.userId)) throw new WardenError('not_found', `No user with id ${target.userId}.`);
      sessions = ctx.store.listActiveSessionsOfUser(target.userId, now);
      tokens = ctx.store.listLiveAccessTokensOfUser(target.userId, now);
      break;
    }
    case 'refresh_version': {
      if (!ctx.store.getUser(target.userId)) throw new WardenError('not_found', `No user with id ${target.userId}.`);
      // Only the sessions that can still refresh lose something; those a bump already ended lose nothing more.
      sessions = ctx.store.listActiveSessionsOfUser(target.userId, now).filter((s) => sessionStatus(s, now) === 'active');
      // Not revoked: these live to exp, and worstCaseExpiry says until when.
      tokens = ctx.store.listLiveAccessTokensOfUser(target.userId, now);
      fates = { sessionsFate: 'cant_refresh', accessTokensFate: 'live_to_exp' };
      break;
    }
    case 'access_token': {
      const token = ctx.store.getAccessToken(target.jti);
      if (!token) throw new WardenError('not_found', `No access token with jti ${target.jti}.`);
      tokens = token.expiresAt > now ? [token] : [];
      const session = tokens.length ? ctx.store.getSession(token.sessionId) : undefined;
      sessions = session && sessionStatus(session, now) !== 'revoked' ? [session] : [];
      fates = { sessionsFate: 'stay_open', accessTokensFate: 'revoked' };
      break;
    }
    case 'key':
      return keyRadius(ctx, target.kid, now);
  }
  const live = tokens.filter((t) => !judgeState(ctx, { sub: t.userId, sid: t.sessionId, jti: t.jti, iat: Math.floor(t.issuedAt / 1000) }));
  return {
    ...described(ctx, sessions),
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
function keyRadius(ctx: EngineContext, kid: string, now: number): BlastRadius {
  if (!ctx.store.getKey(kid)) throw new WardenError('key_not_found', `No signing key with kid ${kid}.`);
  const ids = ctx.store.tokenReach.sessionIdsWithLiveTokensOfKid(kid, now, KEY_SESSIONS_COUNTED + 1);
  const capped = ids.length > KEY_SESSIONS_COUNTED;
  const open: SessionRow[] = [];
  for (const id of ids.slice(0, KEY_SESSIONS_COUNTED)) {
    const session = ctx.store.getSession(id);
    if (session && sessionStatus(session, now) !== 'revoked') open.push(session);
  }
  const listed = open.slice(0, KEY_SESSIONS_LISTED);
  const count = ctx.store.countLiveAccessTokensByKid(kid, now);
  return {
    ...described(ctx, listed),
    sessionCount: capped ? KEY_SESSIONS_COUNTED : open.length,
    sessionCountCapped: capped,
    sessionsFate: 'stay_open',
    liveAccessTokens: count,
    accessTokensFate: 'revoked',
    worstCaseExpiry: count ? (ctx.store.tokenReach.latestLiveExpiryOfKid(kid, now) ?? null) : null,
    refreshFamilies: 0,
    clients: [...new Set(open.map((s) => s.clientId))],
  };
}

function described(ctx: EngineContext, sessions: SessionRow[]): Pick<BlastRadius, 'sessions' | 'devices'> {
  const nameOf = usernames(ctx);
  return {
    sessions: sessions.map((s) => ({ id: s.id, userId: s.userId, username: nameOf(s.userId), deviceName: s.deviceName, clientId: s.clientId, ip: s.ip })),
    devices: [...new Set(sessions.map((s) => s.deviceName))],
  };
}
