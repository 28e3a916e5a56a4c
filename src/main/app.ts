/**
 * Starting and stopping Token Warden as a service: data directory, store, key vault, engine, admin token
 * and the loopback token service. Used by the headless entry point (`npm run serve`), the desktop main
 * process and the tests.
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BridgeInfo } from '../shared/bridge';
import { WardenError } from '../shared/errors';
import { systemClock, type Clock } from './engine/clock';
import { DEFAULT_DRAIN_TIMEOUT_S, isLoopbackHost, type WardenConfig } from './config';
import { startDemoWorld, type DemoWorld, DEFAULT_DEMO_DEVICES } from './demo/world';
import { createEngine, type Engine } from './engine/engine';
import type { ThrottleOptions } from './http/address-throttle';
import type { FeedLimits } from './http/feed-endpoint';
import { proxyTrust } from './http/trusted-proxies';
import { FrontDoor } from './ops/front-door';
import { drain } from './ops/drain';
import { faultLogger, type Logger } from './ops/logger';
import { ServiceMetrics, type PoolStats } from './ops/metrics';
import { createTokenService, defaultLogFault, type TokenService } from './http/service';
import { startBackchannelDelivery, type BackchannelDeliveryOptions } from './http/backchannel-delivery';
import { startFeedPresence } from './http/feed-presence';
import { openVault } from './keys/index';
import { checkSharedVault } from './keys/shared-vault';
import { loadMasterKey } from './keys/master-key';
import { openDataDir, removeEmptyDirs } from './data-dir';
import { chooseAddress, listenUrl, portToListenOn, readStoredAddress, storeAddress, storedPortInUse, urlHost, type ServiceAddress } from './service-address';
import { openStore } from './store/index';
import { openPgStore } from './store/pg/pg-store';
import type { Store } from './store/store';
import { openDeployments, type DeploymentManager } from './deployments/index';
import { TOKEN_WARDEN_VERSION } from './version';

/** The command-line configuration (see ./config) plus options only programs set. */
export interface WardenOptions extends WardenConfig {
  // Programmatic options (not command-line flags):
  /** `electron` when the desktop shell starts the service; shown by the console. */
  mode?: BridgeInfo['mode'];
  clock?: Clock;
  feedHeartbeatMs?: number;
  /** Caps and pacing of the revocation feed (default DEFAULT_FEED_LIMITS; docs/feed.md). */
  feedLimits?: Partial<FeedLimits>;
  addressThrottle?: ThrottleOptions;
  maintainIntervalMs?: number;
  /** Slow clients: the whole request (headers and body) must arrive within this (default 30 000 ms)… */
  requestTimeoutMs?: number;
  /** …and the headers within this (default 10 000 ms). Event streams are responses and are not affected. */
  headersTimeoutMs?: number;
  /** Warnings and notices (default: stderr). */
  warn?: (line: string) => void;
  /** Internal faults of the token service (default: the logger's error events, or stderr without one). */
  logFault?: (where: string, fault: unknown) => void;
  /** The structured log (./ops/logger): request events, faults, drain; none by default (the desktop, tests). */
  logger?: Logger;
  /** Back-channel logout delivery: POSTs in flight and each one's timeout (defaults 4 and 5 000 ms). */
  backchannel?: Pick<BackchannelDeliveryOptions, 'concurrency' | 'timeoutMs'>;
}

export interface RunningWarden {
  engine: Engine;
  /** The `iss` of every token and the base of every metadata URL: stored with the data (see ./service-address). */
  issuer: string;
  /** Where this process listens, e.g. `http://127.0.0.1:43117`; the issuer too unless --issuer names a proxy. */
  url: string;
  port: number;
  info: BridgeInfo;
  /** The browser console URL with a one-time login code, when a console directory is served. */
  consoleUrl: string | null;
  /** DIR/admin-token or `--admin-token-file` (in demo mode inside the temporary directory, deleted on close). */
  adminTokenPath: string;
  /** The transport: receipts from resource servers, feed subscribers, login codes. */
  service: TokenService;
  /** The deployments this console manages and the routing of its admin calls (./deployments). */
  deployments: DeploymentManager;
  /** Metrics of this service (GET /metrics), for programs that want them without HTTP. */
  metrics: ServiceMetrics;
  /**
   * Stops accepting requests, ends event streams, then closes the engine (and deletes a demo directory).
   * `drain: true` (SIGTERM) first lets requests in flight finish, at most `drainTimeoutMs` (default the
   * configured --drain-timeout), ending event streams with a retry hint (./ops/drain).
   */
  close(options?: { drain?: boolean }): Promise<void>;
}

export { defaultDataDir, isLoopbackHost, parseWardenArgs } from './config';

function invalid(message: string): WardenError {
  return new WardenError('invalid_input', message);
}

export { ensureAdminToken } from './data-dir';

/** Listens on `port` (0: a free one); `stored` is the install's address, to word a refusal of its own port. */
function listen(server: Server, port: number, host: string, stored: Partial<ServiceAddress>): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const detail = `${error.code ?? ''} ${error.message}`;
      let message = `Cannot listen on ${host}:${port}.`;
      if (error.code === 'EADDRINUSE') {
        if (stored.port === port) message = storedPortInUse(stored);
        else message = `Port ${port} is already in use; choose another with --port${stored.port === undefined ? ' (0 picks a free one)' : ''}.`;
      }
      reject(new WardenError('invalid_input', message, { detail }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would otherwise hold close() open until they time out.
    server.closeIdleConnections();
    setImmediate(() => server.closeAllConnections());
  });
}

/** Starts the engine and the token service. Rejects with a WardenError (e.g. keychain_unavailable) on failure. */
export async function startWarden(options: WardenOptions): Promise<RunningWarden> {
  const warn = options.warn ?? ((line: string) => console.error(line));
  const clock = options.clock ?? systemClock;
  const logFault = options.logFault ?? (options.logger ? faultLogger(options.logger) : defaultLogFault);
  if (!isLoopbackHost(options.host) && !options.allowRemote) {
    throw invalid(`Host ${options.host} is not a loopback address; allowRemote is required.`);
  }
  // The demo's devices and API call the issuer itself; a proxy's URL would send them elsewhere.
  if (options.demo && options.issuer !== undefined) throw invalid('Demo mode keeps its own loopback issuer; an issuer cannot be set.');
  const bindHost = options.host.toLowerCase() === 'localhost' ? '127.0.0.1' : options.host.replace(/^\[(.*)\]$/, '$1');

  // Before anything is created: a missing or malformed master key refuses the start with nothing to undo.
  const masterKey = options.keyStore === 'database' ? await loadMasterKey({ file: options.masterKeyFile, env: options.masterKey }, warn) : undefined;

  const cleanups: Array<() => Promise<void> | void> = [];
  const undo = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort while failing; the original error is reported.
      }
    }
  };
  try {
    let dataDir: string;
    if (options.demo && options.dataDir === null) {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'token-warden-demo-'));
      await chmod(dataDir, 0o700);
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    } else if (options.dataDir) {
      dataDir = path.resolve(options.dataDir);
      const created = await mkdir(dataDir, { recursive: true, mode: 0o700 });
      // A failed start removes the directories it made (run after the data directory's own discard, below),
      // each only if empty: never anything it did not create.
      if (created !== undefined) cleanups.push(() => removeEmptyDirs(dataDir, created));
    } else {
      throw invalid('A data directory is required (or demo mode).');
    }
    // One process per data directory; a used one is never taken for a new install (see ./data-dir).
    const dir = openDataDir(dataDir, { databaseElsewhere: options.database !== undefined });
    // On failure (the store is closed first: cleanups run in reverse) a fresh directory loses the warden.db
    // this start created, e.g. when the keychain is unavailable; a used one is only released.
    cleanups.push(() => dir.discard());

    // --database: PostgreSQL, which several instances may share (docs/postgres.md, Several instances).
    const store: Store = options.database
      ? await openPgStore({ url: options.database.reveal(), onBackgroundError: (message) => logFault('store', new Error(message)) })
      : openStore(dir.databasePath);
    let storeOwnedByEngine = false;
    cleanups.push(async () => {
      if (!storeOwnedByEngine) await store.close();
    });
    // The port and issuer this install keeps (none yet on a new install), and whether it has keys already.
    const stored = await readStoredAddress(store);
    const hadKeys = (await store.listKeys()).length > 0;

    const requestTimeout = options.requestTimeoutMs ?? 30_000;
    const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
    const server = createServer({
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: 5_000,
      // How often Node checks the two timeouts above; the default (30 s) would let a slow client linger.
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
    });
    // Answers from the moment the port opens: the probes, 503 while starting, then the service (./ops/front-door).
    const metrics = new ServiceMetrics();
    let keysLoaded = (): boolean => false;
    const door = new FrontDoor({
      metrics,
      ...(options.trustProxy !== undefined ? { trust: proxyTrust(options.trustProxy) } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      readiness: { store: () => store, keysLoaded: () => keysLoaded() },
      warn,
    });
    server.on('request', door.handle);
    cleanups.push(() => closeServer(server));
    const port = await listen(server, portToListenOn(options.port, stored), bindHost, stored);
    if (!isLoopbackHost(options.host)) {
      warn(`Warning: Token Warden is listening on ${options.host}:${port} and is reachable from other machines (--allow-remote).`);
    }
    const address = chooseAddress({ requestedIssuer: options.issuer, requestedPort: options.port, host: options.host, port, stored });
    const { issuer } = address;
    const url = listenUrl(options.host, port);
    if (options.trustProxy && !address.explicit) {
      warn(`Warning: --trust-proxy without --issuer: the issuer is ${issuer}; clients that come through the proxy need --issuer set to its public URL.`);
    }
    // With CIDRs only those peers are believed; the bare switch believes whoever connects.
    if (options.trustProxy === true && !isLoopbackHost(options.host)) {
      warn(`Warning: --trust-proxy on ${options.host}: anything that reaches port ${port} without the proxy can choose its X-Forwarded-For; let only the proxy reach it.`);
    }
    if (address.explicit && issuer.startsWith('http:') && !isLoopbackHost(new URL(issuer).hostname)) {
      warn(`Warning: the issuer ${issuer} is not https: tokens and client secrets would cross the network in clear text.`);
    }

    // `database`: a wrong master key is refused here, before the engine reads (or replaces) any key.
    const vault = await openVault(options.keyStore, store.instanceId(), masterKey && { store, masterKey: masterKey.key, now: () => clock.now(), keyOrigin: masterKey.origin });
    // A database other instances share needs their one vault: refused before the engine would replace their keys.
    const vaultWarning = await checkSharedVault(store, vault);
    if (vaultWarning) warn(vaultWarning);
    // Faults that must not interrupt a request (listener errors, a failed batch of feed-receipt audits,
    // vault cleanup) go where the service's other faults go.
    const engine = await createEngine({
      store,
      vault,
      clock,
      issuer,
      onError: (error) => logFault('engine', error),
      ...(options.signingAlg ? { initialSigningAlg: options.signingAlg } : {}),
    });
    storeOwnedByEngine = true;
    cleanups.push(() => engine.close());
    // The algorithm of access tokens (other keys may sign clients' ID tokens).
    const signsWith = engine.ctx.settings.signingAlg;
    if (options.signingAlg && hadKeys && signsWith !== options.signingAlg) {
      // Not refused: a unit file that always passes the flag must keep starting after an admin switched to another alg.
      const alg = options.signingAlg;
      warn(`Notice: --signing-alg ${alg} is ignored: it chooses a new install's first key, and this install signs access tokens with ${signsWith}. To switch, set the signing algorithm to ${alg} (updateSettings {"signingAlg":"${alg}"}, or Settings in the console).`);
    }
    const adminToken = await dir.ensureAdminToken(store, warn, options.adminTokenFile);
    // Stored once everything else has started: a start that fails leaves the install's address as it was
    // (and does not announce a change it did not make).
    await storeAddress(store, address);
    address.notices.forEach((line) => warn(line));

    const info: BridgeInfo = { mode: options.mode ?? 'browser', issuer, keyStore: vault.kind, demo: options.demo, dataDir: options.demo ? null : dataDir, ...(TOKEN_WARDEN_VERSION ? { version: TOKEN_WARDEN_VERSION } : {}) };
    const deployments = openDeployments({
      dataDir,
      keyStore: vault.kind,
      instanceId: store.instanceId(),
      clock,
      local: {
        handlers: engine.admin,
        info,
        onEvent: (listener) => engine.onEvent(listener),
        record: (type, actor, data) => engine.ctx.run((tx) => tx.emit({ type, actor, data })),
      },
    });
    const service = createTokenService({
      engine,
      clock,
      port,
      info,
      adminTokenHash: adminToken.hash,
      consoleDir: options.consoleDir,
      deployments,
      ...(options.feedHeartbeatMs !== undefined ? { feedHeartbeatMs: options.feedHeartbeatMs } : {}),
      ...(options.feedLimits ? { feedLimits: options.feedLimits } : {}),
      ...(options.addressThrottle ? { addressThrottle: options.addressThrottle } : {}),
      logFault,
      extraAdminHosts: isLoopbackHost(options.host) || options.host === '0.0.0.0' || options.host === '::' ? [] : [urlHost(options.host)],
    });
    // Only with --trust-proxy is X-Forwarded-For read at all (the front door applies it; ./http/client-address).
    door.attach(service, issuer);
    const signer = engine.ctx.keys;
    keysLoaded = () => {
      const kid = signer.activeKid();
      return kid !== undefined && signer.hasPrivate(kid);
    };
    dir.announce(url);
    // The receipt is the deployment's: subscribers of every instance (presence rows on PostgreSQL), and every
    // instance's audited acknowledgements kept here too (heard: not audited again). Registered before any
    // console listens, so a console refetching on `feed.acknowledged` finds it (./http/feed-presence).
    const presence = startFeedPresence({ store: store.coordination.feedPresence, local: () => service.subscribers(), logFault });
    cleanups.push(() => presence.stop());
    engine.attachFeed({ receiptsFor: (id) => service.receipts.receiptsFor(id), subscribers: () => presence.subscribers() });
    cleanups.push(engine.onEvent((event) => service.receipts.heard(event)));
    // Queued and audited in batches by the engine; a failure reaches logFault through the engine's onError.
    const stopAudit = service.receipts.onReceipt((feedEventId, receipt) =>
      engine.recordFeedAck(receipt.clientId, feedEventId, receipt.appliedAt, receipt.receivedAt),
    );
    cleanups.push(stopAudit);

    // Back-channel logout tokens: delivered from the outbox, off the request path (./http/backchannel-delivery).
    const backchannel = startBackchannelDelivery(engine, { logFault, ...options.backchannel });
    cleanups.push(() => backchannel.stop());

    metrics.attach({
      feedSubscribers: () => service.subscribers().length,
      backchannelPending: () => store.backchannelOutbox.pendingCount?.(),
      // A pooled store (PostgreSQL) may report its pool; SQLite has none.
      poolStats: () => (store as { poolStats?: () => PoolStats | undefined }).poolStats?.(),
    });
    engine.observeRefreshBatches((size) => metrics.observeRefreshBatch(size));
    // This instance's deliveries only: metrics are per instance.
    const stopCounting = engine.onLocalEvent((event) => {
      if (event.type === 'backchannel_logout.delivered') metrics.observeBackchannelAttempt('delivered');
      else if (event.type === 'backchannel_logout.failed') metrics.observeBackchannelAttempt(event.data.final === true ? 'gave_up' : 'failed');
    });
    cleanups.push(stopCounting);

    const maintainEvery = options.maintainIntervalMs ?? 60_000;
    const maintenance = setInterval(() => {
      // Once per interval for the whole deployment, whichever instance comes first (Engine.maintain).
      engine.maintain({ everyMs: maintainEvery }).catch((error: unknown) => logFault('maintenance', error));
    }, maintainEvery);
    maintenance.unref();

    let demoWorld: DemoWorld | undefined;
    if (options.demo) {
      demoWorld = await startDemoWorld({ engine, issuer, deviceCount: options.demoClients ?? DEFAULT_DEMO_DEVICES });
      const world = demoWorld;
      cleanups.push(() => world.stop());
      engine.attachDemo(world.control);
    }

    const consoleUrl = options.consoleDir ? `${issuer}/?code=${service.createLoginCode()}` : null;
    let closing: Promise<void> | undefined;
    return {
      engine,
      issuer,
      url,
      port,
      info,
      consoleUrl,
      adminTokenPath: adminToken.path,
      service,
      deployments,
      metrics,
      close(closeOptions = {}) {
        closing ??= (async () => {
          clearInterval(maintenance);
          // The demo's devices and API are clients of the service: they stop before it does.
          engine.attachDemo(undefined);
          await demoWorld?.stop();
          // Requests in flight finish first (bounded), event streams end with a retry hint (./ops/drain).
          if (closeOptions.drain) await drain({ door, server, service, ...(options.logger ? { logger: options.logger } : {}) }, options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_S * 1000);
          // Order matters: no request may reach the engine after its store is closed.
          service.close();
          await closeServer(server);
          await backchannel.stop();
          await presence.stop();
          await engine.close();
          dir.release();
          if (options.demo && options.dataDir === null) await rm(dataDir, { recursive: true, force: true });
        })();
        return closing;
      },
    };
  } catch (error) {
    await undo();
    throw error;
  }
}
