import { describe, expect, it } from 'vitest';
import type { BlastRadius } from '../../../src/shared/dto';
import { loadRenderer } from './load-renderer';

const { devicesHeading } = await loadRenderer<{ devicesHeading(radius: BlastRadius, kind: string | undefined): string }>('features/actions/blast-radius-text.ts');

const empty: BlastRadius = {
  sessions: [], sessionCount: 0, sessionCountCapped: false, sessionsFate: 'revoked', liveAccessTokens: 0, accessTokensFate: 'revoked',
  worstCaseExpiry: null, refreshFamilies: 0, devices: [], clients: [],
};
const session = { id: 's1', userId: 'u1', username: 'alice', deviceName: 'Work laptop', clientId: 'web', ip: '127.0.0.1' };

describe('devicesHeading', () => {
  it('never says "Devices (0)" for a key or access-token revocation that kills live tokens', () => {
    for (const kind of ['key', 'access_token']) {
      const heading = devicesHeading({ ...empty, liveAccessTokens: 3 }, kind);
      expect(heading).not.toMatch(/\(0\)/);
      expect(heading).toBe('Devices signed out: none — 3 live access tokens stop working; the sessions carrying them stay signed in');
    }
  });

  it('lists the sessions a key revocation reaches as staying signed in', () => {
    expect(devicesHeading({ ...empty, liveAccessTokens: 2, sessions: [session] }, 'key')).toBe('Sessions whose access tokens die (1; they stay signed in)');
  });

  it('counts the devices a session or user revocation signs out', () => {
    expect(devicesHeading({ ...empty, sessions: [session] }, 'user')).toBe('Devices signed out (1)');
    expect(devicesHeading(empty, 'session')).toBe('Devices signed out: none');
  });
});

const texts = await loadRenderer<{
  accessTokensNote(radius: BlastRadius): string | null;
  liveTokensLabel(radius: BlastRadius): string;
}>('features/actions/blast-radius-text.ts');

describe('the refresh-version bump says one thing (area H)', () => {
  const bump: BlastRadius = { ...empty, sessions: [session], sessionCount: 1, sessionsFate: 'cant_refresh', liveAccessTokens: 2, accessTokensFate: 'live_to_exp', refreshFamilies: 1 };

  it('never says the feed drops the access tokens a bump leaves alive', () => {
    const note = texts.accessTokensNote(bump)!;
    expect(note).not.toMatch(/drop/);
    expect(note).toMatch(/not revoked: they keep working until they expire/);
    expect(texts.liveTokensLabel(bump)).toBe('Live access tokens (not revoked)');
    expect(devicesHeading(bump, 'refresh_version')).toBe('Sessions that can no longer refresh (1)');
  });

  it('says the feed drops them for an action that revokes them, and nothing when none is live', () => {
    expect(texts.accessTokensNote({ ...empty, liveAccessTokens: 1 })).toMatch(/drop these access tokens within milliseconds/);
    expect(texts.liveTokensLabel({ ...empty, liveAccessTokens: 1 })).toBe('Live access tokens');
    expect(texts.accessTokensNote(empty)).toBeNull();
  });

  it("counts a key's sessions beyond those listed", () => {
    const key: BlastRadius = { ...empty, sessions: [session], sessionCount: 1000, sessionCountCapped: true, sessionsFate: 'stay_open', liveAccessTokens: 5000 };
    expect(devicesHeading(key, 'key')).toBe('Sessions whose access tokens die (more than 1,000; they stay signed in)');
    expect(devicesHeading({ ...key, sessionCount: 40, sessionCountCapped: false }, 'key')).toBe('Sessions whose access tokens die (40; they stay signed in)');
  });
});
