/**
 * X-Forwarded-For: ignored unless --trust-proxy (a spoofed header changes neither the recorded device
 * address nor the address throttle's count); with it, the client is the last entry, the one the proxy added.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestWarden, type TestWarden } from '../helpers/warden';

const MAX_FAILURES = 3;
let t: TestWarden | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(trustProxy: boolean): Promise<TestWarden> {
  t = await startTestWarden({ addressThrottle: { maxFailures: MAX_FAILURES, windowMs: 60_000 }, ...(trustProxy ? { trustProxy: true } : {}) });
  return t;
}

/** The address the service recorded for a fresh sign-in sent with `headers`. */
async function recordedIp(w: TestWarden, app: string, headers: Record<string, string>): Promise<string> {
  const user = await w.createUser();
  const response = await w.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: app }, headers);
  expect(response.status).toBe(200);
  const sessions = await w.admin('listSessions', { userId: user.id });
  expect(sessions.items).toHaveLength(1);
  return sessions.items[0]!.ip;
}

/** One wrong password (for a user of its own, so that only the address throttle can refuse it). */
async function wrongPassword(w: TestWarden, app: string, headers: Record<string, string>): Promise<number> {
  const user = await w.createUser();
  const response = await w.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: 'wrong password!', client_id: app }, headers);
  await response.body?.cancel();
  return response.status;
}

describe('without --trust-proxy', () => {
  it('records the peer, whatever X-Forwarded-For says', async () => {
    const w = await start(false);
    const app = await w.createPublicClient();
    expect(await recordedIp(w, app, { 'x-forwarded-for': '203.0.113.7' })).toBe('127.0.0.1');
    expect(await recordedIp(w, app, { 'x-forwarded-for': '198.51.100.1, 203.0.113.8' })).toBe('127.0.0.1');
  });

  it('a new spoofed X-Forwarded-For on every guess does not get past the address throttle', async () => {
    const w = await start(false);
    const app = await w.createPublicClient();
    for (let i = 0; i < MAX_FAILURES; i += 1) expect(await wrongPassword(w, app, { 'x-forwarded-for': `198.51.100.${i + 1}` })).toBe(400);
    expect(await wrongPassword(w, app, { 'x-forwarded-for': '198.51.100.200' })).toBe(429);
    expect(await wrongPassword(w, app, {})).toBe(429);
  });
});

describe('with --trust-proxy', () => {
  it('records the last X-Forwarded-For entry, the one the proxy added; earlier entries and garbage are not believed', async () => {
    const w = await start(true);
    const app = await w.createPublicClient();
    expect(await recordedIp(w, app, { 'x-forwarded-for': '203.0.113.7' })).toBe('203.0.113.7');
    // The client sent "10.9.9.9" itself; the proxy appended the address it saw.
    expect(await recordedIp(w, app, { 'x-forwarded-for': '10.9.9.9, 203.0.113.8' })).toBe('203.0.113.8');
    expect(await recordedIp(w, app, { 'x-forwarded-for': '::ffff:203.0.113.9' })).toBe('203.0.113.9');
    // Without the header, or with an entry that is no address, the client is the proxy itself.
    expect(await recordedIp(w, app, {})).toBe('127.0.0.1');
    expect(await recordedIp(w, app, { 'x-forwarded-for': '203.0.113.10, not-an-address' })).toBe('127.0.0.1');
  });

  it('without an issuer set by --issuer, warns that clients coming through the proxy see another URL', async () => {
    const warnings: string[] = [];
    t = await startTestWarden({ trustProxy: true, warn: (line) => warnings.push(line) });
    expect(warnings).toEqual([`Warning: --trust-proxy without --issuer: the issuer is ${t.baseUrl}; clients that come through the proxy need --issuer set to its public URL.`]);
    await t.close();
    const quiet: string[] = [];
    t = await startTestWarden({ trustProxy: true, issuer: 'https://auth.example.com', warn: (line) => quiet.push(line) });
    expect(quiet).toEqual([]);
  });

  it('throttles per forwarded client: varying the entries the client controls does not help', async () => {
    const w = await start(true);
    const app = await w.createPublicClient();
    for (let i = 0; i < MAX_FAILURES; i += 1) expect(await wrongPassword(w, app, { 'x-forwarded-for': `10.0.0.${i + 1}, 203.0.113.50` })).toBe(400);
    expect(await wrongPassword(w, app, { 'x-forwarded-for': '10.0.0.99, 203.0.113.50' })).toBe(429);
    expect(await wrongPassword(w, app, { 'x-forwarded-for': '203.0.113.50' })).toBe(429);
    // Another client behind the same proxy is not punished for it.
    expect(await wrongPassword(w, app, { 'x-forwarded-for': '203.0.113.51' })).toBe(400);
  });
});
