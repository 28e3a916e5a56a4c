import { describe, expect, it } from 'vitest';
import type { Inspection } from '../../../src/shared/dto';
import { loadRenderer } from './load-renderer';

interface InspectionTextModule {
  stripBearer(text: string): { token: string; stripped: boolean };
  verdictSentence(inspection: Inspection, now: number): string;
}
const { stripBearer, verdictSentence } = await loadRenderer<InspectionTextModule>('features/inspector/inspection-text.ts');

const NOW = 1_750_000_000_000;
const base: Inspection = {
  kind: 'access_token',
  header: null,
  claims: null,
  signatureValid: true,
  active: true,
  reason: null,
  reasonText: null,
  reasons: [],
  expiresAt: NOW + 60_000,
  secondsToExpiry: 60,
  sessionId: 's1',
  sessionStatus: 'active',
  userId: 'u1',
  username: 'alice',
};

describe('stripBearer', () => {
  it.each([
    ['Bearer eyJ.a.b', 'eyJ.a.b'],
    ['  bearer   eyJ.a.b \n', 'eyJ.a.b'],
    ['Authorization: Bearer eyJ.a.b', 'eyJ.a.b'],
  ])('%j → %s', (text, token) => {
    expect(stripBearer(text)).toEqual({ token, stripped: true });
  });

  it('leaves a bare token alone', () => {
    expect(stripBearer(' eyJ.a.b ')).toEqual({ token: 'eyJ.a.b', stripped: false });
    expect(stripBearer('Bearer')).toEqual({ token: 'Bearer', stripped: false });
  });
});

describe('verdictSentence', () => {
  it('never says a refresh token would be accepted by a resource server', () => {
    const sentence = verdictSentence({ ...base, kind: 'refresh_token' }, NOW);
    expect(sentence).not.toMatch(/resource server would accept/);
    expect(sentence).toMatch(/token endpoint would accept it/);
  });

  it('says an active access token is accepted by resource servers', () => {
    expect(verdictSentence(base, NOW)).toBe('The access token is active: a resource server would accept it.');
  });

  it('explains both when a token of a revoked key has also expired', () => {
    const sentence = verdictSentence({ ...base, active: false, reason: 'revoked_kid', reasonText: 'The signing key was revoked.', expiresAt: NOW - 3 * 60_000 }, NOW);
    expect(sentence).toBe('The signing key was revoked. It has also expired (3m ago).');
  });

  it('does not repeat expiry for an expired verdict', () => {
    expect(verdictSentence({ ...base, active: false, reason: 'expired', reasonText: 'The token has expired.', expiresAt: NOW - 1_000 }, NOW)).toBe('The token has expired.');
  });
});

describe('verdictSentence with every reason the engine reports', () => {
  it('says each further reason, and the expiry once', () => {
    const sentence = verdictSentence(
      { ...base, active: false, reason: 'revoked_kid', reasonText: 'The signing key was revoked; every token it signed is invalid.', reasons: ['revoked_kid', 'session_revoked', 'expired'], expiresAt: NOW - 60_000 },
      NOW,
    );
    expect(sentence).toBe('The signing key was revoked; every token it signed is invalid. Also: The session that issued this token was revoked. It has also expired (1m ago).');
  });
});
