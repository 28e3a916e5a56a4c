/**
 * What the token endpoint records about the device behind a login: a human label, the user agent and the
 * source address. The label comes from `device_name` when the app sends one, else from the User-Agent.
 */
import type { IncomingMessage } from 'node:http';
import type { DeviceInfo } from '../engine/types';
import type { FormParams } from './body';

const MAX_NAME = 100;
const MAX_USER_AGENT = 512;

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg(?:e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];
const TOOLS: Array<[RegExp, string]> = [
  [/^curl\//i, 'curl'],
  [/^Wget\//i, 'Wget'],
  [/^python-requests\//i, 'Python requests'],
  [/^okhttp\//i, 'OkHttp'],
  [/^node(?:-fetch)?\b|^undici\b/i, 'Node.js'],
];

/** Removes control characters and trims to `max`, so stored labels are safe to display. */
function clean(text: string, max: number): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += code < 0x20 || code === 0x7f ? ' ' : char;
  }
  return out.trim().slice(0, max);
}

/** "Firefox on Linux", "curl", or "Unknown device". */
export function deviceNameFromUserAgent(userAgent: string): string {
  for (const [pattern, name] of TOOLS) if (pattern.test(userAgent)) return name;
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser ?? system) return (browser ?? system)!;
  const product = /^([A-Za-z][\w.-]{0,40})\//.exec(userAgent)?.[1];
  return product ?? 'Unknown device';
}

/** The client's address, without the IPv4-mapped IPv6 prefix. */
export function sourceAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function deviceFromRequest(req: IncomingMessage, params: FormParams): DeviceInfo {
  const userAgent = clean(req.headers['user-agent'] ?? '', MAX_USER_AGENT);
  const given = clean(params.get('device_name') ?? '', MAX_NAME);
  return { name: given || deviceNameFromUserAgent(userAgent), userAgent, ip: sourceAddress(req) };
}
