/**
 * Client registration on the wire: the admin RPC takes and returns the registration (and refuses a bad one with
 * 400 invalid_input, changing nothing), and the token endpoint answers the password grant for a client without
 * that permission with RFC 6749's `unauthorized_client` — until updateClient grants it, at the next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';

describe('client registration over HTTP', () => {
  let t: TestWarden;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser();
  });
  afterAll(() => t?.close());

  const rpc = async (method: string, input: unknown) => {
    const response = await fetch(`${t.baseUrl}/admin/rpc/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    return { status: response.status, body: (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } } };
  };
  const passwordGrant = (clientId: string) =>
    t.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: clientId });

  it('createClient and updateClient carry the registration; listClients shows it', async () => {
    const registration = {
      redirectUris: ['http://127.0.0.1:4100/callback'],
      postLogoutRedirectUris: ['http://127.0.0.1:4100/'],
      backchannelLogoutUri: 'http://127.0.0.1:4100/backchannel-logout',
    };
    expect(await rpc('createClient', { clientId: 'notes-web', kind: 'confidential', name: 'Notes', ...registration })).toMatchObject({ status: 200, body: { ok: true } });
    const updated = await rpc('updateClient', { clientId: 'notes-web', redirectUris: [...registration.redirectUris, 'https://notes.example.com/callback'] });
    expect(updated).toMatchObject({ status: 200, body: { ok: true, value: { clientId: 'notes-web', redirectUris: [...registration.redirectUris, 'https://notes.example.com/callback'] } } });
    const listed = (await t.admin('listClients', {})).find((client) => client.clientId === 'notes-web');
    expect(listed).toMatchObject({ ...registration, redirectUris: [...registration.redirectUris, 'https://notes.example.com/callback'], grantTypes: ['authorization_code', 'refresh_token'] });
  });

  it('a bad registration is 400 invalid_input naming the field, and changes nothing', async () => {
    const before = await t.snapshot();
    const created = await rpc('createClient', { clientId: 'bad', kind: 'public', name: 'Bad', redirectUris: ['https://app.example.com/cb#token'] });
    expect(created).toEqual({ status: 400, body: { ok: false, error: { code: 'invalid_input', message: 'Invalid input for createClient: redirectUris.0: no fragment (#)' } } });
    const updated = await rpc('updateClient', { clientId: 'notes-web', backchannelLogoutUri: 'http://rp.example.com/logout' });
    expect(updated).toMatchObject({ status: 400, body: { ok: false, error: { code: 'invalid_input', message: expect.stringContaining('backchannelLogoutUri: must use https') } } });
    expect(await t.snapshot()).toEqual(before);
  });

  it('the password grant for a client without it is 400 unauthorized_client, and works once granted', async () => {
    const clientId = await t.createPublicClient(undefined, {}); // createClient's defaults: no password grant
    const before = await t.snapshot();
    const refused = await passwordGrant(clientId);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'unauthorized_client' });
    expect(await t.snapshot()).toEqual(before);

    await t.admin('updateClient', { clientId, grantTypes: ['password', 'refresh_token'] });
    const granted = await passwordGrant(clientId);
    expect(granted.status).toBe(200);
    await t.admin('updateClient', { clientId, grantTypes: ['authorization_code', 'refresh_token'] });
    expect((await passwordGrant(clientId)).status).toBe(400);
  });
});
