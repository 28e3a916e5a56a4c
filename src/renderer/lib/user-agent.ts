/**
 * A User-Agent header as an admin reads it: "Chrome 131 on Windows 10". Parsed by bowser (a maintained
 * parser), never by regexes of our own: UA strings lie in ways only a maintained table keeps up with.
 */
import Bowser from 'bowser';

/** "Chrome 131 on Windows 10", "Safari 17 on iOS 17.5", "curl/8.5.0" (kept raw when bowser knows no browser). */
export function describeUserAgent(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed === '') return '';
  const { browser, os } = Bowser.parse(trimmed);
  if (!browser.name) return trimmed;
  const major = browser.version?.split('.')[0];
  const name = major ? `${browser.name} ${major}` : browser.name;
  if (!os.name) return name;
  const osVersion = os.versionName ?? os.version;
  return `${name} on ${osVersion && !/^NT /.test(osVersion) ? `${os.name} ${osVersion}` : os.name}`;
}
