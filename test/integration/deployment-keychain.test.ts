/**
 * Deployment profiles' API keys in the REAL OS keychain (no mocks). Run it through a Secret Service:
 *   bash scripts/with-keyring.sh npx vitest run test/integration/deployment-keychain.test.ts
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AsyncEntry } from '@napi-rs/keyring';
import { afterAll, describe, expect, it } from 'vitest';
import { openDeployments, type DeploymentManager } from '../../src/main/deployments';
import { ManualClock } from '../../src/main/engine/clock';
import type { AdminHandlers } from '../../src/main/engine/dispatch';
import { KEYCHAIN_SERVICE } from '../../src/main/keys';

const instanceId = `test-${randomUUID()}`;
const desktop = { actor: 'admin:desktop', role: 'owner' as const, adminId: null };
const KEY = `twk_${randomUUID().replace(/-/g, '')}`;
const dirs: string[] = [];

function manager(dataDir: string): DeploymentManager {
  return openDeployments({
    dataDir,
    keyStore: 'keychain',
    instanceId,
    clock: new ManualClock(),
    local: {
      handlers: {} as AdminHandlers,
      info: { mode: 'electron', issuer: 'http://127.0.0.1:1', keyStore: 'keychain', demo: false, dataDir },
      onEvent: () => () => {},
      record: () => {},
    },
  });
}

const entry = (profileId: string) => new AsyncEntry(KEYCHAIN_SERVICE, `deployments:${instanceId}:${profileId}`, { linux: { store: 'secret-service' } });

describe('deployment API keys in the OS keychain', () => {
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('are written to the keychain, never to the profiles file, survive a restart and go with the profile', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tw-deploy-keychain-'));
    dirs.push(dir);
    const first = manager(dir);
    const saved = await first.call('saveDeployment', { name: 'prod', baseUrl: 'https://auth.example.com', apiKey: KEY }, desktop);
    if (!saved.ok) {
      const hint = process.env.WARDEN_KEYRING === 'ready' ? 'WARDEN_KEYRING=ready but the keychain failed' : 'run through `bash scripts/with-keyring.sh npx vitest run test/integration/deployment-keychain.test.ts`';
      throw new Error(`${hint}: ${saved.error.code} ${saved.error.message}`);
    }
    const id = (saved.value as { id: string }).id;
    expect(await entry(id).getPassword()).toBe(KEY);
    expect(await readFile(path.join(dir, 'deployments.json'), 'utf8')).not.toContain(KEY);

    // A new process (a restart) finds the key in the keychain.
    const second = manager(dir);
    const listed = await second.call('listDeployments', {}, desktop);
    expect(listed).toMatchObject({ ok: true, value: { credentialStore: 'keychain', deployments: [{ id: 'local' }, { id, hasCredential: true }] } });

    expect(await second.call('removeDeployment', { id }, desktop)).toEqual({ ok: true, value: { removed: true } });
    expect(await entry(id).getPassword()).toBeFalsy();
  });
});
