/** Which feed format versions the kit reads: its own major, any minor; nothing else. */
import { describe, expect, it } from 'vitest';
import { FEED_FORMAT_MAJOR, FEED_FORMAT_VERSION, FeedVersionError, feedVersionProblem } from '@token-warden/verifier';

describe('feedVersionProblem', () => {
  it('reads every minor of its major, its own version included', () => {
    expect(FEED_FORMAT_MAJOR).toBe(1);
    for (const version of [FEED_FORMAT_VERSION, '1.0', '1.1', '1.42']) expect(feedVersionProblem(version)).toBeUndefined();
  });

  it('refuses another major and anything that is not MAJOR.MINOR', () => {
    for (const version of ['2.0', '0.9', '10.1']) expect(feedVersionProblem(version)).toContain('is not of major 1');
    for (const version of ['', '1', '1.1.0', 'v1.1', ' 1.1', '1.x', '99999.0']) expect(feedVersionProblem(version)).toContain('is not a MAJOR.MINOR');
  });

  it('FeedVersionError names both versions and has a stable code', () => {
    const error = new FeedVersionError('2.0', feedVersionProblem('2.0')!);
    expect(error).toMatchObject({ name: 'FeedVersionError', code: 'feed_version_unsupported', version: '2.0', supported: '1.x' });
    expect(error.message).toMatch(/format 2\.0.*format 1\.x/);
  });
});
