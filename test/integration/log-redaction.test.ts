/**
 * The structured log never carries a secret: requests that send passwords, refresh tokens, authorization codes,
 * client secrets, admin tokens and cookies are logged (method, route, status, duration, client), and the whole
 * output is searched for every one of those values; faults quoting secrets in their messages are scrubbed too.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, faultLogger } from '../../src/main/ops/logger';
import { basicAuth, startTestWarden, type TestWarden } from '../helpers/warden';

/** A pino destination that keeps every line. */
function collector(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return { stream, lines };
}

let t: TestWarden;
const out = collector();
beforeAll(async () => {
  t = await startTestWarden({ logger: createLogger({ level: 'debug', destination: out.stream }) });
});
afterAll(() => t?.close());

describe('request logs', () => {
  it('record each request and none of the secrets it carried', async () => {
    const user = await t.createUser('log-user', 'hunter2-correct-horse');
    const app = await t.createPublicClient();
    const api = await t.createConfidentialClient();
    const tokens = await t.login(user, app);
    const refreshed = await t.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: app });
    const next = (await refreshed.json()) as { refresh_token: string; access_token: string };
    await (await t.postForm('/oauth/introspect', { token: next.access_token }, { authorization: basicAuth(api.clientId, api.clientSecret) })).body?.cancel();
    const code = 'AuthCodeValue-7f3a9c1e5b';
    await (await t.postForm('/oauth/token', { grant_type: 'authorization_code', code, client_id: app, redirect_uri: 'http://127.0.0.1/cb', code_verifier: 'VerifierValue-0123456789abcdef0123456789abcdef' })).body?.cancel();
    await (await fetch(`${t.baseUrl}/oauth/authorize?client_id=${app}&code=${code}&response_type=code`)).body?.cancel();
    await (await fetch(`${t.baseUrl}/admin/me`, { headers: { cookie: 'tw_admin=CookieValue-55aa66bb77cc' } })).body?.cancel();
    await (await fetch(`${t.baseUrl}/admin/rpc/listUsers`, { method: 'POST', headers: { authorization: 'Bearer WrongTokenValue-31337', 'content-type': 'application/json' }, body: '{}' })).body?.cancel();

    const events = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = events.filter((event) => event.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(8);
    for (const event of requests) {
      expect(event).toMatchObject({ level: expect.stringMatching(/^(info|debug)$/), method: expect.any(String), route: expect.any(String), status: expect.any(Number), durationMs: expect.any(Number), client: '127.0.0.1' });
    }
    expect(requests).toContainEqual(expect.objectContaining({ method: 'POST', route: '/oauth/token', status: 200 }));
    expect(requests).toContainEqual(expect.objectContaining({ method: 'GET', route: '/oauth/authorize' }));
    expect(requests).toContainEqual(expect.objectContaining({ method: 'POST', route: '/admin/rpc/listUsers', status: 401 }));

    const secrets = [user.password, tokens.refresh_token, tokens.access_token, next.refresh_token, next.access_token, api.clientSecret, t.adminToken, code, 'VerifierValue-0123456789abcdef', 'CookieValue-55aa66bb77cc', 'WrongTokenValue-31337'];
    const text = out.lines.join('\n');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});

describe('the logger itself', () => {
  it('scrubs secrets from fields, messages, error messages and stacks, whoever logs them', () => {
    const own = collector();
    const logger = createLogger({ destination: own.stream });
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJlLXZhbHVl';
    const refresh = `0190a1b2c3d4${'R'.repeat(43)}`;
    logger.info({ headers: { authorization: 'Bearer AdminTokenValue', cookie: 'tw_admin=SessionValue' }, password: 'PlainPassword!', client_secret: 'ClientSecretValue', nested: { deeper: { refresh_token: refresh } } }, 'a request');
    faultLogger(logger)('POST /oauth/token?code=QueryCodeValue&state=s', new Error(`refresh failed for refresh_token=FormRefreshValue with ${jwt}; body {"password":"JsonPasswordValue"}`));
    logger.warn(`printf-style Bearer PrintfTokenValue and ${refresh}`);
    const child = logger.child({ token: 'ChildBindingToken' });
    child.info('from a child');
    const text = own.lines.join('\n');
    for (const secret of ['AdminTokenValue', 'SessionValue', 'PlainPassword!', 'ClientSecretValue', refresh, 'QueryCodeValue', 'FormRefreshValue', jwt, 'JsonPasswordValue', 'PrintfTokenValue', 'ChildBindingToken']) {
      expect(text).not.toContain(secret);
    }
    const fault = JSON.parse(own.lines[1]!) as { level: string; where: string; err: { type: string; message: string; stack: string } };
    expect(fault.level).toBe('error');
    expect(fault.where).toBe('POST /oauth/token?code=[redacted]&state=s');
    expect(fault.err.type).toBe('Error');
    expect(fault.err.message).toContain('refresh_token=[redacted]');
    // What is not secret stays readable.
    expect(JSON.parse(own.lines[0]!)).toMatchObject({ level: 'info', msg: 'a request', service: 'token-warden' });
  });

  it('honours the level', () => {
    const own = collector();
    const logger = createLogger({ level: 'warn', destination: own.stream });
    logger.info('not shown');
    logger.warn('shown');
    expect(own.lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['shown']);
  });
});
