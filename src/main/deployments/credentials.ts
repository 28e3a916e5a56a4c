/**
 * Where the profiles' admin API keys live: the OS keychain (the same `token-warden` service as the signing
 * keys, account `deployments:<instance id>:<profile id>`) when the install keeps its keys there, otherwise this
 * process's memory (`--key-store memory`: the keys are gone at exit and the console asks for them again). Never
 * a file. The keychain is opened on first use, so a console that manages no remote never touches it.
 */
import { KeychainVault, MemoryVault, type KeyVault } from '../keys/index';

export interface CredentialVault {
  readonly kind: 'keychain' | 'memory';
  put(profileId: string, apiKey: string): Promise<void>;
  get(profileId: string): Promise<string | undefined>;
  delete(profileId: string): Promise<void>;
}

export function openCredentialVault(kind: 'keychain' | 'memory', instanceId: string): CredentialVault {
  let vault: Promise<KeyVault> | undefined;
  const opened = (): Promise<KeyVault> => {
    vault ??= kind === 'keychain' ? KeychainVault.open(`deployments:${instanceId}`) : Promise.resolve(new MemoryVault());
    // A keychain that was locked at first use may answer later: do not remember the failure.
    vault.catch(() => (vault = undefined));
    return vault;
  };
  return {
    kind,
    put: async (profileId, apiKey) => (await opened()).put(profileId, apiKey),
    get: async (profileId) => (await opened()).get(profileId),
    delete: async (profileId) => (await opened()).delete(profileId),
  };
}
