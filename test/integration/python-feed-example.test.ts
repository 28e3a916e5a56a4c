/**
 * The Python example (examples/python/feed_api.py, docs/feed-recipe.md) against a real Token Warden: Debian's
 * /usr/bin/python3 with python3-jwt and python3-requests only. It accepts a valid token, refuses it once the
 * feed says the user was force-logged-out, the jti revoked, the session revoked or the key revoked, and fails
 * closed when the feed goes silent. Skipped, with the reason printed, where that Python or a module is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardenOptions } from '../../src/main/app';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';

const PYTHON = '/usr/bin/python3';
const EXAMPLE = path.resolve(__dirname, '../../examples/python/feed_api.py');
const AUDIENCE = 'token-warden-api';
/** How long a refusal may take to reach the Python API (it is applied within milliseconds; this bounds the poll). */
const REFUSAL_WITHIN_MS = 5_000;

function pythonMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import jwt, requests, cryptography; assert int(jwt.__version__.split(".")[0]) >= 2, jwt.__version__'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error) return `${PYTHON} cannot run (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} lacks python3-jwt ≥ 2, python3-requests or python3-cryptography: ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

const missing = pythonMissing();
if (missing) console.warn(`python-feed-example skipped: ${missing}`);

const claimOf = (token: string, name: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>)[name] as string;
const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

interface PythonApi {
  url: string;
  child: ChildProcess;
  stderr: string[];
}

/** Starts the example on a port it picks itself (it prints it), so no free-port guess can race. */
async function startPythonApi(t: TestWarden, client: { clientId: string; clientSecret: string }, maxSilence: number): Promise<PythonApi> {
  const child = spawn(PYTHON, [EXAMPLE, '--issuer', t.baseUrl, '--audience', AUDIENCE, '--client-id', client.clientId, '--port', '0', '--max-silence', String(maxSilence)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', WARDEN_CLIENT_SECRET: client.clientSecret, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  pythonLog = stderr;
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Python API did not start within 15 s: ${stderr.join('\n')}`)), 15_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^listening (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Python API exited (${code}): ${stderr.join('\n')}`));
    });
  });
  return { url, child, stderr };
}

async function call(api: PythonApi, pathname: string, token?: string): Promise<{ status: number; body: Record<string, unknown>; challenge: string | null }> {
  const response = await fetch(api.url + pathname, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, challenge: response.headers.get('www-authenticate') };
}

/** The Python API's log, for failure messages. */
let pythonLog: string[] = [];

/** Polls until `accept` holds (a bounded wait on an outcome another process decides; no fixed sleep). */
async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, withinMs = REFUSAL_WITHIN_MS): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms; last ${JSON.stringify(value)}; Python said:\n${pythonLog.slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface Stack {
  t: TestWarden;
  api: PythonApi;
  app: string;
  client: { clientId: string; clientSecret: string };
}

/** A service (heartbeats every 200 ms), a public app, the API's confidential client, and the Python API, live. */
async function startStack(options: Partial<WardenOptions> = {}): Promise<Stack> {
  const t = await startTestWarden({ feedHeartbeatMs: 200, ...options });
  try {
    const app = await t.createPublicClient();
    const client = await t.createConfidentialClient();
    const api = await startPythonApi(t, client, 2);
    await until(() => call(api, '/health'), (r) => r.body.feed === 'live', 'the feed goes live', 15_000);
    return { t, api, app, client };
  } catch (error) {
    await t.close();
    throw error;
  }
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  stack?.api.child.kill('SIGTERM');
  await stack?.t.close();
}

const refusedFor = (reason: string) => (r: { status: number; body: Record<string, unknown> }) => r.status === 401 && r.body.reason === reason;

describe.skipIf(missing !== undefined)('the Python feed example (examples/python/feed_api.py)', () => {
  let stack: Stack;
  let t: TestWarden;
  let api: PythonApi;
  let app: string;
  let client: { clientId: string; clientSecret: string };
  const refusal = (token: string) => () => call(api, '/hello', token);

  beforeAll(async () => {
    stack = await startStack();
    ({ t, api, app, client } = stack);
  });

  afterAll(() => stopStack(stack));

  async function freshUser(): Promise<{ user: TestUser; token: string }> {
    const user = await t.createUser();
    return { user, token: (await t.login(user, app)).access_token };
  }

  it('accepts a valid token and refuses a missing, forged or foreign one', async () => {
    const { user, token } = await freshUser();
    expect(await call(api, '/hello', token)).toMatchObject({ status: 200, body: { sub: user.id, jti: claimOf(token, 'jti') } });
    const missingToken = await call(api, '/hello');
    expect(missingToken.status).toBe(401);
    expect(missingToken.challenge).toBe('Bearer realm="api"');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'someone-else' })).toString('base64url');
    expect(await call(api, '/hello', `${header}.${forged}.${signature}`)).toMatchObject({ status: 401, body: { reason: 'bad_signature' } });
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: kidOf(token) })).toString('base64url');
    const refused = await call(api, '/hello', `${none}.${payload}.`);
    expect(refused).toMatchObject({ status: 401, body: { reason: 'unsupported_alg' } });
    expect(refused.challenge).toBe('Bearer realm="api", error="invalid_token", error_description="unsupported_alg"');
  });

  it('refuses a force-logged-out user\'s token once the feed says so, and applies and acknowledges the event', async () => {
    const { user, token } = await freshUser();
    const bystander = await freshUser();
    expect((await call(api, '/hello', token)).status).toBe(200);
    const receipt = await t.admin('forceLogout', { userId: user.id });
    await until(refusal(token), refusedFor('issued_before_not_before'), 'force logout refuses the token');
    expect((await call(api, '/hello', bystander.token)).status).toBe(200);
    // The API's receipt reaches the service (POST /events/ack): the console shows who applied the event.
    const eventId = receipt.feedEventId!;
    const receipts = await until(() => t.admin('listFeedReceipts', { feedEventId: eventId }), (r) => r.receipts.some((x) => x.clientId === client.clientId), 'the acknowledgement');
    expect(receipts.subscribers.map((s) => s.clientId)).toContain(client.clientId);
  });

  it('refuses a revoked jti and a revoked session, and only those', async () => {
    const { user, token } = await freshUser();
    const sameUser = (await t.login(user, app)).access_token;
    await t.admin('revokeAccessToken', { jti: claimOf(token, 'jti') });
    await until(refusal(token), refusedFor('jti_revoked'), 'a revoked jti is refused');
    expect((await call(api, '/hello', sameUser)).status).toBe(200);
    await t.admin('revokeSession', { sessionId: claimOf(sameUser, 'sid') });
    await until(refusal(sameUser), refusedFor('session_revoked'), 'a revoked session is refused');
  });

  it("refuses a revoked key's tokens and accepts those of the next key, which takes over", async () => {
    const before = await freshUser();
    const kid = kidOf(before.token);
    expect((await call(api, '/hello', before.token)).status).toBe(200);
    await t.admin('revokeSigningKey', { kid });
    await until(refusal(before.token), refusedFor('revoked_kid'), "a revoked key's token is refused");
    const after = await freshUser();
    expect(kidOf(after.token)).not.toBe(kid);
    expect(await call(api, '/hello', after.token)).toMatchObject({ status: 200, body: { sub: after.user.id } });
  });

  it('fails closed when the feed falls silent past --max-silence', async () => {
    const { token } = await freshUser();
    expect((await call(api, '/hello', token)).status).toBe(200);
    await t.close();
    await until(refusal(token), refusedFor('feed_unavailable'), 'a silent feed refuses every token', 10_000);
    expect((await call(api, '/health')).body.feed).toBe('down');
  });
});

describe.skipIf(missing !== undefined).each(['EdDSA', 'RS256'] as const)('the Python feed example with %s keys', (signingAlg) => {
  let stack: Stack;
  afterAll(() => stopStack(stack));

  it('verifies the access tokens and the feed events of that algorithm', async () => {
    stack = await startStack({ signingAlg });
    const { t, api, app } = stack;
    const user = await t.createUser();
    const token = (await t.login(user, app)).access_token;
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: signingAlg });
    expect(await call(api, '/hello', token)).toMatchObject({ status: 200, body: { sub: user.id } });
    await t.admin('revokeAccessToken', { jti: claimOf(token, 'jti') });
    await until(() => call(api, '/hello', token), refusedFor('jti_revoked'), 'a revoked jti is refused');
  });
});
