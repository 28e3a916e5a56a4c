/** Which feed format versions this kit reads (feed-format.ts), and the error it reports for the others. */
import { FEED_FORMAT_MAJOR, FEED_VERSION_HEADER } from './feed-format.js';

/**
 * Why a reader of FEED_FORMAT_MAJOR cannot read feed format `version`, or undefined when it can. A feed that
 * announces nothing predates versioning: it is format 1.0.
 */
export function feedVersionProblem(version: string): string | undefined {
  const match = /^(\d{1,4})\.(\d{1,4})$/.exec(version);
  if (!match) return `"${version}" is not a MAJOR.MINOR feed format version`;
  if (Number(match[1]) !== FEED_FORMAT_MAJOR) return `feed format ${version} is not of major ${FEED_FORMAT_MAJOR}`;
  return undefined;
}

/**
 * The service speaks a feed format this kit cannot read (another major, or no MAJOR.MINOR at all). Reported
 * through the `error` event on every attempt; meanwhile the state is `incompatible` and every token is
 * introspected, since events the kit cannot read may be revocations.
 */
export class FeedVersionError extends Error {
  /** Stable, for logs and alerts. */
  readonly code = 'feed_version_unsupported';
  /** What this kit reads. */
  readonly supported = `${FEED_FORMAT_MAJOR}.x`;

  constructor(
    /** What the service announced. */
    readonly version: string,
    problem: string,
  ) {
    super(`The revocation feed speaks format ${version}, and this @token-warden/verifier reads format ${FEED_FORMAT_MAJOR}.x (${problem}); tokens are introspected until the kit is upgraded.`);
    this.name = 'FeedVersionError';
  }
}

/**
 * Throws a FeedVersionError unless this kit reads the stream's feed format: the stream's own header first
 * (it is what this connection speaks), else the metadata's `revocation_feed_version`; neither means 1.0.
 */
export function checkFeedVersion(headers: Headers, metadataVersion: string | undefined): void {
  const version = headers.get(FEED_VERSION_HEADER) ?? metadataVersion;
  const problem = version === undefined ? undefined : feedVersionProblem(version);
  if (version !== undefined && problem !== undefined) throw new FeedVersionError(version, problem);
}
