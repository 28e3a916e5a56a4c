/**
 * Three instances starting at the same moment on a fresh PostgreSQL database (issue 17, item 2): each would
 * create the first key pair. The keys lock lets one commit its pair; the others find the keys changed, re-read
 * them (with their private halves, from the shared database key store) and find nothing left to do
 * (src/main/engine/key-startup.ts). Every instance starts, and all sign with the one active key.
 */
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePg } from '../helpers/postgres';
import { startPgInstances, type PgInstances } from '../helpers/pg-instances';

describePg('instances starting together on a fresh database', () => {
  let trio: PgInstances;
  beforeAll(async () => {
    trio = await startPgInstances(3, {}, () => ({}), true);
  }, 120_000);
  afterAll(async () => {
    await trio?.close();
  }, 60_000);

  it('all start, with one active and one next key, and sign with the same key', async () => {
    const keys = await trio.instances[0]!.admin('listKeys', {});
    const live = keys.filter((key) => key.status === 'active' || key.status === 'next');
    expect(live.map((key) => key.status).sort()).toEqual(['active', 'next']);
    const active = live.find((key) => key.status === 'active')!;
    // One creation recorded, not one per instance.
    const created = await trio.instances[1]!.t.warden.engine.store.listAudit({ type: 'key.created', limit: 100 });
    expect(created).toHaveLength(1);
    const app = await trio.instances[0]!.createPublicClient();
    const user = await trio.instances[0]!.createUser();
    for (const instance of trio.instances) {
      const response = await instance.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: app });
      expect(response.status).toBe(200);
      expect(decodeProtectedHeader(((await response.json()) as { access_token: string }).access_token).kid).toBe(active.kid);
    }
  });
});
