/**
 * Client-supplied text that the console shows (device names, user agents, the username of a failed login)
 * is cleaned once, on the way in, by this one function. What a client sends must display as what it is:
 * a bidi override turns "iPhone\u202Egnp.exe" into what reads as "iPhoneexe.png", a zero-width space makes
 * "A\u200Bdmin" look like "Admin" while being another string, and a line separator or C1 control can break
 * a row apart.
 *
 * - Format characters (Unicode Cf) are removed: bidi embeddings, overrides and isolates (U+202A-202E,
 *   U+2066-2069), the marks U+200E/200F/061C, zero-width characters (U+200B-200D, U+2060, U+FEFF), the
 *   soft hyphen, tag characters. They are invisible, so removing them changes no visible letter; an emoji
 *   joined with U+200D shows as its parts.
 * - Controls (Cc: C0, DEL, C1 U+0080-009F), line and paragraph separators and every other kind of
 *   whitespace (tab, no-break space, ideographic space…) become one plain space; runs collapse, ends are
 *   trimmed.
 * - A lone surrogate (not a character at all) becomes U+FFFD, as a UTF-8 decoder would show it.
 * - The result is in NFC and cut to `max` code points, never inside a surrogate pair.
 *
 * Cleaning is idempotent: cleaning a cleaned text with the same `max` returns it unchanged.
 */

const FORMAT = /\p{Cf}/gu;
const LONE_SURROGATE = /\p{Cs}/gu;
const BLANK = /[\p{Cc}\p{Zl}\p{Zp}\p{Zs}]+/gu;

export function displayText(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  const cleaned = value
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(FORMAT, '')
    .normalize('NFC')
    .replace(BLANK, ' ')
    .trim();
  const points = Array.from(cleaned);
  return points.length <= max ? cleaned : points.slice(0, max).join('').trimEnd();
}
