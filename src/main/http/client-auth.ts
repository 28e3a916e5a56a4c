/**
 * Client identification on the OAuth endpoints (RFC 6749 §2.3). Public clients send `client_id` in the form
 * (auth method `none`); confidential clients authenticate with HTTP Basic (`client_secret_basic`), whose
 * id and secret are form-urlencoded before base64 (RFC 6749 §2.3.1), or with `client_id` and `client_secret`
 * in the form (`client_secret_post`, which OpenID Connect libraries may default to). Using two methods at once
 * is refused (§2.3: a client MUST NOT).
 * A public client may also name itself with Basic and an empty secret (`Basic base64(client_id:)`), as
 * client libraries such as simple-oauth2 do by default: that identifies it, it does not authenticate it, and
 * an empty secret never authenticates a confidential client.
 */
import type { IncomingMessage } from 'node:http';
import { isWardenError } from '../../shared/errors';
import type { TokenEngine } from '../engine/types';
import type { FormParams } from './body';
import { HttpError } from './respond';

export const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="token-warden", charset="UTF-8"' };

export interface BasicCredentials {
  clientId: string;
  secret: string;
}

export interface IdentifiedClient {
  clientId: string;
  kind: 'public' | 'confidential';
  /** True when a secret was checked (client_secret_basic or client_secret_post). */
  authenticated: boolean;
}

function invalidClient(description: string): HttpError {
  // RFC 6749 §5.2: 401 with a challenge for the scheme the client should use.
  return new HttpError(401, 'invalid_client', description, BASIC_CHALLENGE);
}

/** Parses `Authorization: Basic …`; null when the header is absent or uses another scheme. Throws when malformed. */
export function parseBasicAuth(req: IncomingMessage): BasicCredentials | null {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)[ ]*$/i.exec(header);
  if (!match) {
    if (/^Basic\b/i.test(header)) throw invalidClient('Malformed Basic credentials.');
    return null;
  }
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw invalidClient('Malformed Basic credentials.');
  try {
    const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    // An empty secret is allowed here; identifyClient accepts it only from a public client.
    if (clientId === '') throw invalidClient('Malformed Basic credentials.');
    return { clientId, secret };
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw invalidClient('Malformed Basic credentials.');
  }
}

/** Checks a confidential client's secret through the engine (whichever method carried it); any failure is a 401 invalid_client. */
export async function authenticateBasic(engine: TokenEngine, credentials: BasicCredentials): Promise<IdentifiedClient> {
  try {
    const row = await engine.authenticateClient(credentials.clientId, credentials.secret);
    return { clientId: row.clientId, kind: row.kind, authenticated: true };
  } catch (error) {
    // The engine's two answers are both safe to pass on: "authentication failed", or "disabled" once the secret matched.
    if (isWardenError(error)) throw invalidClient(error.code === 'invalid_client' ? error.message : 'Client authentication failed.');
    throw error;
  }
}

/** The confidential client behind a request that must use client_secret_basic (introspection, the feed). */
export async function requireConfidentialClient(engine: TokenEngine, req: IncomingMessage): Promise<IdentifiedClient> {
  const credentials = parseBasicAuth(req);
  if (!credentials) throw invalidClient('This endpoint requires client_secret_basic authentication.');
  if (credentials.secret === '') throw invalidClient('Client authentication failed.');
  const client = await authenticateBasic(engine, credentials);
  if (client.kind !== 'confidential') throw invalidClient('Only confidential clients may use this endpoint.');
  return client;
}

/**
 * Identifies the client of a token or revocation request: HTTP Basic when present, else `client_secret` in the
 * form, otherwise the public client named by `client_id`. A confidential client must authenticate.
 */
export async function identifyClient(engine: TokenEngine, req: IncomingMessage, params: FormParams): Promise<IdentifiedClient> {
  const formClientId = params.get('client_id');
  const formSecret = params.get('client_secret');
  const credentials = parseBasicAuth(req);
  if (credentials && formSecret !== undefined) {
    throw new HttpError(400, 'invalid_request', 'Use one client authentication method: HTTP Basic or client_secret in the form, not both.');
  }
  if (formSecret !== undefined) {
    if (formClientId === undefined) throw new HttpError(400, 'invalid_request', 'client_secret_post needs the client_id parameter too.');
    // An empty secret never authenticates, and client_secret_post cannot merely name a public client.
    if (formSecret === '') throw invalidClient('Client authentication failed.');
    return authenticateBasic(engine, { clientId: formClientId, secret: formSecret });
  }
  if (credentials) {
    if (formClientId !== undefined && formClientId !== credentials.clientId) {
      throw new HttpError(400, 'invalid_request', 'client_id does not match the authenticated client.');
    }
    if (credentials.secret === '') return publicClient(engine, credentials.clientId);
    return authenticateBasic(engine, credentials);
  }
  if (formClientId === undefined) throw new HttpError(400, 'invalid_request', 'The client_id parameter is required.');
  return publicClient(engine, formClientId);
}

/** The public client a request names (auth method `none`); a confidential one must authenticate instead. */
async function publicClient(engine: TokenEngine, clientId: string): Promise<IdentifiedClient> {
  const row = await engine.getClient(clientId);
  if (!row) throw invalidClient('Unknown client.');
  if (row.disabledAt !== null) throw invalidClient('This client is disabled.');
  if (row.kind !== 'public') throw invalidClient('This client must authenticate (client_secret_basic or client_secret_post).');
  return { clientId: row.clientId, kind: 'public', authenticated: false };
}
