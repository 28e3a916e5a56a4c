/**
 * `--trust-proxy CIDR…` over HTTP: requests from a peer inside the trusted range are believed (the client is
 * the rightmost X-Forwarded-For entry outside it, X-Forwarded-Proto https makes cookies Secure); the same
 * headers from a peer outside it change nothing. The two peers are two loopback source addresses (127.0.0.2
 * is trusted, 127.0.0.1 is not): Linux routes all of 127.0.0.0/8 to the loopback interface.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formBody, startTestWarden, type TestWarden } from '../helpers/warden';

const TRUSTED_PEER = '127.0.0.2';
const UNTRUSTED_PEER = '127.0.0.1';
let t: TestWarden;
let app: string;

beforeAll(async () => {
  t = await startTestWarden({ trustProxy: [`${TRUSTED_PEER}/32`, '10.0.0.0/8'] });
  app = await t.createPublicClient();
});
afterAll(() => t?.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request from the given local source address (the peer the service sees). */
function from(localAddress: string, method: string, pathname: string, headers: Record<string, string>, body?: string, base = t.baseUrl): Promise<Answer> {
  const url = new URL(pathname, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method, localAddress, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs a fresh user in from `peer` with `headers` and returns the address the session recorded. */
async function recordedIp(peer: string, headers: Record<string, string>): Promise<string> {
  const user = await t.createUser();
  const body = formBody({ grant_type: 'password', username: user.username, password: user.password, client_id: app });
  const answer = await from(peer, 'POST', '/oauth/token', { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body);
  expect(answer.status).toBe(200);
  const sessions = await t.admin('listSessions', { userId: user.id });
  return sessions.items[0]!.ip;
}

/** The admin session cookie the one-time console link opens, from `peer`. */
async function sessionCookie(peer: string, headers: Record<string, string>): Promise<string> {
  const code = t.warden.service.createLoginCode();
  const answer = await from(peer, 'POST', '/admin/session', { 'content-type': 'application/json', host: new URL(t.baseUrl).host, ...headers }, JSON.stringify({ code }));
  expect(answer.status).toBe(200);
  const cookie = answer.headers['set-cookie'];
  return Array.isArray(cookie) ? cookie.join('\n') : String(cookie);
}

describe('through a trusted proxy', () => {
  it('records the rightmost X-Forwarded-For entry outside the trusted ranges', async () => {
    expect(await recordedIp(TRUSTED_PEER, { 'x-forwarded-for': '203.0.113.7' })).toBe('203.0.113.7');
    // An inner proxy (10.0.0.3, trusted) between the edge and us: its entry is walked past.
    expect(await recordedIp(TRUSTED_PEER, { 'x-forwarded-for': '198.51.100.1, 203.0.113.8, 10.0.0.3' })).toBe('203.0.113.8');
    expect(await recordedIp(TRUSTED_PEER, {})).toBe(TRUSTED_PEER);
  });

  it('makes the session cookie Secure when X-Forwarded-Proto is https', async () => {
    expect(await sessionCookie(TRUSTED_PEER, { 'x-forwarded-proto': 'https' })).toMatch(/^tw_admin=[^;]+;.*; Secure$/);
    expect(await sessionCookie(TRUSTED_PEER, { 'x-forwarded-proto': 'http' })).not.toContain('Secure');
  });
});

describe('from an untrusted peer', () => {
  it('records the peer, whatever X-Forwarded-For says', async () => {
    expect(await recordedIp(UNTRUSTED_PEER, { 'x-forwarded-for': '203.0.113.9' })).toBe(UNTRUSTED_PEER);
    expect(await recordedIp(UNTRUSTED_PEER, { 'x-forwarded-for': '203.0.113.9, 10.0.0.3' })).toBe(UNTRUSTED_PEER);
  });

  it('does not make cookies Secure on its X-Forwarded-Proto', async () => {
    expect(await sessionCookie(UNTRUSTED_PEER, { 'x-forwarded-proto': 'https' })).not.toContain('Secure');
  });
});

describe('an http issuer behind an https proxy', () => {
  it('is reported once, at the first https request through a trusted proxy; the issuer itself never changes', async () => {
    const warnings: string[] = [];
    const w = await startTestWarden({ trustProxy: [`${TRUSTED_PEER}/32`], warn: (line) => warnings.push(line) });
    try {
      const metadata = () => from(TRUSTED_PEER, 'GET', '/.well-known/oauth-authorization-server', { 'x-forwarded-proto': 'https', host: 'auth.example.com' }, undefined, w.baseUrl);
      expect((await from(UNTRUSTED_PEER, 'GET', '/.well-known/oauth-authorization-server', { 'x-forwarded-proto': 'https' }, undefined, w.baseUrl)).status).toBe(200);
      expect(warnings.filter((line) => line.includes('X-Forwarded-Proto'))).toEqual([]);
      const first = await metadata();
      await metadata();
      expect(JSON.parse(first.body)).toMatchObject({ issuer: w.baseUrl });
      expect(warnings.filter((line) => line.includes('X-Forwarded-Proto'))).toEqual([
        `Warning: requests arrive over https through the trusted proxy (X-Forwarded-Proto), but the issuer is ${w.baseUrl}: tokens and metadata name the http URL. Start once with --issuer set to the public https URL.`,
      ]);
    } finally {
      await w.close();
    }
  });
});

describe('on an address other machines could reach', () => {
  // 127.0.0.2 is loopback to the kernel but not to isLoopbackHost: it stands in for a LAN address here.
  it('warns that anyone can choose X-Forwarded-For only for the bare switch: with CIDRs only those peers are believed', async () => {
    for (const [trustProxy, warned] of [[true, true], [['10.0.0.0/8'], false]] as const) {
      const warnings: string[] = [];
      const w = await startTestWarden({ host: '127.0.0.2', allowRemote: true, trustProxy: trustProxy === true ? true : [...trustProxy], issuer: 'https://auth.example.com', warn: (line) => warnings.push(line) });
      await w.close();
      expect(warnings.some((line) => line.includes('can choose its X-Forwarded-For'))).toBe(warned);
    }
  });
});
