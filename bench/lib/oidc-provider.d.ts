/** oidc-provider ships no types; this covers only what bench/servers/oidc-peer.ts uses. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface ClientModel {
    clientId: string;
  }
  interface GrantModel {
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }
  interface RefreshTokenModel {
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    Client: { find(id: string): Promise<ClientModel | undefined> };
    Grant: new (fields: { accountId: string; clientId: string }) => GrantModel;
    RefreshToken: new (fields: Record<string, unknown>) => RefreshTokenModel;
  }
}
