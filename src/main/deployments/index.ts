/**
 * The desktop console's connection manager: deployment profiles (./profile-store, keys in ./credentials), the
 * remote admin client with TLS checks and pinning (./remote-client, ./remote-transport) and the per-caller
 * "current deployment" that routes admin calls and live events (./manager). docs/deployments.md.
 */
import path from 'node:path';
import type { Clock } from '../engine/clock';
import { openCredentialVault } from './credentials';
import { DeploymentManager, type LocalDeployment } from './manager';
import { PROFILES_FILE, ProfileStore } from './profile-store';

export { DeploymentManager, type EventSink, type LocalDeployment, type RemoteTarget } from './manager';
export { ProfileStore, PROFILES_FILE } from './profile-store';
export { openCredentialVault, type CredentialVault } from './credentials';
export { RemoteAdminClient } from './remote-client';

export interface OpenDeploymentsOptions {
  dataDir: string;
  /** The install's key store: profiles' API keys go to the keychain too, or stay in memory. */
  keyStore: string;
  instanceId: string;
  clock: Clock;
  local: LocalDeployment;
}

export function openDeployments(options: OpenDeploymentsOptions): DeploymentManager {
  return new DeploymentManager({
    profiles: new ProfileStore(path.join(options.dataDir, PROFILES_FILE), options.clock),
    credentials: openCredentialVault(options.keyStore === 'keychain' ? 'keychain' : 'memory', options.instanceId),
    local: options.local,
  });
}
