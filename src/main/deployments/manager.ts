/**
 * The deployment a console manages, and the routing of its admin calls.
 *
 * Each caller (the desktop window; in the headless console host each console session, or a bearer caller's
 * actor) has its own "current deployment", "This computer" unless it switched. A call is answered here when
 * its method is local-only (the profiles themselves, marked `local` in the contract) or the caller manages this
 * computer; otherwise it goes to the remote's admin API with the profile's stored key, and the remote checks
 * the role of that key's admin and audits the action as that admin. The live event stream follows the same
 * choice. Switching (or a change to the profile in use) tells the transports, which end the caller's streams so
 * the console reconnects to the new target.
 */
import { adminApi, isAdminMethod, isLocalOnlyMethod, roleAllows, type AdminRole } from '../../shared/admin-api';
import type { BridgeInfo } from '../../shared/bridge';
import type { CurrentDeployment } from '../../shared/deployments';
import { WardenError, type Result } from '../../shared/errors';
import type { DomainEventType } from '../../shared/events';
import { dispatchAdmin, type ActorContext, type AdminHandlers } from '../engine/dispatch';
import type { CredentialVault } from './credentials';
import { deploymentHandlers } from './handlers';
import type { ProfileStore } from './profile-store';
import { RemoteAdminClient } from './remote-client';

export interface LocalDeployment {
  /** The engine's admin handlers (every method but the local-only ones). */
  handlers: AdminHandlers;
  info: BridgeInfo;
  onEvent(listener: (event: { seq: number | null }) => void): () => void;
  /** Audits a profile change here, with the caller as actor (awaited: the store boundary may answer later). */
  record(type: Extract<DomainEventType, `deployment.${string}`>, actor: string, data: Record<string, unknown>): void | Promise<void>;
}

/** A caller's remote target, as learnt when it switched. */
export interface RemoteTarget {
  profileId: string;
  actor: string;
  role: AdminRole;
  issuer: string;
  info: BridgeInfo & { version?: string };
}

/** Live events of the caller's deployment: parsed JSON and their SSE id. */
export interface EventSink {
  onEvent(event: unknown, id: string | null): void;
  /** The stream ended (the remote went away): not called after the unsubscribe function. */
  onEnd(): void;
}

export interface DeploymentManagerOptions {
  profiles: ProfileStore;
  credentials: CredentialVault;
  local: LocalDeployment;
  /** Per request to a remote, until its answer starts (default 10 s). */
  timeoutMs?: number;
}

export class DeploymentManager {
  readonly #targets = new Map<string, RemoteTarget>();
  readonly #switchListeners = new Set<(callerKey: string) => void>();
  /** API keys read from the vault, by profile id (a keychain read per call would be a D-Bus round trip). */
  readonly #keys = new Map<string, string>();
  readonly handlers: AdminHandlers;

  constructor(readonly options: DeploymentManagerOptions) {
    this.handlers = { ...options.local.handlers, ...deploymentHandlers(this) };
  }

  /** Whose choice of deployment a call uses. */
  callerKey(who: ActorContext): string {
    return who.adminSessionId ? `session:${who.adminSessionId}` : who.actor;
  }

  /**
   * The caller's remote target, if it still may use it: the stored key is lent to callers who may switch
   * (owners). One demoted since, or now made to enroll TOTP first, is back on this computer.
   */
  target(who: ActorContext): RemoteTarget | undefined {
    const key = this.callerKey(who);
    const target = this.#targets.get(key);
    if (target && (who.mustEnrollTotp === true || !roleAllows(who.role, adminApi.switchDeployment.role))) {
      this.#targets.delete(key);
      this.#notify(key);
      return undefined;
    }
    return target;
  }

  /** Routes one admin call (see the file comment). Never rejects. */
  async call(method: unknown, input: unknown, who: ActorContext, report: (error: unknown) => void = () => {}): Promise<Result<unknown>> {
    const target = this.target(who);
    if (!target || !isAdminMethod(method) || isLocalOnlyMethod(method)) return dispatchAdmin(this.handlers, method, input, who, report);
    try {
      return await (await this.client(target.profileId)).call(method, input);
    } catch (error) {
      if (!(error instanceof WardenError)) report(error);
      const info = error instanceof WardenError ? { code: error.code, message: error.message } : { code: 'internal_error' as const, message: 'An internal error occurred.' };
      return { ok: false, error: info };
    }
  }

  /** The header facts of the caller's deployment (the mode stays this console's own). */
  info(who: ActorContext): BridgeInfo {
    const target = this.target(who);
    const local = this.options.local.info;
    if (!target) return { ...local };
    const { version, ...info } = target.info;
    return { ...info, mode: local.mode, ...(version !== undefined ? { version } : {}) };
  }

  /** Subscribes to the caller's deployment's live events. Rejects (deployment_unreachable…) if it cannot. */
  async subscribe(who: ActorContext, sink: EventSink): Promise<() => void> {
    const target = this.target(who);
    if (!target) return this.options.local.onEvent((event) => sink.onEvent(event, event.seq === null ? null : String(event.seq)));
    const client = await this.client(target.profileId);
    const stream = await client.events((data, id) => {
      let event: unknown;
      try {
        event = JSON.parse(data);
      } catch {
        return;
      }
      sink.onEvent(event, id);
    }, () => sink.onEnd());
    return () => stream.close();
  }

  /** Called with the caller key whenever that caller's deployment changes. */
  onSwitch(listener: (callerKey: string) => void): () => void {
    this.#switchListeners.add(listener);
    return () => this.#switchListeners.delete(listener);
  }

  // ---- used by ./handlers ----

  /** A client for a saved profile with its stored key; `conflict` when the key is not there (memory key store after a restart). */
  async client(profileId: string): Promise<RemoteAdminClient> {
    const profile = await this.options.profiles.get(profileId);
    if (!profile) throw new WardenError('not_found', `No deployment profile ${profileId}.`);
    const apiKey = await this.storedKey(profileId);
    if (apiKey === undefined) throw new WardenError('conflict', `No API key is stored for "${profile.name}": edit the profile and enter it again.`);
    return new RemoteAdminClient({ ...profile, apiKey }, this.options.timeoutMs);
  }

  async storedKey(profileId: string): Promise<string | undefined> {
    const cached = this.#keys.get(profileId);
    if (cached !== undefined) return cached;
    const key = await this.options.credentials.get(profileId);
    if (key !== undefined) this.#keys.set(profileId, key);
    return key;
  }

  async storeKey(profileId: string, apiKey: string | null): Promise<void> {
    this.#keys.delete(profileId);
    if (apiKey === null) await this.options.credentials.delete(profileId);
    else await this.options.credentials.put(profileId, apiKey);
  }

  setTarget(who: ActorContext, target: RemoteTarget | undefined): void {
    const key = this.callerKey(who);
    if (target) this.#targets.set(key, target);
    else this.#targets.delete(key);
    this.#notify(key);
  }

  /** Every caller managing `profileId` returns to this computer (its profile changed or went away). */
  resetProfile(profileId: string): void {
    for (const [key, target] of [...this.#targets]) {
      if (target.profileId !== profileId) continue;
      this.#targets.delete(key);
      this.#notify(key);
    }
  }

  currentOf(who: ActorContext, localDeployment: CurrentDeployment['deployment'], remote: CurrentDeployment['deployment'] | undefined): CurrentDeployment {
    const target = this.target(who);
    if (target && remote) return { deployment: remote, actor: target.actor, role: target.role, issuer: target.issuer };
    return { deployment: localDeployment, actor: who.actor, role: who.role, issuer: this.options.local.info.issuer };
  }

  #notify(key: string): void {
    for (const listener of [...this.#switchListeners]) {
      try {
        listener(key);
      } catch {
        // A transport's listener failing must not keep the others from hearing it.
      }
    }
  }
}
