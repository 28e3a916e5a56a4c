/** Rows for the PostgreSQL store tests (the shared suite's makers, kept small and local until it is async). */
import { createHash } from 'node:crypto';
import type { AccessTokenRow, NewClientRow, RefreshTokenRow, SessionRow, UserRow } from '../../src/main/store/store';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const MIN = 60_000;
export const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

export const user = (over: Partial<UserRow> & Pick<UserRow, 'id' | 'username'>): UserRow => ({
  passwordHash: 'scrypt$x', status: 'active', createdAt: T0, refreshVersion: 1, notBefore: null, blockedAt: null,
  blockedReason: null, failedLogins: 0, lockedUntil: null, lastLoginAt: null, ...over,
});

export const client = (clientId: string, over: Partial<NewClientRow> = {}): NewClientRow => ({
  clientId, kind: 'public', name: clientId, secretHash: null, createdAt: T0, redirectUris: ['http://127.0.0.1/cb'],
  postLogoutRedirectUris: [], backchannelLogoutUri: null, grantTypes: ['password', 'refresh_token'],
  idTokenSignedResponseAlg: 'RS256', updatedAt: null, ...over,
});

export const session = (over: Partial<SessionRow> & Pick<SessionRow, 'id' | 'userId'>): SessionRow => ({
  clientId: 'app', deviceName: 'Firefox on Linux', userAgent: 'Mozilla/5.0', ip: '127.0.0.1', rememberMe: false,
  scope: 'openid', createdAt: T0, lastActivityAt: T0, idleExpiresAt: T0 + 30 * MIN, absoluteExpiresAt: T0 + 600 * MIN,
  revokedAt: null, revokedBy: null, revokeReason: null, refreshCount: 0, browserSessionId: null, refreshEndedAt: null, ...over,
});

export const refresh = (s: SessionRow, name: string, over: Partial<RefreshTokenRow> = {}): RefreshTokenRow => ({
  hash: sha(name), sessionId: s.id, userId: s.userId, clientId: s.clientId, refreshVersion: 1, createdAt: T0, usedAt: null,
  successorHash: null, revokedAt: null, usedIp: null, usedUserAgent: null, ...over,
});

export const access = (s: SessionRow, jti: string, over: Partial<AccessTokenRow> = {}): AccessTokenRow => ({
  jti, sessionId: s.id, userId: s.userId, clientId: s.clientId, kid: 'k1', issuedAt: T0, expiresAt: T0 + 5 * MIN, ...over,
});
