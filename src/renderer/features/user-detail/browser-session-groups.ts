import type { SessionInfo } from '../../../shared/dto';

/** The app sessions one provider browser session (the hosted sign-in page's cookie) signed in. */
export interface BrowserSessionGroup {
  browserSessionId: string;
  /** The apps, in the order their sessions appear. */
  clientIds: string[];
  sessionIds: string[];
  activeSessions: number;
}

/**
 * Groups a page of sessions under their browser sessions: the rows come back with each group's sessions
 * together (at the place of its first, most recent one), password-grant sessions (no browser session) where
 * they were. Only the page at hand is grouped: a group may continue on another page.
 */
export function groupByBrowserSession(rows: SessionInfo[]): { rows: SessionInfo[]; groups: BrowserSessionGroup[] } {
  const groups = new Map<string, BrowserSessionGroup>();
  const members = new Map<string, SessionInfo[]>();
  for (const row of rows) {
    if (row.browserSessionId === null) continue;
    let group = groups.get(row.browserSessionId);
    if (!group) {
      group = { browserSessionId: row.browserSessionId, clientIds: [], sessionIds: [], activeSessions: 0 };
      groups.set(row.browserSessionId, group);
      members.set(row.browserSessionId, []);
    }
    if (!group.clientIds.includes(row.clientId)) group.clientIds.push(row.clientId);
    group.sessionIds.push(row.id);
    if (row.status === 'active') group.activeSessions += 1;
    members.get(row.browserSessionId)!.push(row);
  }
  const ordered: SessionInfo[] = [];
  for (const row of rows) {
    if (row.browserSessionId === null) ordered.push(row);
    else if (members.get(row.browserSessionId)?.[0] === row) ordered.push(...members.get(row.browserSessionId)!);
  }
  return { rows: ordered, groups: [...groups.values()] };
}

/** A short, stable label for a browser session id (`bro_…`): enough to tell them apart on one page. */
export function browserSessionLabel(browserSessionId: string): string {
  return `Browser ${browserSessionId.replace(/^bro_/, '').slice(0, 6)}`;
}
