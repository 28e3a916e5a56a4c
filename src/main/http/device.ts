/**
 * What the token endpoint records about the device behind a login: a human label, the user agent and the
 * source address. The label comes from `device_name` when the app sends one, else from the User-Agent.
 * Both are client text the console shows: see ../../shared/display-text.ts.
 */
import type { IncomingMessage } from 'node:http';
import { displayText } from '../../shared/display-text';
import type { DeviceInfo } from '../engine/types';
import type { FormParams } from './body';
import { clientAddress } from './client-address';

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

/** The client's address, without the IPv4-mapped IPv6 prefix: the peer, or with --trust-proxy the proxy's X-Forwarded-For (./client-address). */
export function sourceAddress(req: IncomingMessage): string {
  return clientAddress(req);
}

export function deviceFromRequest(req: IncomingMessage, params: FormParams): DeviceInfo {
  // Cleaned here so the label derived from the user agent is computed from what will be stored and shown.
  const userAgent = displayText(req.headers['user-agent'] ?? '', MAX_USER_AGENT);
  const given = displayText(params.get('device_name') ?? '', MAX_NAME);
  return { name: given || deviceNameFromUserAgent(userAgent), userAgent, ip: sourceAddress(req) };
}
