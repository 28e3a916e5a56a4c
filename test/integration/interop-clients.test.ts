/**
 * Stock OAuth clients for the RFC details (issue 13, item 14): simple-oauth2 as its README configures a
 * client (its default sends `Authorization: Basic base64(client_id:)`, an empty secret, even for a public
 * client; a revocation answer must carry a JSON content type), and Authlib's RFC 8414 metadata validator run
 * with Debian's /usr/bin/python3. oauth4webapi's interop lives in interop.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ResourceOwnerPassword } from 'simple-oauth2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { SYSTEM_PYTHON } from '../interop/verifiers-other';

interface Metadata {
  issuer: string;
  token_endpoint: string;
  revocation_endpoint: string;
  introspection_endpoint: string;
}

describe('stock OAuth clients', () => {
  let t: TestWarden;
  let metadata: Metadata;
  let user: TestUser;
  let clientId: string;
  let rs: { clientId: string; clientSecret: string };

  const introspect = async (token: string) => {
    const basic = `Basic ${Buffer.from(`${rs.clientId}:${rs.clientSecret}`).toString('base64')}`;
    const response = await t.postForm('/oauth/introspect', { token }, { authorization: basic });
    return (await response.json()) as { active: boolean };
  };

  beforeAll(async () => {
    t = await startTestWarden();
    metadata = (await (await fetch(`${t.baseUrl}/.well-known/oauth-authorization-server`)).json()) as Metadata;
    user = await t.createUser();
    clientId = await t.createPublicClient();
    rs = await t.createConfidentialClient();
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('simple-oauth2 (a public client, the library defaults)', () => {
    const client = () =>
      new ResourceOwnerPassword({
        client: { id: clientId, secret: '' },
        auth: { tokenHost: metadata.issuer, tokenPath: new URL(metadata.token_endpoint).pathname, revokePath: new URL(metadata.revocation_endpoint).pathname },
      });

    it('signs in, refreshes and revokes with Basic base64(client_id:)', async () => {
      const token = await client().getToken({ username: user.username, password: user.password });
      expect(token.token).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), access_token: expect.any(String), refresh_token: expect.any(String) });
      const refreshed = await token.refresh();
      expect(refreshed.token.refresh_token).not.toBe(token.token.refresh_token);
      expect((await introspect(String(refreshed.token.access_token))).active).toBe(true);

      await refreshed.revoke('access_token');
      expect((await introspect(String(refreshed.token.access_token))).active).toBe(false);
      await refreshed.revoke('refresh_token');
      await expect(refreshed.refresh()).rejects.toMatchObject({ output: { statusCode: 400 }, data: { payload: { error: 'invalid_grant' } } });
    });

    it('reports a wrong password as invalid_grant', async () => {
      await expect(client().getToken({ username: user.username, password: 'not the password' })).rejects.toMatchObject({
        output: { statusCode: 400 },
        data: { payload: { error: 'invalid_grant' } },
      });
    });
  });

  describe("Authlib's RFC 8414 validator", () => {
    const script = path.join(import.meta.dirname, '../interop/authlib_metadata.py');

    it('finds nothing wrong with the metadata', async (context) => {
      if (!existsSync(SYSTEM_PYTHON)) {
        console.warn(`Authlib check skipped: ${SYSTEM_PYTHON} is missing`);
        return context.skip();
      }
      const url = `${t.baseUrl}/.well-known/oauth-authorization-server`;
      const stdout = await new Promise<string>((resolve, reject) => {
        // The issuer is http://127.0.0.1:port: Authlib accepts http only for localhost unless told it is local.
        execFile(SYSTEM_PYTHON, [script, url], { timeout: 15_000, env: { ...process.env, AUTHLIB_INSECURE_TRANSPORT: '1' } }, (error, out, stderr) =>
          error ? reject(new Error(stderr || error.message)) : resolve(out),
        );
      });
      const result = JSON.parse(stdout) as { skip?: string; valid?: boolean; errors?: string[] };
      if (result.skip) {
        console.warn(`Authlib check skipped: ${result.skip}`);
        return context.skip();
      }
      expect(result).toMatchObject({ valid: true, errors: [] });
    });
  });
});
