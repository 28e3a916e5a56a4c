/**
 * Every registration rule, through the admin dispatcher (the boundary every transport uses): a bad
 * createClient or updateClient gets `invalid_input` with a message naming the field and the rule, and changes
 * nothing. And what the rules accept: loopback http, ports, queries, an empty list.
 */
import { describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../../src/main/engine/dispatch';
import { ADMIN, makeHarness, type Harness } from './harness';

async function snapshot(h: Harness): Promise<string> {
  return JSON.stringify({ audit: (await h.store.lastAudit())?.seq ?? 0, clients: await h.store.listClients() });
}

const base = { clientId: 'notes', kind: 'public', name: 'Notes' };

/** [what, extra fields, the message's field path, a part of the rule's wording] */
const REFUSED: [string, Record<string, unknown>, string, RegExp][] = [
  ['a relative URI', { redirectUris: ['/callback'] }, 'redirectUris.0', /absolute https:\/\/ URI/],
  ['a bare host', { redirectUris: ['notes.example.com/cb'] }, 'redirectUris.0', /absolute https:\/\/ URI/],
  ['https without //', { redirectUris: ['https:notes.example.com/cb'] }, 'redirectUris.0', /absolute https:\/\/ URI/],
  ['https with an empty host', { redirectUris: ['https:///cb'] }, 'redirectUris.0', /absolute https:\/\/ URI/],
  ['plain http on a public host', { redirectUris: ['http://notes.example.com/cb'] }, 'redirectUris.0', /must use https/],
  ['plain http on a look-alike of localhost', { redirectUris: ['http://localhost.evil.example/cb'] }, 'redirectUris.0', /must use https/],
  ['plain http on 127.0.0.1 spelled as a subdomain', { redirectUris: ['http://127.0.0.1.evil.example/cb'] }, 'redirectUris.0', /must use https/],
  ['a custom scheme', { redirectUris: ['com.example.notes:/callback'] }, 'redirectUris.0', /absolute https:\/\/ URI/],
  ['javascript:', { redirectUris: ['javascript:alert(1)'] }, 'redirectUris.0', /absolute https:\/\/ URI/],
  ['a fragment', { redirectUris: ['https://notes.example.com/cb#done'] }, 'redirectUris.0', /no fragment/],
  ['an empty fragment', { redirectUris: ['https://notes.example.com/cb#'] }, 'redirectUris.0', /no fragment/],
  ['a wildcard host', { redirectUris: ['https://*.example.com/cb'] }, 'redirectUris.0', /no wildcards/],
  ['a wildcard path', { redirectUris: ['https://notes.example.com/*'] }, 'redirectUris.0', /no wildcards/],
  ['user info before the host', { redirectUris: ['https://notes.example.com@evil.example/cb'] }, 'redirectUris.0', /no user name or password/],
  ['a backslash (read as / by URL parsers)', { redirectUris: ['https://evil.example\\@notes.example.com/cb'] }, 'redirectUris.0', /no backslashes/],
  ['surrounding space', { redirectUris: [' https://notes.example.com/cb'] }, 'redirectUris.0', /visible ASCII only/],
  ['a tab inside (dropped by URL parsers)', { redirectUris: ['https://notes.exa\tmple.com/cb'] }, 'redirectUris.0', /visible ASCII only/],
  ['a non-ASCII host', { redirectUris: ['https://nötes.example.com/cb'] }, 'redirectUris.0', /xn-- form/],
  ['an unparsable host', { redirectUris: ['https://notes example/cb'] }, 'redirectUris.0', /visible ASCII only/],
  ['a bad port', { redirectUris: ['https://notes.example.com:99999/cb'] }, 'redirectUris.0', /absolute https:\/\/ URI/],
  ['an over-long URI', { redirectUris: [`https://notes.example.com/${'a'.repeat(2000)}`] }, 'redirectUris.0', /at most 2000 characters/],
  ['the second entry bad', { redirectUris: ['https://notes.example.com/cb', 'http://notes.example.com/cb'] }, 'redirectUris.1', /must use https/],
  ['a URI listed twice', { redirectUris: ['https://notes.example.com/cb', 'https://notes.example.com/cb'] }, 'redirectUris.1', /listed twice/],
  ['more than 20 URIs', { redirectUris: Array.from({ length: 21 }, (_, i) => `https://notes.example.com/cb${i}`) }, 'redirectUris', /at most 20 URIs/],
  ['a URI that is not a string', { redirectUris: [42] }, 'redirectUris.0', /string/],
  ['a list that is a string', { redirectUris: 'https://notes.example.com/cb' }, 'redirectUris', /array/],
  ['a post-logout URI on plain http', { postLogoutRedirectUris: ['http://notes.example.com/'] }, 'postLogoutRedirectUris.0', /must use https/],
  ['a post-logout URI with a fragment', { postLogoutRedirectUris: ['https://notes.example.com/#bye'] }, 'postLogoutRedirectUris.0', /no fragment/],
  ['a back-channel URI on plain http', { backchannelLogoutUri: 'http://notes.example.com/logout' }, 'backchannelLogoutUri', /must use https/],
  ['a back-channel URI with a fragment', { backchannelLogoutUri: 'https://notes.example.com/logout#x' }, 'backchannelLogoutUri', /no fragment/],
  ['a relative back-channel URI', { backchannelLogoutUri: '/logout' }, 'backchannelLogoutUri', /absolute https:\/\/ URI/],
  ['an unknown grant', { grantTypes: ['implicit'] }, 'grantTypes.0', /Invalid option/],
  ['client_credentials', { grantTypes: ['client_credentials'] }, 'grantTypes.0', /Invalid option/],
  ['a grant listed twice', { grantTypes: ['authorization_code', 'authorization_code'] }, 'grantTypes.1', /listed twice/],
  ['refresh_token on its own', { grantTypes: ['refresh_token'] }, 'grantTypes', /refresh_token needs a grant that issues refresh tokens/],
  ['the password grant for a confidential client', { kind: 'confidential', grantTypes: ['password', 'refresh_token'] }, 'grantTypes', /only for public clients/],
  ['an HMAC ID-token alg', { idTokenSignedResponseAlg: 'HS256' }, 'idTokenSignedResponseAlg', /Invalid option/],
  ['unsigned ID tokens', { idTokenSignedResponseAlg: 'none' }, 'idTokenSignedResponseAlg', /Invalid option/],
  ['an empty name', { name: '' }, 'name', /Too small/],
  ['a name of spaces', { name: '   ' }, 'name', /Too small/],
  ['an over-long name', { name: 'n'.repeat(101) }, 'name', /Too big/],
  ['an unknown field', { secret: 'mine' }, 'input', /Unrecognized key/],
];

describe('client registration rules', () => {
  it.each(REFUSED)('createClient with %s is invalid_input naming the field, and changes nothing', async (_what, extra, path, rule) => {
    const h = await makeHarness();
    const before = await snapshot(h);
    const result = await dispatchAdmin(h.engine.admin, 'createClient', { ...base, ...extra }, ADMIN);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.message).toMatch(new RegExp(`^Invalid input for createClient: .*\\b${path.replace('.', '\\.')}: `));
    expect(result.error.message).toMatch(rule);
    expect(await snapshot(h)).toBe(before);
  });

  it.each(REFUSED.filter(([, extra]) => !('kind' in extra) && !('secret' in extra)))(
    'updateClient with %s is invalid_input naming the field, and changes nothing',
    async (_what, extra, path, rule) => {
      const h = await makeHarness();
      const before = await snapshot(h);
      const result = await dispatchAdmin(h.engine.admin, 'updateClient', { clientId: 'web', ...extra }, ADMIN);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.message).toMatch(new RegExp(`^Invalid input for updateClient: .*\\b${path.replace('.', '\\.')}: `));
      expect(result.error.message).toMatch(rule);
      expect(await snapshot(h)).toBe(before);
    },
  );

  it('an engine caller that skips the contract meets the same rules', async () => {
    const h = await makeHarness();
    const before = await snapshot(h);
    await expect(() => h.engine.admin.createClient({ clientId: 'x', kind: 'public', name: 'X', redirectUris: ['https://a.example/cb#f'] }, ADMIN)).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input', message: 'Invalid input for createClient: redirectUris.0: no fragment (#)' }),
    );
    await expect(() => h.engine.admin.updateClient({ clientId: 'web', name: '  ' }, ADMIN)).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input', message: 'Invalid input for updateClient: name: 1 to 100 characters' }),
    );
    await expect(() => h.engine.admin.updateClient({ clientId: 'web', backchannelLogoutUri: 'http://rp.example/logout' }, ADMIN)).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(/^Invalid input for updateClient: backchannelLogoutUri: must use https/) }),
    );
    expect(await snapshot(h)).toBe(before);
  });

  it.each([
    ['loopback http with a port', 'http://127.0.0.1:53682/callback'],
    ['IPv6 loopback', 'http://[::1]:8080/callback'],
    ['localhost', 'http://localhost/callback'],
    ['https with a port and a query', 'https://notes.example.com:8443/cb?tenant=a&x=1'],
    ['https with a percent-encoded path', 'https://notes.example.com/call%20back'],
    ['an IDN host in its xn-- form', 'https://xn--ntes-5qa.example.com/cb'],
  ])('accepts %s', async (_what, uri) => {
    const h = await makeHarness();
    const result = await dispatchAdmin(h.engine.admin, 'createClient', { ...base, redirectUris: [uri], postLogoutRedirectUris: [uri], backchannelLogoutUri: uri }, ADMIN);
    expect(result).toMatchObject({ ok: true });
    expect(await h.store.getClient('notes')).toMatchObject({ redirectUris: [uri], postLogoutRedirectUris: [uri], backchannelLogoutUri: uri });
  });

  it('accepts a client with no grants (a resource server) and exactly 20 URIs', async () => {
    const h = await makeHarness();
    const uris = Array.from({ length: 20 }, (_, i) => `https://notes.example.com/cb${i}`);
    expect(await dispatchAdmin(h.engine.admin, 'createClient', { ...base, kind: 'confidential', grantTypes: [], redirectUris: uris }, ADMIN)).toMatchObject({ ok: true });
    expect(await h.store.getClient('notes')).toMatchObject({ grantTypes: [], redirectUris: uris });
  });
});
