import { describe, expect, it } from 'vitest';
import { loadRenderer } from './load-renderer';

interface TimeModule {
  formatDuration(ms: number): string;
  formatRelative(at: number, now: number): string;
  formatCountdown(at: number, now: number, pastWord?: string): string;
  describeSeconds(seconds: number): string;
  toLocalInput(at: number | undefined): string;
  fromLocalInput(value: string): number | undefined;
}
const { describeSeconds, formatCountdown, formatDuration, formatRelative, fromLocalInput, toLocalInput } = await loadRenderer<TimeModule>('lib/time.ts');

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const NOW = 1_750_000_000_000;

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [S, '1s'],
    [59 * S, '59s'],
    [M, '1m'],
    [M + S, '1m 1s'],
    [9 * M + 12 * S, '9m 12s'],
    [H - S, '59m 59s'],
    [H, '1h'],
    [2 * H + 5 * M + 30 * S, '2h 5m'],
    [D - S, '23h 59m'],
    [D, '1d'],
    [3 * D + 4 * H + 59 * M, '3d 4h'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('uses the magnitude of a negative duration', () => {
    expect(formatDuration(-90 * S)).toBe('1m 30s');
  });
});

describe('formatRelative', () => {
  it.each([
    [0, 'just now'],
    [-999, 'just now'],
    [999, 'just now'],
    [-S, '1s ago'],
    [-59 * S, '59s ago'],
    [-M, '1m ago'],
    [-(H - 1), '59m ago'],
    [-H, '1h ago'],
    [-(D - 1), '23h ago'],
    [-D, '1d ago'],
    [-45 * D, '45d ago'],
    [S, 'in 1s'],
    [9 * M + 12 * S, 'in 9m 12s'],
    [D + H, 'in 1d 1h'],
  ])('offset %i ms → %s', (offset, text) => {
    expect(formatRelative(NOW + offset, NOW)).toBe(text);
  });
});

describe('formatCountdown', () => {
  it('counts down to a future time', () => {
    expect(formatCountdown(NOW + 10 * M, NOW)).toBe('in 10m');
  });

  it('says how long ago it passed, with the chosen word', () => {
    expect(formatCountdown(NOW - 3 * M, NOW)).toBe('expired 3m ago');
    expect(formatCountdown(NOW - 2 * H, NOW, 'retired')).toBe('retired 2h ago');
  });

  it('treats the exact moment as passed', () => {
    expect(formatCountdown(NOW, NOW)).toBe('expired just now');
  });
});

describe('describeSeconds', () => {
  it('reads settings values in their largest units', () => {
    expect(describeSeconds(900)).toBe('15m');
    expect(describeSeconds(7_200)).toBe('2h');
    expect(describeSeconds(2_592_000)).toBe('30d');
    expect(describeSeconds(45)).toBe('45s');
  });
});

describe('toLocalInput / fromLocalInput', () => {
  it('round-trips a time to the minute through a datetime-local value', () => {
    const at = Date.UTC(2026, 0, 15, 9, 30);
    const value = toLocalInput(at);
    expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromLocalInput(value)).toBe(at);
  });

  it('maps empty and invalid input to undefined', () => {
    expect(toLocalInput(undefined)).toBe('');
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('not a date')).toBeUndefined();
  });
});
