import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeploymentManager, ProfileStore } from '../../../src/main/deployments/index';
import type { CredentialVault } from '../../../src/main/deployments/credentials';
import { ManualClock } from '../../../src/main/engine/clock';
import type { ActorContext, AdminHandlers } from '../../../src/main/engine/dispatch';
import { startFakeRemote, type FakeRemote } from './remote-server';

const KEY = 'twk_' + 'a'.repeat(40);
const desktop: ActorContext = { actor: 'admin:desktop', role: 'owner', adminId: null };
const otherSession: ActorContext = { actor: 'admin:bob', role: 'owner', adminId: 'b', adminSessionId: 's2' };

function memoryCredentials(): CredentialVault & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    kind: 'memory',
    entries,
    put: async (id, key) => void entries.set(id, key),
    get: async (id) => entries.get(id),
    delete: async (id) => void entries.delete(id),
  };
}

describe('routing admin calls to the current deployment', () => {
  let dir: string;
  let remote: FakeRemote;
  let manager: DeploymentManager;
  let credentials: ReturnType<typeof memoryCredentials>;
  let recorded: Array<{ type: string; actor: string; data: Record<string, unknown> }>;
  const localCalls: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tw-routing-'));
    remote = await startFakeRemote({
      answer: (method) => {
        if (method === 'getSignedInAdmin') return { body: { ok: true, value: { admin: null, actor: 'admin:ops', role: 'operator', totpEnrollmentRequired: false } } };
        if (method === 'deleteUser') return { status: 403, body: { ok: false, error: { code: 'forbidden', message: 'deleteUser needs the owner role' } } };
        return { body: { ok: true, value: { items: [{ from: 'remote' }], total: 1 } } };
      },
    });
    credentials = memoryCredentials();
    recorded = [];
    localCalls.length = 0;
    const handlers = {
      listUsers: () => {
        localCalls.push('listUsers');
        return { items: [{ from: 'local' }], total: 1 };
      },
    } as unknown as AdminHandlers;
    manager = new DeploymentManager({
      profiles: new ProfileStore(path.join(dir, 'deployments.json'), new ManualClock()),
      credentials,
      local: {
        handlers,
        info: { mode: 'electron', issuer: 'http://127.0.0.1:4000', keyStore: 'memory', demo: false, dataDir: dir },
        onEvent: () => () => {},
        record: (type, actor, data) => void recorded.push({ type, actor, data }),
      },
      timeoutMs: 3_000,
    });
  });
  afterEach(async () => {
    await remote.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function addRemote(): Promise<string> {
    const saved = await manager.call('saveDeployment', { name: 'second', baseUrl: remote.url, apiKey: KEY }, desktop);
    if (!saved.ok) throw new Error(saved.error.message);
    return (saved.value as { id: string }).id;
  }

  it('keeps the API key out of the profiles file (it is in the credential vault)', async () => {
    const id = await addRemote();
    const file = await readFile(path.join(dir, 'deployments.json'), 'utf8');
    expect(file).not.toContain(KEY);
    expect(JSON.parse(file).profiles[0]).toMatchObject({ id, name: 'second', baseUrl: remote.url, tlsVerify: true, pinnedSha256: null });
    expect(credentials.entries.get(id)).toBe(KEY);
    const listed = await manager.call('listDeployments', {}, desktop);
    expect(JSON.stringify(listed)).not.toContain(KEY);
    expect(recorded).toEqual([expect.objectContaining({ type: 'deployment.saved', actor: 'admin:desktop' })]);
  });

  it('answers locally until the caller switches, then forwards with the stored key; remote codes are kept', async () => {
    const id = await addRemote();
    expect(await manager.call('listUsers', {}, desktop)).toEqual({ ok: true, value: { items: [{ from: 'local' }], total: 1 } });
    const switched = await manager.call('switchDeployment', { id }, desktop);
    expect(switched).toMatchObject({ ok: true, value: { deployment: { id, kind: 'remote' }, actor: 'admin:ops', role: 'operator', issuer: 'https://remote.example' } });
    remote.requests.length = 0;
    expect(await manager.call('listUsers', { limit: 5 }, desktop)).toEqual({ ok: true, value: { items: [{ from: 'remote' }], total: 1 } });
    expect(remote.requests).toEqual([{ method: 'POST', path: '/admin/rpc/listUsers', authorization: `Bearer ${KEY}`, body: '{"limit":5}' }]);
    expect(await manager.call('deleteUser', { userId: 'u', confirm: 'x' }, desktop)).toEqual({ ok: false, error: { code: 'forbidden', message: 'deleteUser needs the owner role' } });
    expect(localCalls).toEqual(['listUsers']);
    expect(manager.info(desktop)).toMatchObject({ mode: 'electron', issuer: 'https://remote.example', version: '9.9.9' });
  });

  it('never forwards the local-only methods, and each caller has its own current deployment', async () => {
    const id = await addRemote();
    await manager.call('switchDeployment', { id }, desktop);
    remote.requests.length = 0;
    const listed = await manager.call('listDeployments', {}, desktop);
    expect(listed).toMatchObject({ ok: true, value: { currentId: id, credentialStore: 'memory' } });
    expect(await manager.call('currentDeployment', {}, desktop)).toMatchObject({ ok: true, value: { deployment: { id } } });
    expect(remote.requests).toEqual([]);
    // Another console session of the host still manages this computer.
    expect(await manager.call('listUsers', {}, otherSession)).toMatchObject({ ok: true, value: { items: [{ from: 'local' }] } });
    expect(await manager.call('currentDeployment', {}, otherSession)).toMatchObject({ ok: true, value: { deployment: { id: 'local' }, actor: 'admin:bob' } });
  });

  it('a caller demoted below owner since it switched is back on this computer (the key is lent to owners only)', async () => {
    const id = await addRemote();
    const session: ActorContext = { actor: 'admin:carol', role: 'owner', adminId: 'c', adminSessionId: 's3' };
    await manager.call('switchDeployment', { id }, session);
    expect(await manager.call('listUsers', {}, session)).toMatchObject({ ok: true, value: { items: [{ from: 'remote' }] } });
    const told: string[] = [];
    manager.onSwitch((key) => told.push(key));
    const demoted = { ...session, role: 'viewer' as const };
    expect(await manager.call('listUsers', {}, demoted)).toMatchObject({ ok: true, value: { items: [{ from: 'local' }] } });
    expect(told).toEqual(['session:s3']);
    expect(await manager.call('listUsers', {}, session)).toMatchObject({ ok: true, value: { items: [{ from: 'local' }] } });
    const enrolling = { ...session, mustEnrollTotp: true };
    await manager.call('switchDeployment', { id }, session);
    expect(manager.target(enrolling)).toBeUndefined();
  });

  it('an unreachable remote is deployment_unreachable; switching to it is refused and the caller stays put', async () => {
    const id = await addRemote();
    await manager.call('switchDeployment', { id }, desktop);
    await remote.close();
    expect(await manager.call('listUsers', {}, desktop)).toMatchObject({ ok: false, error: { code: 'deployment_unreachable' } });
    await manager.call('switchDeployment', { id: 'local' }, desktop);
    expect(await manager.call('switchDeployment', { id }, desktop)).toMatchObject({ ok: false, error: { code: 'deployment_unreachable' } });
    expect(await manager.call('currentDeployment', {}, desktop)).toMatchObject({ ok: true, value: { deployment: { id: 'local' } } });
  });

  it('removing a profile deletes its key and returns its callers to this computer (they are told)', async () => {
    const id = await addRemote();
    await manager.call('switchDeployment', { id }, desktop);
    const told: string[] = [];
    manager.onSwitch((key) => told.push(key));
    expect(await manager.call('removeDeployment', { id }, desktop)).toEqual({ ok: true, value: { removed: true } });
    expect(told).toEqual(['admin:desktop']);
    expect(credentials.entries.has(id)).toBe(false);
    expect(await manager.call('listUsers', {}, desktop)).toMatchObject({ ok: true, value: { items: [{ from: 'local' }] } });
  });

  it('checks the profile contract: owner only, https off-loopback, no verification without a pin, a key for new profiles', async () => {
    const viewer: ActorContext = { actor: 'admin:v', role: 'viewer', adminId: 'v' };
    expect(await manager.call('saveDeployment', { name: 'x', baseUrl: remote.url, apiKey: KEY }, viewer)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await manager.call('switchDeployment', { id: 'local' }, viewer)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await manager.call('saveDeployment', { name: 'x', baseUrl: 'http://auth.example.com', apiKey: KEY }, desktop)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await manager.call('saveDeployment', { name: 'x', baseUrl: 'https://auth.example.com', tlsVerify: false, apiKey: KEY }, desktop)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await manager.call('saveDeployment', { name: 'x', baseUrl: 'https://auth.example.com' }, desktop)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await manager.call('removeDeployment', { id: 'local' }, desktop)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
