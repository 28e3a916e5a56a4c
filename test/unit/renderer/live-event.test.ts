import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../src/shared/events';
import { loadRenderer } from './load-renderer';

interface LiveEventModule {
  toLiveEvent(value: unknown): LiveEvent | null;
  parseLiveEvents(payload: string): LiveEvent[];
}
const { parseLiveEvents, toLiveEvent } = await loadRenderer<LiveEventModule>('api/live-event.ts');

const event = {
  seq: 7,
  type: 'session.revoked',
  at: 1_700_000_000_000,
  actor: 'admin:console',
  userId: 'usr_1',
  sessionId: 'ses_1',
  reason: 'Lost phone',
  data: { cause: 'admin' },
};

describe('toLiveEvent', () => {
  it('accepts a well-formed event and returns its fields', () => {
    expect(toLiveEvent(event)).toEqual(event);
  });

  it.each([
    ['an unknown event type', { ...event, type: 'session.exploded' }],
    ['a fractional seq', { ...event, seq: 1.5 }],
    ['a missing actor', { ...event, actor: undefined }],
    ['data that is not an object', { ...event, data: 'x' }],
    ['a null', null],
    ['a string', 'session.revoked'],
  ])('refuses %s', (_what, value) => {
    expect(toLiveEvent(value)).toBeNull();
  });

  it('accepts a routine event that was not audited (seq null)', () => {
    const refreshed = { ...event, type: 'session.refreshed', actor: 'client:web', seq: null };
    expect(toLiveEvent(refreshed)).toEqual(refreshed);
  });

  it('accepts null user, session and reason', () => {
    const keyEvent = { ...event, type: 'key.rotated', userId: null, sessionId: null, reason: null };
    expect(toLiveEvent(keyEvent)?.type).toBe('key.rotated');
  });
});

describe('parseLiveEvents', () => {
  it('parses one JSON event per message', () => {
    expect(parseLiveEvents(JSON.stringify(event))).toEqual([event]);
  });

  it('tolerates one JSON event per line and drops the lines that are not events', () => {
    const second = { ...event, seq: 8, type: 'user.forced_out', sessionId: null };
    const payload = [JSON.stringify(event), 'not json', JSON.stringify({ seq: 9 }), JSON.stringify(second)].join('\n');
    expect(parseLiveEvents(payload).map((parsed) => parsed.seq)).toEqual([7, 8]);
  });

  it('returns nothing for garbage or for a valid JSON value that is not an event', () => {
    expect(parseLiveEvents('{"seq":')).toEqual([]);
    expect(parseLiveEvents('[1,2,3]')).toEqual([]);
    expect(parseLiveEvents('')).toEqual([]);
  });
});
