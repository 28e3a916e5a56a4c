/** The one cleaning rule for client text the console shows (device names, user agents, attempted usernames). */
import { describe, expect, it } from 'vitest';
import { displayText } from '../../../src/shared/display-text';
import { deviceFromRequest } from '../../../src/main/http/device';
import type { IncomingMessage } from 'node:http';

describe('displayText', () => {
  const cases: Array<[string, string, string]> = [
    ['a right-to-left override that makes an .exe read as .png', 'iPhone\u202Egnp.exe', 'iPhonegnp.exe'],
    ['a zero-width space inside a name', 'A\u200Bdmin', 'Admin'],
    ['every bidi embedding, override, isolate and mark', 'a\u202Ab\u202Bc\u202Cd\u202De\u2066f\u2067g\u2068h\u2069i\u200Ej\u200Fk\u061Cl', 'abcdefghijkl'],
    ['zero-width joiner, non-joiner, word joiner, BOM', 'x\u200Cy\u200Dz\u2060w\uFEFFv', 'xyzwv'],
    ['other format characters: soft hyphen, tag characters', 'pay\u00ADpal\u{E0041}', 'paypal'],
    ['C1 controls (NEL, CSI) and DEL', 'one\u0085two\u009Bthree\u007Ffour', 'one two three four'],
    ['C0 controls: a forged second line', 'Chrome\r\nAdmin: ok\u0000', 'Chrome Admin: ok'],
    ['line and paragraph separators', 'top\u2028middle\u2029bottom', 'top middle bottom'],
    ['whitespace of every kind collapses and trims', '\t  Ana\u00A0\u00A0 s\u3000phone \u2003', 'Ana s phone'],
    ['a lone surrogate becomes U+FFFD; a pair survives', 'bad\uD800end \uD83D\uDE00', 'bad\uFFFDend \uD83D\uDE00'],
    ['a low surrogate alone', '\uDC00x', '\uFFFDx'],
    ['decomposed text is composed (NFC)', 'Cafe\u0301', 'Caf\u00E9'],
    ['ordinary text is left alone', "Ana's iPhone (Köln) — Firefox 128", "Ana's iPhone (Köln) — Firefox 128"],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(displayText(input, 100)).toBe(expected);
      // Idempotent: what was stored cleans to itself.
      expect(displayText(expected, 100)).toBe(expected);
    });
  }

  it('cuts at max code points, never inside a surrogate pair, and trims what the cut leaves', () => {
    expect(displayText('ab\uD83D\uDE00cd', 3)).toBe('ab\uD83D\uDE00');
    expect(displayText('abc def', 4)).toBe('abc');
    expect(displayText('x'.repeat(600), 512)).toHaveLength(512);
  });

  it('is empty for non-strings and for text that is only invisible', () => {
    expect(displayText(undefined, 10)).toBe('');
    expect(displayText(42, 10)).toBe('');
    expect(displayText('\u202E\u200B \u2028', 10)).toBe('');
  });
});

describe('the token endpoint device', () => {
  const request = (userAgent: string) => ({ headers: { 'user-agent': userAgent }, socket: { remoteAddress: '::ffff:127.0.0.1' } }) as unknown as IncomingMessage;
  it('cleans device_name and the user agent before it names the device', () => {
    const params = new Map([['device_name', 'iPhone\u202Egnp.exe']]);
    expect(deviceFromRequest(request('curl/8\u200B.0'), params)).toEqual({ name: 'iPhonegnp.exe', userAgent: 'curl/8.0', ip: '127.0.0.1' });
    const unnamed = deviceFromRequest(request('Mozilla/5.0 (X11; Linux x86_64)\u2028 Firefox/128.0'), new Map());
    expect(unnamed).toEqual({ name: 'Firefox on Linux', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', ip: '127.0.0.1' });
    // Only invisible characters: no name at all, so the label comes from the user agent.
    expect(deviceFromRequest(request('curl/8.0'), new Map([['device_name', '\u200B\u202E']])).name).toBe('curl');
  });
});
