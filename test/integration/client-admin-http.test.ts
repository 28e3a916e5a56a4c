/**
 * Client administration on the wire: a disabled confidential client is refused at introspection and the
 * revocation feed (401 invalid_client, "disabled" only once its secret matched), a disabled public client at the
 * token and authorization endpoints; a rotated secret's overlap holds at the introspection endpoint; a deleted
 * client is unknown everywhere; the new methods are owner-only (a viewer's call would be 403, see dispatch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, PASSWORD_GRANT, RESOURCE_SERVER, startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';

describe('client administration over HTTP', () => {
  let t: TestWarden;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser();
  });
  afterAll(() => t?.close());

  const introspect = (clientId: string, secret: string) =>
    t.postForm('/oauth/introspect', { token: 'not-a-token' }, { authorization: basicAuth(clientId, secret) });
  const feed = (clientId: string, secret: string) =>
    fetch(`${t.baseUrl}/events`, { headers: { authorization: basicAuth(clientId, secret), accept: 'text/event-stream' }, signal: AbortSignal.timeout(5_000) });

  it('a disabled resource server is refused at introspection and the feed; enabled again, it is accepted', async () => {
    const { clientId, clientSecret } = await t.createConfidentialClient(undefined, RESOURCE_SERVER);
    expect((await introspect(clientId, clientSecret)).status).toBe(200);
    await t.admin('setClientDisabled', { clientId, disabled: true, reason: 'compromised host' });
    const refused = await introspect(clientId, clientSecret);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'invalid_client', error_description: 'This client is disabled.' });
    // A wrong secret reads as it always does: the state is not told to whoever lacks the secret.
    expect(await (await introspect(clientId, 'wrong')).json()).toMatchObject({ error: 'invalid_client', error_description: 'Client authentication failed.' });
    const stream = await feed(clientId, clientSecret);
    expect(stream.status).toBe(401);
    await stream.body?.cancel();
    await t.admin('setClientDisabled', { clientId, disabled: false });
    expect((await introspect(clientId, clientSecret)).status).toBe(200);
  });

  it('disabling or rotating with no overlap ends the feed streams the client holds', async () => {
    const { clientId, clientSecret } = await t.createConfidentialClient(undefined, RESOURCE_SERVER);
    /** Reads a stream to its end: resolves once the service closed it (the test's timeout bounds a hang). */
    const ended = async (response: Response) => {
      const reader = response.body!.getReader();
      while (!(await reader.read()).done) {
        // keep reading: comments and events until the service ends the stream
      }
      return true;
    };
    const open = async (secret: string) => {
      const response = await fetch(`${t.baseUrl}/events`, { headers: { authorization: basicAuth(clientId, secret), accept: 'text/event-stream' } });
      expect(response.status).toBe(200);
      return response;
    };
    const first = await open(clientSecret);
    const { clientSecret: second } = await t.admin('rotateClientSecret', { clientId, overlapSeconds: 0 });
    expect(await ended(first)).toBe(true);
    const again = await open(second);
    await t.admin('setClientDisabled', { clientId, disabled: true });
    expect(await ended(again)).toBe(true);
  });

  it('a disabled public client: its refresh and password logins are 401, its authorization request a page, not a redirect', async () => {
    const clientId = await t.createPublicClient(undefined, { ...PASSWORD_GRANT, grantTypes: ['authorization_code', 'password', 'refresh_token'], redirectUris: ['http://127.0.0.1:4100/cb'] });
    const tokens = await t.login(user, clientId);
    await t.admin('setClientDisabled', { clientId, disabled: true });
    const refresh = await t.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId });
    expect(refresh.status).toBe(401);
    expect(await refresh.json()).toMatchObject({ error: 'invalid_client', error_description: 'This client is disabled.' });
    const login = await t.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: clientId });
    expect(login.status).toBe(401);
    const query = new URLSearchParams({ client_id: clientId, redirect_uri: 'http://127.0.0.1:4100/cb', response_type: 'code', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 's' });
    const authorize = await fetch(`${t.baseUrl}/oauth/authorize?${query.toString()}`, { redirect: 'manual' });
    expect(authorize.status).toBe(400);
    expect(await authorize.text()).toContain('is disabled on this sign-in service');
  });

  it('a rotated secret: both accepted during the overlap, only the new one with none; a deleted client is unknown', async () => {
    const { clientId, clientSecret: first } = await t.createConfidentialClient(undefined, RESOURCE_SERVER);
    const { clientSecret: second } = await t.admin('rotateClientSecret', { clientId, overlapSeconds: 600 });
    expect((await introspect(clientId, first)).status).toBe(200);
    expect((await introspect(clientId, second)).status).toBe(200);
    const { clientSecret: third, previousValidUntil } = await t.admin('rotateClientSecret', { clientId, overlapSeconds: 0 });
    expect(previousValidUntil).toBeNull();
    expect((await introspect(clientId, second)).status).toBe(401);
    expect((await introspect(clientId, third)).status).toBe(200);
    await t.admin('deleteClient', { clientId, confirm: clientId });
    expect((await introspect(clientId, third)).status).toBe(401);
    expect((await t.admin('listClients', {})).some((client) => client.clientId === clientId)).toBe(false);
  });
});
