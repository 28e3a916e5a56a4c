/**
 * The address an install keeps: its port and its issuer, chosen once and stored with the data (settings
 * `service_port`, `service_issuer`, `service_issuer_source`). Every token's `iss`, every verifier's
 * configuration and every metadata URL name the issuer, so it must not move by itself: a restart reuses the
 * stored port and issuer, and only an explicit flag (`--port N`, `--issuer URL`, `--host H`) changes them,
 * with a notice that says what it costs.
 */
import { WardenError } from '../shared/errors';
import { parseIssuer } from './config';
import type { Store } from './store/store';

const PORT_KEY = 'service_port';
const ISSUER_KEY = 'service_issuer';
/** `flag`: set with --issuer (kept as it is when the port or host changes); `listen`: made from host and port. */
const SOURCE_KEY = 'service_issuer_source';

export interface ServiceAddress {
  port: number;
  issuer: string;
  /** Set with --issuer (now or by an earlier start), rather than made from the host and port. */
  explicit: boolean;
}

/** What an earlier start stored; nothing on a new install (or one from before the address was stored). */
export async function readStoredAddress(store: Store): Promise<Partial<ServiceAddress>> {
  const portText = await store.getSetting(PORT_KEY);
  const issuerText = await store.getSetting(ISSUER_KEY);
  const source = await store.getSetting(SOURCE_KEY);
  const port = portText === undefined ? undefined : Number(portText);
  const issuer = issuerText === undefined ? undefined : parseIssuer(issuerText);
  // These rows are written only by storeAddress; anything else is damage, and guessing would move the issuer.
  if (
    (port !== undefined && !(/^\d{1,5}$/.test(portText!) && port >= 1 && port <= 65535)) ||
    (issuer !== undefined && issuer !== issuerText) ||
    (source !== undefined && source !== 'flag' && source !== 'listen')
  ) {
    throw new WardenError('storage_error', `The port and issuer stored in warden.db are damaged (${ISSUER_KEY} "${String(issuerText).slice(0, 80)}", ${PORT_KEY} "${String(portText).slice(0, 10)}").`);
  }
  return { ...(port !== undefined ? { port } : {}), ...(issuer !== undefined ? { issuer } : {}), explicit: source === 'flag' };
}

/** The port to listen on: the one asked for, else the stored one, else 0 (a free one, on a first start). */
export function portToListenOn(requested: number, stored: Partial<ServiceAddress>): number {
  return requested !== 0 ? requested : (stored.port ?? 0);
}

/** How a bind host appears in the issuer: wildcards as 127.0.0.1, IPv6 in brackets, names as typed (lower case). */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `http://HOST:PORT` in the canonical form --issuer values are stored in. */
export function listenUrl(host: string, port: number): string {
  return new URL(`http://${urlHost(host)}:${port}`).origin;
}

export interface AddressChoice extends ServiceAddress {
  /** One line each, for stderr: what changed since the last start, and what it costs. */
  notices: string[];
}

/**
 * This start's issuer. `--issuer` wins and is kept by later starts; otherwise a stored --issuer stays;
 * otherwise it is `http://HOST:PORT`. Any change from the stored issuer is announced: tokens issued under the
 * old one are refused from now on (`wrong_issuer`).
 */
export function chooseAddress(input: { requestedIssuer: string | undefined; requestedPort: number; host: string; port: number; stored: Partial<ServiceAddress> }): AddressChoice {
  const { requestedIssuer, requestedPort, host, port, stored } = input;
  const explicit = requestedIssuer !== undefined || stored.explicit === true;
  const issuer = requestedIssuer ?? (stored.explicit && stored.issuer ? stored.issuer : listenUrl(host, port));
  const notices: string[] = [];
  if (stored.issuer !== undefined && stored.issuer !== issuer) {
    const why = requestedIssuer !== undefined ? '--issuer' : stored.port !== undefined && stored.port !== port ? `--port ${requestedPort}` : `--host ${host}`;
    notices.push(
      `Notice: the issuer changes from ${stored.issuer} to ${issuer} (${why}). Tokens issued under the old issuer are refused from now on (wrong_issuer); update the resource servers and clients configured with it.`,
    );
  } else if (stored.port !== undefined && stored.port !== port) {
    notices.push(`Notice: the service moves from port ${stored.port} to ${port} (--port ${requestedPort}); the issuer stays ${issuer}.`);
  }
  return { port, issuer, explicit, notices };
}

/** Records this start's address, in one transaction, once the service has started on it. */
export async function storeAddress(store: Store, address: ServiceAddress): Promise<void> {
  await store.transaction(async () => {
    await store.putSetting(PORT_KEY, String(address.port));
    await store.putSetting(ISSUER_KEY, address.issuer);
    await store.putSetting(SOURCE_KEY, address.explicit ? 'flag' : 'listen');
  });
}

/** The message for a stored port that another process holds: never move the issuer silently. */
export function storedPortInUse(stored: Partial<ServiceAddress>): string {
  return (
    `Port ${stored.port} is already in use. This install keeps port ${stored.port} (issuer ${stored.issuer ?? 'unknown'}) so that its tokens and ` +
    `resource servers keep working: stop the process that holds it, or move the service with --port N` +
    (stored.explicit ? ' (the issuer stays, it was set with --issuer).' : ' (the issuer moves with it: tokens issued before are then refused).')
  );
}
