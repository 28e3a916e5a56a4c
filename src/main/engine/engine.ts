/**
 * The token engine: one object that owns the rules. Transports call it; it calls the store and the key
 * vault; it never reads the wall clock (the clock is injected) and never writes an audit entry by hand
 * (domain events do, see ./context.ts). Each rule lives in a small module named for its verb.
 */
import type { DemoControl } from '../../shared/demo';
import { WardenError } from '../../shared/errors';
import type { LiveEvent } from '../../shared/events';
import type { SigningAlg } from '../../shared/dto';
import type { Verdict } from '../../shared/verdict';
import type { KeyVault } from '../keys/vault';
import type { ClientRow, RevocationRow, Store } from '../store/store';
import * as actions from './admin-actions';
import * as auditAlerts from './audit-alerts';
import * as auditSearch from './audit-search';
import { listBackchannelDeliveries } from './backchannel';
import { createEndSession, type EndSession } from './end-session';
import * as clients from './clients';
import * as clientAdmin from './client-admin';
import { authenticateClientSecret, liveClient } from './client-state';
import type { Clock } from './clock';
import { EngineContext, type Tx } from './context';
import { ON_FORBIDDEN, type AdminHandlers } from './dispatch';
import * as admins from './admin-handlers';
import { createAdminAccess, ENDED_ADMIN_SESSION_RETENTION_MS, type AdminAccess } from './admin-access';
import { inspectToken, introspect } from './inspect';
import { createFrontChannel, type FrontChannel } from './front-channel';
import { retireDueKeys } from './key-lifecycle';
import { ensureSigningKeys, watchClientAlgorithms } from './key-startup';
import { followChanges } from './cache-sync';
import { KeyRing } from './key-ring';
import { login } from './login';
import * as queries from './queries';
import { previewBlastRadius } from './blast-radius';
import * as userAdmin from './user-admin';
import * as userQueries from './user-queries';
import * as sessionActions from './session-actions';
import { searchSessions } from './session-queries';
import { refreshUnit, type Outcome } from './refresh';
import { revokeSession } from './revoke';
import { loadSettings } from './settings';
import type { CodeExchangeRequest, FeedSource, IntrospectionResponse, LoginRequest, PublicJwk, RefreshRequest, TokenEngine, TokenSet, UserinfoResult } from './types';
import { verifyDetailed } from './verify';
import { refreshTokenKey, signed } from './issue';
import { TurnBatch } from './turn-batch';
import { exchangeAuthorizationCode, purgeAuthorizationCodes } from './authorization-codes';
import { withRefreshIdToken } from './id-token';
import { userinfo } from './userinfo';

export interface EngineOptions {
  store: Store;
  vault: KeyVault;
  clock: Clock;
  /** The service's base URL: the `iss` of every token. */
  issuer: string;
  /** Where faults that must not interrupt a request go (listener errors, vault cleanup failures). */
  onError?: (error: unknown) => void;
  /** The algorithm of a new install's first key (`--signing-alg`); ignored once keys exist. Default: the settings' default. */
  initialSigningAlg?: SigningAlg;
}

/** Failures on an unknown username (sign-in.ts) are forgotten after a day without one (memory: the 10,000 stalest). */
const UNKNOWN_NAME_RETENTION_MS = 24 * 3600 * 1000;
/** How long access-token records are kept after they expire, for inspection and the session timeline. */
const ACCESS_TOKEN_RETENTION_MS = 24 * 3600 * 1000;

interface PendingRefresh {
  request: RefreshRequest;
  resolve: (tokens: TokenSet) => void;
  reject: (error: unknown) => void;
}

interface FeedAck {
  clientId: string;
  feedEventId: number;
  appliedAt: number;
  receivedAt: number;
}

export class Engine implements TokenEngine {
  readonly admin: AdminHandlers;
  readonly adminAccess: AdminAccess;
  readonly frontChannel: FrontChannel;
  readonly endSession: EndSession;
  private feed: FeedSource | undefined;
  private demo: DemoControl | undefined;
  private readonly refreshes = new TurnBatch<PendingRefresh>((queue) => this.flushRefreshes(queue));
  private readonly feedAcks = new TurnBatch<FeedAck>((acks) => this.flushFeedAcks(acks));
  /** The operations layer's metrics: each refresh batch's size (group commit). */
  private refreshBatchObserver: ((size: number) => void) | undefined;

  private constructor(
    readonly ctx: EngineContext,
    private readonly onError: (error: unknown) => void,
  ) {
    const describe = (kid: string) => queries.describeKey(ctx, kid);
    this.frontChannel = createFrontChannel(ctx);
    this.endSession = createEndSession(ctx);
    this.admin = {
      createUser: (input, who) => actions.createUser(ctx, input, who),
      listUsers: (input) => userQueries.listUsers(ctx, input),
      getUser: (input) => userQueries.getUser(ctx, input),
      updateUser: (input, who) => userAdmin.updateUser(ctx, input, who),
      setUserPassword: (input, who) => userAdmin.setUserPassword(ctx, input, who),
      unlockUser: (input, who) => userAdmin.unlockUser(ctx, input, who),
      deleteUser: (input, who) => userAdmin.deleteUser(ctx, input, who),
      listSessions: (input) => queries.listSessions(ctx, input),
      searchSessions: (input) => searchSessions(ctx, input),
      revokeSessions: (input, who) => sessionActions.revokeSessions(ctx, input, who),
      signOutEveryone: (input, who) => sessionActions.signOutEveryone(ctx, input, who),
      listSessionTokens: (input) => queries.listSessionTokens(ctx, input),
      previewBlastRadius: (input) => previewBlastRadius(ctx, input),
      revokeSession: (input, who) => actions.revokeSessionAction(ctx, input, who),
      forceLogout: (input, who) => actions.forceLogout(ctx, input, who),
      bumpRefreshVersion: (input, who) => actions.bumpRefreshVersion(ctx, input, who),
      blockUser: (input, who) => actions.blockUser(ctx, input, who),
      unblockUser: (input, who) => actions.unblockUser(ctx, input, who),
      revokeAccessToken: (input, who) => actions.revokeAccessToken(ctx, input, who),
      inspectToken: (input) => inspectToken(ctx, input),
      listFeedReceipts: async (input) => ({ receipts: this.feed?.receiptsFor(input.feedEventId) ?? [], subscribers: (await this.feed?.subscribers()) ?? [] }),
      listBackchannelDeliveries: (input) => listBackchannelDeliveries(ctx, input),
      listKeys: () => queries.listKeys(ctx),
      rotateSigningKey: (input, who) => actions.rotateSigningKey(ctx, input, who, describe),
      revokeSigningKey: (input, who) => actions.revokeSigningKey(ctx, input, who),
      listClients: () => clients.listClients(ctx),
      createClient: (input, who) => clients.createClient(ctx, input, who),
      updateClient: (input, who) => clients.updateClient(ctx, input, who),
      getClient: (input) => clientAdmin.getClientDetail(ctx, input),
      setClientDisabled: (input, who) => clientAdmin.setClientDisabled(ctx, input, who),
      deleteClient: (input, who) => clientAdmin.deleteClient(ctx, input, who),
      rotateClientSecret: (input, who) => clientAdmin.rotateClientSecret(ctx, input, who),
      listAudit: (input) => auditSearch.listAudit(ctx, input),
      getAuditEntry: (input) => auditSearch.getAuditEntry(ctx, input),
      listReuseAlerts: (input) => auditAlerts.listReuseAlerts(ctx, input),
      acknowledgeReuseAlert: (input, who) => auditAlerts.acknowledgeReuseAlert(ctx, input, who),
      verifyAuditChain: () => queries.verifyAuditChain(ctx),
      getStats: () => queries.getStats(ctx),
      getSettings: async () => ctx.settings,
      updateSettings: (input, who) => actions.updateSettings(ctx, input, who),
      getDemoState: async () => this.demoControl().getState(),
      setDemoPaused: async (input) => this.demoControl().setPaused(input.paused),
      stealRefreshToken: (input) => this.demoControl().stealRefreshToken(input.deviceId),
      ...admins.adminHandlers(ctx),
      [ON_FORBIDDEN]: async (who, method, needed) => {
        await admins.recordForbidden(ctx, who, method, needed);
      },
    };
    this.adminAccess = createAdminAccess(ctx);
  }

  /**
   * Opens the engine on a store and vault. It always leaves a key that signs and a next key published in the
   * JWKS for every algorithm in use (access tokens, clients' ID tokens): a new install creates both, an
   * upgraded one publishes its next key, a lost one is replaced. Later client changes are followed.
   */
  static async open(options: EngineOptions): Promise<Engine> {
    const onError = options.onError ?? ((error: unknown) => console.error('[token-warden]', error));
    const ctx = await EngineContext.open(options.store, options.clock, await KeyRing.open(options.store, options.vault), options.vault, options.issuer, await loadSettings(options.store), onError);
    const engine = new Engine(ctx, onError);
    await ensureSigningKeys(ctx, options.initialSigningAlg);
    watchClientAlgorithms(ctx, onError);
    followChanges(ctx, onError);
    await engine.maintain();
    return engine;
  }

  /** The transport attaches what it knows of feed subscribers and their receipts. */
  attachFeed(source: FeedSource): void {
    this.feed = source;
  }

  /** Demo mode attaches its simulated world (devices, demo API, attacker); detach with undefined. */
  attachDemo(control: DemoControl | undefined): void {
    this.demo = control;
  }

  private demoControl(): DemoControl {
    if (!this.demo) throw new WardenError('not_found', 'Demo mode is off: start Token Warden with --demo to simulate devices.');
    return this.demo;
  }

  /**
   * A resource server acknowledged that it applied a feed event: audited, so the proof outlives the
   * process and the console hears it live. One revocation brings one acknowledgement per subscribed
   * server, all at once: they are queued and committed together, like refreshes.
   */
  recordFeedAck(clientId: string, feedEventId: number, appliedAt: number, receivedAt: number): void {
    this.feedAcks.push({ clientId, feedEventId, appliedAt, receivedAt });
  }

  private async flushFeedAcks(acks: FeedAck[]): Promise<void> {
    const results = await this.ctx.runMany(acks.map((ack) => (tx: Tx) => this.auditFeedAck(tx, ack)));
    for (const result of results) if (!result.ok) this.onError(result.error);
  }

  private async auditFeedAck(tx: Tx, { clientId, feedEventId, appliedAt, receivedAt }: FeedAck): Promise<void> {
    const revocation = (await this.ctx.store.listRevocationsAfter(feedEventId - 1, 1))[0];
    const known = revocation?.id === feedEventId ? revocation : undefined;
    await tx.emit({
      type: 'feed.acknowledged',
      actor: `client:${clientId}`,
      userId: known?.userId ?? null,
      data: { clientId, feedEventId, appliedAt, receivedAt, latencyMs: receivedAt - (known?.createdAt ?? receivedAt) },
    });
  }

  get issuer(): string {
    return this.ctx.issuer;
  }

  get store(): Store {
    return this.ctx.store;
  }

  onEvent(listener: (event: LiveEvent) => void): () => void {
    return this.ctx.deployment.onEvent(listener);
  }

  get sharedStore(): boolean {
    return this.ctx.store.changes.shared;
  }

  onLocalEvent(listener: (event: LiveEvent) => void): () => void {
    return this.ctx.onEvent(listener);
  }

  onRevocation(listener: (row: RevocationRow) => void): () => void {
    return this.ctx.onRevocation(listener);
  }

  onRevocationsChanged(listener: () => void): () => void {
    return this.ctx.deployment.onRevocationsChanged(listener);
  }

  onKeysRefreshed(listener: () => void): () => void {
    return this.ctx.keys.onRefreshed(listener);
  }

  login(request: LoginRequest): Promise<TokenSet> {
    return login(this.ctx, request);
  }

  /**
   * Refreshes are coalesced: every refresh that arrives in the same event-loop turn is committed in one
   * transaction (see EngineContext.runMany), and each promise settles only after that commit. Access tokens
   * are signed after the commit, so the write transaction is never held open for a signature.
   */
  refresh(request: RefreshRequest): Promise<TokenSet> {
    return new Promise((resolve, reject) => this.refreshes.push({ request, resolve, reject }));
  }

  /** Observes the size of every refresh batch (one transaction each); undefined stops it. */
  observeRefreshBatches(observer: ((size: number) => void) | undefined): void {
    this.refreshBatchObserver = observer;
  }

  private async flushRefreshes(queue: PendingRefresh[]): Promise<void> {
    this.refreshBatchObserver?.(queue.length);
    let results: ({ ok: true; value: Outcome } | { ok: false; error: unknown })[];
    try {
      results = await this.ctx.runMany(queue.map(({ request }) => (tx) => refreshUnit(this.ctx, tx, request)));
    } catch (error) {
      // The batch's commit itself failed: nothing was rotated, every caller hears it.
      for (const item of queue) item.reject(error);
      return;
    }
    // Answered after the commit; an openid session's ID token reads its grant first (each on its own).
    await Promise.all(results.map(async (result, index) => {
      const item = queue[index]!;
      if (!result.ok) item.reject(result.error);
      else if ('failed' in result.value) item.reject(result.value.failed);
      else {
        try {
          // OIDC Core §12.2: an openid session's refresh brings a new ID token (see withRefreshIdToken).
          item.resolve(await withRefreshIdToken(this.ctx, signed(result.value.tokens), this.onError));
        } catch (error) {
          item.reject(error);
        }
      }
    }));
  }

  exchangeCode(request: CodeExchangeRequest): Promise<TokenSet> {
    return exchangeAuthorizationCode(this.ctx, request);
  }

  async userinfo(accessToken: unknown): Promise<UserinfoResult> {
    return userinfo(this.ctx, accessToken);
  }

  async verifyAccessToken(jwt: unknown): Promise<Verdict> {
    return (await verifyDetailed(this.ctx, jwt)).verdict;
  }

  async introspect(token: string): Promise<IntrospectionResponse> {
    return introspect(this.ctx, token);
  }

  /**
   * RFC 7009 §2.1: a token issued to another client is refused (`unauthorized_client`), as the RFC asks the
   * server to verify and inform the client; unknown, invalid, expired or already-purged tokens are ignored
   * (§2.2: the client cannot act on it). `clientId` null is the owner itself (no client check).
   */
  async revokeToken(token: string, clientId: string | null): Promise<void> {
    const ctx = this.ctx;
    const actor = clientId ? `client:${clientId}` : 'user';
    const foreign = () => new WardenError('unauthorized_client', 'The token was not issued to this client.');
    if (typeof token !== 'string') return;
    const key = refreshTokenKey(token);
    if (key !== undefined) {
      const row = await ctx.store.getRefreshToken(key);
      if (!row) return;
      if (clientId !== null && row.clientId !== clientId) throw foreign();
      // RFC 7009 §2.1: revoking a refresh token also ends the access tokens of the same grant (the session).
      await ctx.run(async (tx) => {
        const session = await ctx.store.getSession(row.sessionId);
        if (session) await revokeSession(ctx, tx, session, actor, 'revoked by the client', 'logout', true);
      });
      return;
    }
    const { decoded, signatureValid } = await verifyDetailed(ctx, token);
    const jti = decoded?.payload.jti;
    const owner = decoded?.payload.client_id;
    // Only a token whose signature is ours can name its client; anything else is just an invalid token.
    if (!signatureValid || typeof jti !== 'string' || !await ctx.store.getAccessToken(jti)) return;
    if (clientId !== null && owner !== clientId) throw foreign();
    await actions.revokeAccessToken(ctx, { jti, reason: 'revoked by the client' }, { actor });
  }

  async authenticateClient(clientId: string, secret: string): Promise<ClientRow> {
    return authenticateClientSecret(this.ctx, clientId, secret);
  }

  /** Disabled clients included (callers refuse them with their own words); deleted ones are unknown. */
  async getClient(clientId: string): Promise<ClientRow | undefined> {
    return liveClient(this.ctx, clientId);
  }

  /**
   * The published keys. A retiring key verifies nothing from its retiresAt on (verify.ts), so it leaves the
   * set at that instant too, not at the next maintenance pass: stock verifiers that refetch stop with us.
   */
  jwks(): { keys: PublicJwk[] } {
    const now = this.ctx.now();
    return {
      keys: this.ctx.keys.publicJwks().filter((jwk) => {
        const row = this.ctx.keys.get(jwk.kid)?.row;
        return !(row?.status === 'retiring' && row.retiresAt !== null && row.retiresAt <= now);
      }),
    };
  }

  retiringKeys(): Array<{ kid: string; retiresAt: number }> {
    // From the key ring, which mirrors committed state only.
    return this.ctx.keys.publicJwks().flatMap((jwk) => {
      const row = this.ctx.keys.get(jwk.kid)?.row;
      return row?.status === 'retiring' && row.retiresAt !== null ? [{ kid: row.kid, retiresAt: row.retiresAt }] : [];
    });
  }

  signSecurityEvent(claims: Record<string, unknown>): string {
    return this.ctx.keys.sign({ typ: 'secevent+jwt' }, claims).token;
  }

  async revocationsAfter(afterId: number, limit: number): Promise<RevocationRow[]> {
    return this.ctx.store.listRevocationsAfter(afterId, limit);
  }

  /**
   * Retires keys whose grace period is over and purges revocation state nobody can need any more. With
   * `everyMs` (the service's timer), a pass runs only when no instance on the database has run one for that
   * long (by the database's clock; SQLite: always), so the deployment maintains once per period, not once per
   * instance; a key retirement is written once even when two passes meet (retireDueKeys).
   */
  async maintain(options: { everyMs?: number } = {}): Promise<void> {
    const ctx = this.ctx;
    // A little early is fine: a timer firing a few ms before its period must not skip a whole one.
    if (!(await ctx.store.coordination.claimRun('maintain', Math.floor((options.everyMs ?? 0) * 0.9)))) return;
    const now = ctx.now();
    await retireDueKeys(ctx);
    const skewMs = ctx.settings.clockSkewSeconds * 1000;
    await ctx.store.transaction(async () => {
      await ctx.store.purgeRevocations(now - skewMs);
      await ctx.store.purgeAccessTokens(now - ACCESS_TOKEN_RETENTION_MS);
      await purgeAuthorizationCodes(ctx, now);
      await ctx.store.admins.purgeSessions(now - ENDED_ADMIN_SESSION_RETENTION_MS);
    });
    await ctx.store.coordination.attemptLeases?.purgeExpired();
    await ctx.store.coordination.unknownNames?.purge(now - UNKNOWN_NAME_RETENTION_MS);
  }

  async close(): Promise<void> {
    // Acknowledgements still queued are proof worth keeping: commit them before the store goes.
    await this.feedAcks.drain();
    await this.refreshes.drain();
    this.ctx.keys.close();
    this.ctx.deployment.close();
    await this.ctx.store.close();
  }
}

export function createEngine(options: EngineOptions): Promise<Engine> {
  return Engine.open(options);
}
