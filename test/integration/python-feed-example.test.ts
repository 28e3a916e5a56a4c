/**
 * The Python example (examples/python/feed_api.py, docs/feed-recipe.md) against a real Token Warden: Debian's
 * /usr/bin/python3 with python3-jwt and python3-requests only. It accepts a valid token, refuses it once the
 * feed says the user was force-logged-out, the jti revoked, the session revoked or the key revoked, and fails
 * closed when the feed goes silent. Skipped, with the reason printed, where that Python or a module is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, claimOf, kidOf, pythonMissing, refusedFor, startStack, stopStack, until, type PythonApi, type Stack } from '../helpers/python-example';
import type { TestUser, TestWarden } from '../helpers/warden';

const missing = pythonMissing();
if (missing) console.warn(`python-feed-example skipped: ${missing}`);

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

  it('accepts a valid token and refuses a missing, forged or alg:none one', async () => {
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
