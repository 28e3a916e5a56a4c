/**
 * The peer: panva's oidc-provider on 127.0.0.1 with its own in-memory adapter, one public client allowed the
 * refresh_token grant, rotation on every use (`rotateRefreshToken: true`, reuse revokes the grant), and JWT
 * access tokens signed with Ed25519 (resource indicator with `accessTokenFormat: 'jwt'`), so each refresh
 * costs it one EdDSA signature as it costs ours. Refresh tokens are issued through its own models (Grant +
 * RefreshToken), as its authorization_code grant would issue them.
 *
 * IPC: sends `{type:'ready', port}`; answers `{type:'seeds', count}` with `{type:'seeds', tokens}`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export const PEER_CLIENT_ID = 'bench-app';
export const PEER_RESOURCE = 'urn:bench:api';
const ACCOUNT = 'bench-user';

async function main(): Promise<void> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'bench-peer', alg: 'EdDSA', use: 'sig' };
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: PEER_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
        id_token_signed_response_alg: 'EdDSA',
      },
    ],
    jwks: { keys: [jwk] },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    rotateRefreshToken: true,
    scopes: ['offline_access', 'api:read'],
    ttl: { AccessToken: 600, RefreshToken: 14 * 24 * 3600 },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => PEER_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api:read', audience: PEER_RESOURCE, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'EdDSA' } } }),
      },
    },
  });
  server.on('request', provider.callback());
  const client = await provider.Client.find(PEER_CLIENT_ID);
  if (!client) throw new Error('the peer client is missing');

  async function seed(): Promise<string> {
    const grant = new provider.Grant({ accountId: ACCOUNT, clientId: PEER_CLIENT_ID });
    grant.addResourceScope(PEER_RESOURCE, 'api:read');
    const grantId = await grant.save();
    const token = new provider.RefreshToken({ accountId: ACCOUNT, client, grantId, scope: 'api:read', resource: PEER_RESOURCE, gty: 'authorization_code', expiresWithSession: false });
    return token.save();
  }

  process.on('message', (message: unknown) => {
    const request = message as { type?: string; count?: number };
    if (request.type !== 'seeds' || typeof request.count !== 'number') return;
    const count = Math.min(1000, Math.max(0, request.count));
    Promise.all(Array.from({ length: count }, seed)).then(
      (tokens) => process.send?.({ type: 'seeds', tokens }),
      (error: unknown) => process.send?.({ type: 'seeds', error: String(error) }),
    );
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
