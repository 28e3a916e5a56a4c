/**
 * Client registration in the engine: what createClient records (and its defaults), what updateClient changes and
 * audits, and the password grant as a per-client permission — refused for a client without it, withdrawn for
 * the next login once an update commits, even one whose password check was already running.
 */
import { describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../../src/main/engine/dispatch';
import { ADMIN, PASSWORD, PHONE, expectCode, makeHarness, type Harness } from './harness';

const REGISTRATION = {
  redirectUris: ['https://notes.example.com/callback', 'http://127.0.0.1:3000/callback'],
  postLogoutRedirectUris: ['https://notes.example.com/'],
  backchannelLogoutUri: 'https://notes.example.com/backchannel-logout',
};

const loginWith = (h: Harness, clientId: string) =>
  h.engine.login({ username: 'ana', password: PASSWORD, clientId, device: PHONE, rememberMe: false });

const auditOf = (h: Harness, type: string) => h.store.listAudit({ type, limit: 50 });

describe('createClient', () => {
  it('records the registration it is given, and lists it', async () => {
    const h = await makeHarness();
    const created = await h.engine.admin.createClient({ clientId: 'notes', kind: 'confidential', name: 'Notes', ...REGISTRATION, idTokenSignedResponseAlg: 'ES256' }, ADMIN);
    expect(created).toMatchObject({ clientId: 'notes', clientSecret: expect.any(String) });
    const listed = (await h.engine.admin.listClients({}, ADMIN)).find((client) => client.clientId === 'notes');
    expect(listed).toEqual({
      clientId: 'notes',
      kind: 'confidential',
      name: 'Notes',
      createdAt: h.clock.now(),
      ...REGISTRATION,
      grantTypes: ['authorization_code', 'refresh_token'],
      idTokenSignedResponseAlg: 'ES256',
      updatedAt: null,
      disabledAt: null,
      disabledReason: null,
      previousSecretExpiresAt: null,
      accessTokenTtlSeconds: null,
      refreshIdleSeconds: null,
      refreshAbsoluteSeconds: null,
    });
    // The secret's hash never leaves the engine.
    expect(JSON.stringify(listed)).not.toContain((await h.store.getClient('notes'))!.secretHash!);
    expect((await auditOf(h, 'client.created'))[0]?.data).toMatchObject({ clientId: 'notes', kind: 'confidential', ...REGISTRATION });
  });

  it('gives a new client the authorization code and refresh grants, RS256 ID tokens and no URIs', async () => {
    const h = await makeHarness();
    await h.engine.admin.createClient({ clientId: 'spa', kind: 'public', name: 'SPA' }, ADMIN);
    expect(await h.store.getClient('spa')).toMatchObject({
      redirectUris: [],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      grantTypes: ['authorization_code', 'refresh_token'],
      idTokenSignedResponseAlg: 'RS256',
    });
  });

  it('refuses the password grant for a confidential client, recording nothing', async () => {
    const h = await makeHarness();
    const before = (await h.store.lastAudit())?.seq;
    const error = await expectCode(() => h.engine.admin.createClient({ clientId: 'api', kind: 'confidential', name: 'API', grantTypes: ['password'] }, ADMIN), 'invalid_input');
    expect(error.message).toMatch(/^Invalid input for createClient: grantTypes: the password grant is only for public clients/);
    expect(await h.store.getClient('api')).toBeUndefined();
    expect((await h.store.lastAudit())?.seq).toBe(before);
  });
});

describe('the password grant is a per-client permission', () => {
  it('a new public client may not use it; one registered with it may', async () => {
    const h = await makeHarness();
    await h.engine.admin.createClient({ clientId: 'spa', kind: 'public', name: 'SPA' }, ADMIN);
    await h.engine.admin.createClient({ clientId: 'cli', kind: 'public', name: 'CLI', grantTypes: ['password', 'refresh_token'] }, ADMIN);
    const sessionsBefore = await h.store.countActiveSessions(h.clock.now());
    const refused = await expectCode(() => loginWith(h, 'spa'), 'unauthorized_client');
    expect(refused.message).toBe('This client may not use the password grant.');
    // Refused before the password is looked at: a wrong one gets the same answer, and no failed attempt is
    // counted against the user (an app without the permission cannot lock anyone out), no session opens.
    const wrong = h.engine.login({ username: 'ana', password: 'not the password', clientId: 'spa', device: PHONE, rememberMe: false });
    await expectCode(() => wrong, 'unauthorized_client');
    expect((await h.store.getUser(h.userId))?.failedLogins).toBe(0);
    expect(await h.store.countActiveSessions(h.clock.now())).toBe(sessionsBefore);
    await expect(loginWith(h, 'cli')).resolves.toHaveProperty('sessionId');
  });

  it('is checked before the user is: such an app learns nothing of a lock, and nothing is audited', async () => {
    const h = await makeHarness();
    await h.engine.admin.createClient({ clientId: 'spa', kind: 'public', name: 'SPA' }, ADMIN);
    await h.settings({ maxFailedLogins: 1 });
    await expectCode(() => h.engine.login({ username: 'ana', password: 'not the password', clientId: 'mobile', device: PHONE, rememberMe: false }), 'invalid_credentials');
    expect((await h.store.getUser(h.userId))?.lockedUntil).not.toBeNull();
    const seq = (await h.store.lastAudit())?.seq;
    await expectCode(() => loginWith(h, 'spa'), 'unauthorized_client');
    expect((await h.store.lastAudit())?.seq).toBe(seq);
  });

  it('withdrawing it refuses the next login at once; sessions already open keep refreshing; granting it again restores it', async () => {
    const h = await makeHarness();
    const first = await h.login(PHONE); // mobile: the harness registers it with the password grant
    await h.engine.admin.updateClient({ clientId: 'mobile', grantTypes: ['authorization_code', 'refresh_token'] }, ADMIN);
    await expectCode(() => h.login(PHONE), 'unauthorized_client');
    const refreshed = await h.engine.refresh({ refreshToken: first.refreshToken, clientId: 'mobile', device: PHONE });
    expect(refreshed.sessionId).toBe(first.sessionId);
    await h.engine.admin.updateClient({ clientId: 'mobile', grantTypes: ['password', 'refresh_token'] }, ADMIN);
    await expect(h.login(PHONE)).resolves.toHaveProperty('sessionId');
  });

  it('a login whose password check was running when the permission went opens no session', async () => {
    const h = await makeHarness();
    const sessionsBefore = await h.store.countActiveSessions(h.clock.now());
    // The login reads the client, then awaits scrypt; the update commits in between.
    const pending = h.login(PHONE);
    await h.engine.admin.updateClient({ clientId: 'mobile', grantTypes: [] }, ADMIN);
    await expectCode(() => pending, 'unauthorized_client');
    expect(await h.store.countActiveSessions(h.clock.now())).toBe(sessionsBefore);
    expect(await auditOf(h, 'user.login')).toEqual([]);
  });
});

describe('updateClient', () => {
  it('changes only the fields it is given, and audits each change with its old and new value', async () => {
    const h = await makeHarness();
    await h.engine.admin.createClient({ clientId: 'notes', kind: 'public', name: 'Notes', redirectUris: ['https://notes.example.com/cb'] }, ADMIN);
    const createdAt = h.clock.now();
    h.clock.advance(5000);
    const updated = await h.engine.admin.updateClient({ clientId: 'notes', name: 'Notes for the web', redirectUris: ['https://notes.example.com/cb', 'https://notes.example.com/cb2'], backchannelLogoutUri: 'https://notes.example.com/logout' }, ADMIN);
    expect(updated).toMatchObject({
      clientId: 'notes',
      kind: 'public',
      name: 'Notes for the web',
      createdAt,
      redirectUris: ['https://notes.example.com/cb', 'https://notes.example.com/cb2'],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: 'https://notes.example.com/logout',
      grantTypes: ['authorization_code', 'refresh_token'],
      updatedAt: createdAt + 5000,
    });
    expect(await h.store.getClient('notes')).toMatchObject({ name: 'Notes for the web', updatedAt: createdAt + 5000, backchannelLogoutUri: 'https://notes.example.com/logout' });
    const [entry] = await auditOf(h, 'client.updated');
    expect(entry).toMatchObject({ actor: ADMIN.actor, at: createdAt + 5000 });
    expect(entry?.data).toEqual({
      clientId: 'notes',
      changes: {
        name: { from: 'Notes', to: 'Notes for the web' },
        redirectUris: { from: ['https://notes.example.com/cb'], to: ['https://notes.example.com/cb', 'https://notes.example.com/cb2'] },
        backchannelLogoutUri: { from: null, to: 'https://notes.example.com/logout' },
      },
    });
    // null removes the back-channel URI.
    expect((await h.engine.admin.updateClient({ clientId: 'notes', backchannelLogoutUri: null }, ADMIN)).backchannelLogoutUri).toBeNull();
    expect((await h.engine.admin.verifyAuditChain({}, ADMIN)).ok).toBe(true);
  });

  it('an update that changes nothing is no action: no audit entry, no new updatedAt', async () => {
    const h = await makeHarness();
    const before = (await h.store.lastAudit())?.seq;
    const current = (await h.store.getClient('web'))!;
    const same = await h.engine.admin.updateClient({ clientId: 'web', name: current.name, grantTypes: [...current.grantTypes] }, ADMIN);
    expect(same.updatedAt).toBeNull();
    expect((await h.store.lastAudit())?.seq).toBe(before);
  });

  it('judges the grants against the stored kind: a confidential client cannot be given the password grant', async () => {
    const h = await makeHarness();
    await h.engine.admin.createClient({ clientId: 'api', kind: 'confidential', name: 'API' }, ADMIN);
    const row = await h.store.getClient('api');
    const before = (await h.store.lastAudit())?.seq;
    const result = await dispatchAdmin(h.engine.admin, 'updateClient', { clientId: 'api', grantTypes: ['password', 'refresh_token'] }, ADMIN);
    expect(result).toEqual({ ok: false, error: { code: 'invalid_input', message: 'Invalid input for updateClient: grantTypes: the password grant is only for public clients' } });
    expect(await h.store.getClient('api')).toEqual(row);
    expect((await h.store.lastAudit())?.seq).toBe(before);
  });

  it('an unknown client is not_found; id, kind and secret cannot be changed through it', async () => {
    const h = await makeHarness();
    expect(await dispatchAdmin(h.engine.admin, 'updateClient', { clientId: 'nobody', name: 'x' }, ADMIN)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    for (const extra of [{ kind: 'confidential' }, { clientSecret: 'mine' }, { secretHash: 'a'.repeat(64) }, { createdAt: 0 }]) {
      expect(await dispatchAdmin(h.engine.admin, 'updateClient', { clientId: 'web', ...extra }, ADMIN)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(await h.store.getClient('web')).toMatchObject({ kind: 'public', secretHash: null });
  });
});
