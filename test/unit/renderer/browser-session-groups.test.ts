import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../src/shared/dto';
import { loadRenderer } from './load-renderer';

interface Group {
  browserSessionId: string;
  clientIds: string[];
  sessionIds: string[];
  activeSessions: number;
}
interface GroupsModule {
  groupByBrowserSession(rows: SessionInfo[]): { rows: SessionInfo[]; groups: Group[] };
  browserSessionLabel(browserSessionId: string): string;
}
const { browserSessionLabel, groupByBrowserSession } = await loadRenderer<GroupsModule>('features/user-detail/browser-session-groups.ts');

function session(id: string, clientId: string, browserSessionId: string | null, status: SessionInfo['status'] = 'active'): SessionInfo {
  return {
    id, userId: 'usr_1', username: 'ana', clientId, deviceName: 'Chrome on Linux', userAgent: 'UA', ip: '127.0.0.1', rememberMe: false,
    createdAt: 1, lastActivityAt: 1, idleExpiresAt: 10, absoluteExpiresAt: 10, status, revokedAt: null, revokedBy: null, revokeReason: null,
    refreshCount: 0, browserSessionId, canRefresh: status === 'active', cantRefreshReason: null, refreshEndedAt: null,
  };
}

describe('sessions grouped under their browser session', () => {
  it('keeps each browser session\'s app sessions together, at its first place, password-grant sessions where they were', () => {
    const rows = [
      session('s1', 'notes', 'bro_A'),
      session('s2', 'phone', null),
      session('s3', 'calendar', 'bro_B'),
      session('s4', 'calendar', 'bro_A', 'revoked'),
      session('s5', 'mail', 'bro_A'),
    ];
    const { rows: ordered, groups } = groupByBrowserSession(rows);
    expect(ordered.map((row) => row.id)).toEqual(['s1', 's4', 's5', 's2', 's3']);
    expect(groups).toEqual([
      { browserSessionId: 'bro_A', clientIds: ['notes', 'calendar', 'mail'], sessionIds: ['s1', 's4', 's5'], activeSessions: 2 },
      { browserSessionId: 'bro_B', clientIds: ['calendar'], sessionIds: ['s3'], activeSessions: 1 },
    ]);
  });

  it('no browser sessions: the rows as they were, no groups', () => {
    const rows = [session('s1', 'phone', null), session('s2', 'cli', null)];
    expect(groupByBrowserSession(rows)).toEqual({ rows, groups: [] });
  });

  it('labels a browser session by the start of its id', () => {
    expect(browserSessionLabel('bro_Zx81kq0Pabcdef')).toBe('Browser Zx81kq');
  });
});
