/**
 * The local-only admin methods (marked `local` in src/shared/admin-api.ts): the profiles, testing one, fetching
 * a certificate to pin, and switching. Answered by the process the console talks to, never forwarded.
 */
import type { AdminInput, AdminOutput, LocalOnlyMethod } from '../../shared/admin-api';
import { LOCAL_DEPLOYMENT_ID, type Deployment, type DeploymentTest } from '../../shared/deployments';
import { WardenError } from '../../shared/errors';
import type { ActorContext } from '../engine/dispatch';
import type { DeploymentManager } from './manager';
import type { StoredProfile } from './profile-store';
import { RemoteAdminClient } from './remote-client';
import { fetchCertificate } from './remote-transport';

type LocalOnlyHandlers = { [M in LocalOnlyMethod]: (input: AdminInput<M>, who: ActorContext) => Promise<AdminOutput<M>> };

const signedInSchemaRole = new Set(['viewer', 'operator', 'owner']);

function localDeployment(manager: DeploymentManager): Deployment {
  return {
    id: LOCAL_DEPLOYMENT_ID,
    name: 'This computer',
    kind: 'local',
    baseUrl: manager.options.local.info.issuer,
    tlsVerify: true,
    pinnedSha256: null,
    hasCredential: true,
    createdAt: null,
    updatedAt: null,
  };
}

async function toDeployment(manager: DeploymentManager, profile: StoredProfile): Promise<Deployment> {
  const key = await manager.storedKey(profile.id).catch(() => undefined);
  return { ...profile, kind: 'remote', hasCredential: key !== undefined };
}

/** https without verification is accepted only with a pin: otherwise anything on the path could answer. */
function checkTrust(baseUrl: string, tlsVerify: boolean, pinnedSha256: string | null): void {
  if (baseUrl.startsWith('https:') && !tlsVerify && pinnedSha256 === null) {
    throw new WardenError('invalid_input', 'TLS verification can be turned off only with a pinned certificate fingerprint (fetch it and confirm it).');
  }
}

function refused(result: { ok: false; error: { code: WardenError['code']; message: string } }): WardenError {
  return new WardenError(result.error.code, result.error.message);
}

/** Asks the remote who the key is and what it serves; throws the remote's coded error otherwise. */
async function probe(client: RemoteAdminClient): Promise<Omit<DeploymentTest, 'certificate'> & { info: Awaited<ReturnType<RemoteAdminClient['info']>> & { ok: true } }> {
  const info = await client.info();
  if (!info.ok) throw refused(info);
  const me = await client.call('getSignedInAdmin', {});
  if (!me.ok) throw refused(me);
  const value = me.value as { actor?: unknown; role?: unknown };
  if (typeof value.actor !== 'string' || typeof value.role !== 'string' || !signedInSchemaRole.has(value.role)) {
    throw new WardenError('deployment_unreachable', `${client.baseUrl} answered getSignedInAdmin in a form this version does not read.`);
  }
  return { issuer: info.value.issuer, version: info.value.version ?? null, actor: value.actor, role: value.role as DeploymentTest['role'], info };
}

export function deploymentHandlers(manager: DeploymentManager): LocalOnlyHandlers {
  const { profiles, local } = manager.options;

  return {
    async listDeployments(_input, who) {
      const saved = await profiles.list();
      const deployments = [localDeployment(manager), ...(await Promise.all(saved.map((profile) => toDeployment(manager, profile))))];
      return { deployments, currentId: manager.target(who)?.profileId ?? LOCAL_DEPLOYMENT_ID, credentialStore: manager.options.credentials.kind };
    },

    async currentDeployment(_input, who) {
      const target = manager.target(who);
      const profile = target ? await profiles.get(target.profileId) : undefined;
      return manager.currentOf(who, localDeployment(manager), profile ? await toDeployment(manager, profile) : undefined);
    },

    async saveDeployment(input, who) {
      if (input.id === LOCAL_DEPLOYMENT_ID) throw new WardenError('invalid_input', '"This computer" is not a saved profile and cannot be edited.');
      const existing = input.id === undefined ? undefined : await profiles.get(input.id);
      if (input.id !== undefined && !existing) throw new WardenError('not_found', `No deployment profile ${input.id}.`);
      if (!existing && input.apiKey === undefined) throw new WardenError('invalid_input', 'A new deployment needs its admin API key (createAdminKey on that deployment).');
      const tlsVerify = input.tlsVerify ?? existing?.tlsVerify ?? true;
      const pinnedSha256 = input.pinnedSha256 !== undefined ? input.pinnedSha256 : (existing?.pinnedSha256 ?? null);
      checkTrust(input.baseUrl, tlsVerify, pinnedSha256);
      const fields = { name: input.name, baseUrl: input.baseUrl, tlsVerify, pinnedSha256 };
      let saved: StoredProfile;
      if (existing) {
        if (input.apiKey !== undefined) await manager.storeKey(existing.id, input.apiKey);
        saved = await profiles.save(existing.id, fields);
        // Its URL, trust or key may have changed: who managed it starts again from this computer.
        manager.resetProfile(saved.id);
      } else {
        saved = await profiles.save(undefined, fields);
        try {
          await manager.storeKey(saved.id, input.apiKey!);
        } catch (error) {
          // No profile without its key: the keychain refused, so the profile goes again.
          await profiles.remove(saved.id).catch(() => undefined);
          throw error;
        }
      }
      await local.record('deployment.saved', who.actor, { deploymentId: saved.id, name: saved.name, baseUrl: saved.baseUrl, created: !existing, pinned: saved.pinnedSha256 !== null, tlsVerify: saved.tlsVerify });
      return toDeployment(manager, saved);
    },

    async removeDeployment(input, who) {
      if (input.id === LOCAL_DEPLOYMENT_ID) throw new WardenError('invalid_input', '"This computer" is always there and cannot be removed.');
      const removed = await profiles.remove(input.id);
      manager.resetProfile(removed.id);
      await manager.storeKey(removed.id, null).catch(() => undefined);
      await local.record('deployment.removed', who.actor, { deploymentId: removed.id, name: removed.name, baseUrl: removed.baseUrl });
      return { removed: true as const };
    },

    async testDeployment(input) {
      const saved = input.id === undefined ? undefined : await profiles.get(input.id);
      if (input.id !== undefined && !saved) throw new WardenError('not_found', `No deployment profile ${input.id}.`);
      const apiKey = input.apiKey ?? (saved ? await manager.storedKey(saved.id) : undefined);
      if (apiKey === undefined) throw new WardenError('invalid_input', 'Enter the deployment\'s admin API key to test it.');
      const tlsVerify = input.tlsVerify ?? saved?.tlsVerify ?? true;
      const pinnedSha256 = input.pinnedSha256 !== undefined ? input.pinnedSha256 : (saved?.pinnedSha256 ?? null);
      checkTrust(input.baseUrl, tlsVerify, pinnedSha256);
      const client = new RemoteAdminClient({ baseUrl: input.baseUrl, tlsVerify, pinnedSha256, apiKey }, manager.options.timeoutMs);
      const { issuer, version, actor, role } = await probe(client);
      const certificate = input.baseUrl.startsWith('https:') ? await fetchCertificate(input.baseUrl, manager.options.timeoutMs).catch(() => null) : null;
      return { issuer, version, actor, role, certificate };
    },

    async fetchDeploymentCertificate(input) {
      return fetchCertificate(input.baseUrl, manager.options.timeoutMs);
    },

    async switchDeployment(input, who) {
      if (input.id === LOCAL_DEPLOYMENT_ID) {
        manager.setTarget(who, undefined);
      } else {
        const profile = await profiles.get(input.id);
        if (!profile) throw new WardenError('not_found', `No deployment profile ${input.id}.`);
        // It must answer, with a key it accepts, before this console points at it.
        const { issuer, actor, role, info } = await probe(await manager.client(profile.id));
        manager.setTarget(who, { profileId: profile.id, actor, role, issuer, info: info.value });
      }
      await local.record('deployment.switched', who.actor, { deploymentId: input.id });
      const target = manager.target(who);
      const profile = target ? await profiles.get(target.profileId) : undefined;
      return manager.currentOf(who, localDeployment(manager), profile ? await toDeployment(manager, profile) : undefined);
    },
  };
}
