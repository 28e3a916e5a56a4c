import { describe, expect, it } from 'vitest';
import type { BlastRadius } from '../../../src/shared/dto';
import { loadRenderer } from './load-renderer';

const { devicesHeading } = await loadRenderer<{ devicesHeading(radius: BlastRadius, kind: string | undefined): string }>('features/actions/blast-radius-text.ts');

const empty: BlastRadius = { sessions: [], liveAccessTokens: 0, worstCaseExpiry: null, refreshFamilies: 0, devices: [], clients: [] };
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
