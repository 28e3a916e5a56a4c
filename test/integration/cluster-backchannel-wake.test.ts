/**
 * A back-channel logout queued on one instance wakes the delivery worker of another (issue 17, item 2): the row's
 * transaction announces 'outbox', every instance hears it after the commit, and the first worker to claim the row
 * delivers it. Here instance A's worker takes nothing (concurrency 0), so only B can deliver what A queues, and
 * B has nothing pending of its own that would wake it.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBackchannelReceiver, type BackchannelReceiver } from '../helpers/backchannel-receiver';
import { describePg } from '../helpers/postgres';
import { startPgInstances, type PgInstance, type PgInstances } from '../helpers/pg-instances';

describePg('back-channel workers across instances', () => {
  let pair: PgInstances;
  let receiver: BackchannelReceiver;
  beforeAll(async () => {
    pair = await startPgInstances(2, {}, (i) => (i === 0 ? { backchannel: { concurrency: 0 } } : {}));
  }, 120_000);
  afterAll(async () => {
    await pair?.close();
    await receiver?.close();
  }, 60_000);

  it('a logout queued through one instance is delivered by the other at once', async () => {
    const [a] = pair.instances as [PgInstance, PgInstance];
    receiver = await startBackchannelReceiver({ issuer: a.t.warden.issuer, clientId: 'bcl-wake-app', alg: 'ES256' });
    await a.admin('createClient', { clientId: 'bcl-wake-app', kind: 'public', name: 'Wake app', grantTypes: ['password', 'refresh_token'], backchannelLogoutUri: receiver.url, idTokenSignedResponseAlg: 'ES256' });
    const user = await a.createUser();
    const login = await a.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: 'bcl-wake-app' });
    const { sid } = decodeJwt(((await login.json()) as { access_token: string }).access_token) as { sid: string };
    await a.admin('forceLogout', { userId: user.id });
    // Well inside the worker's longest sleep (60 s): only a wake can bring it this soon.
    const [arrival] = await receiver.waitForArrivals(1, 5_000);
    expect(arrival).toMatchObject({ status: 200, claims: { sid } });
  }, 60_000);
});
