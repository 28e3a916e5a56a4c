/**
 * The Python example through a rotation (feed format 1.1's key-retiring announcement, docs/feed-recipe.md):
 * a routine rotation refuses nothing, and a token that outlives its key is refused from the key's retiresAt,
 * the instant the service refuses it too, not at the example's next JWKS fetch up to a minute later.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { call, kidOf, pythonMissing, REFUSAL_WITHIN_MS, refusedFor, startStack, stopStack, until, type Stack } from '../helpers/python-example';

const missing = pythonMissing();
if (missing) console.warn(`python-feed-rotation skipped: ${missing}`);

describe.skipIf(missing !== undefined)('the Python feed example and a rotation (feed format 1.1 key-retiring)', () => {
  let stack: Stack;
  afterAll(() => stopStack(stack));

  it("keeps accepting through a routine rotation, then refuses the old key's token from its retiresAt, as the service does", async () => {
    stack = await startStack();
    const { t, api, app } = stack;
    const user = await t.createUser();
    // A token that outlives its key: issued with the default 10 min lifetime, before the lifetime is cut to
    // 3 s, so the rotation below retires the key 3 s after it (lifetime + skew 0) while the token is unexpired.
    const token = (await t.login(user, app)).access_token;
    const oldKid = kidOf(token);
    await t.admin('updateSettings', { accessTokenTtlSeconds: 3, clockSkewSeconds: 0 });
    await t.admin('rotateSigningKey', {});
    const retiresAt = (await t.admin('listKeys', {})).find((key) => key.kid === oldKid)!.retiresAt!;
    expect(retiresAt).toBeGreaterThan(Date.now());

    const fresh = (await t.login(user, app)).access_token;
    expect(kidOf(fresh)).not.toBe(oldKid);
    expect((await call(api, '/hello', fresh)).status).toBe(200);
    const during = await call(api, '/hello', token);
    // Before retiresAt (same host clock) the old key's token is accepted; the call may straddle the instant.
    expect(during.status === 200 || Date.now() >= retiresAt).toBe(true);

    const refused = await until(() => call(api, '/hello', token), refusedFor('retired_kid'), "the retiring key's token is refused", retiresAt - Date.now() + REFUSAL_WITHIN_MS);
    expect(refused.body.reason).toBe('retired_kid');
    // Not before the instant: the Python API answered after its clock passed retiresAt, and so did the service.
    expect(Date.now()).toBeGreaterThanOrEqual(retiresAt);
    expect(await t.admin('inspectToken', { token })).toMatchObject({ active: false, reason: 'retired_kid' });
    expect((await call(api, '/hello', fresh)).status).toBe(200);
  });
});
