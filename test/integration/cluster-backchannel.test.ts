/**
 * Back-channel logout deliveries with two real instances on one PostgreSQL database (issue 17, item 2). Every
 * instance runs a delivery worker on the shared outbox; a row queued by one wakes them all ('outbox', after its
 * commit) and is leased by whoever claims it first (FOR UPDATE SKIP LOCKED): each logout token is delivered once.
 * An instance killed (SIGKILL) while its POST is unanswered leaves the row leased; once the lease has run out
 * (the attempt's timeout + margin, src/main/http/backchannel-delivery.ts), the other instance delivers it, and
 * the app applies that logout token (one jti) once.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBackchannelReceiver, type BackchannelReceiver } from '../helpers/backchannel-receiver';
import { startServiceCluster, type ServiceCluster } from '../helpers/cluster';
import { eventually } from '../helpers/pg-instances';
import { describePg } from '../helpers/postgres';

const USERS = 12;

describePg('back-channel logout with two instances', () => {
  let cluster: ServiceCluster;
  let receiver: BackchannelReceiver;
  let app: string;
  beforeAll(async () => {
    cluster = await startServiceCluster({ instances: 2 });
    receiver = await startBackchannelReceiver({ issuer: cluster.url, clientId: 'bcl-cluster-app', alg: 'ES256' });
    app = await cluster.createPublicClient('bcl-cluster-app', {
      grantTypes: ['password', 'refresh_token'], backchannelLogoutUri: receiver.url, idTokenSignedResponseAlg: 'ES256',
    });
  }, 240_000);
  afterAll(async () => {
    await cluster?.stopAll();
    await receiver?.close();
  }, 60_000);

  it('delivers each logout token once, whichever instance revoked the session', async () => {
    const sids = new Set<string>();
    const receipts: number[] = [];
    for (let n = 0; n < USERS; n++) {
      const user = await cluster.createUser();
      sids.add((decodeJwt((await cluster.login(user, app, n % 2)).access_token) as { sid: string }).sid);
      // Half the revocations through each instance.
      receipts.push((await cluster.admin('forceLogout', { userId: user.id }, (n + 1) % 2)).feedEventId!);
    }
    const arrivals = await receiver.waitForArrivals(USERS, 60_000);
    const settled = async () => (await Promise.all(receipts.map(async (feedEventId) => (await cluster.admin('listBackchannelDeliveries', { feedEventId }, 1))[0]!.state)));
    await eventually('every delivery is recorded', async () => (await settled()).every((state) => state !== 'pending'), 10_000);
    expect(arrivals.map((arrival) => arrival.status), cluster.output()).toEqual(Array(USERS).fill(200));
    expect(arrivals.filter((arrival) => arrival.repeat)).toHaveLength(0);
    expect(new Set(arrivals.map((arrival) => arrival.claims?.sid))).toEqual(sids);
    for (const feedEventId of receipts) {
      const [delivery] = await cluster.admin('listBackchannelDeliveries', { feedEventId }, 1);
      expect(delivery).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200 });
    }
    const delivered = await cluster.admin('listAudit', { type: 'backchannel_logout.delivered', limit: 100 }, 0);
    expect(delivered.items).toHaveLength(USERS);
    expect(receiver.arrivals).toHaveLength(USERS);
  }, 120_000);

  it('an instance killed mid-delivery: the other delivers the token once its lease has run out', async () => {
    const user = await cluster.createUser();
    const sid = (decodeJwt((await cluster.login(user, app, 0)).access_token) as { sid: string }).sid;
    const before = receiver.arrivals.length;
    // Instance 1 is down while instance 0 revokes, so instance 0's worker is the one that takes the row.
    await cluster.kill(1, 'SIGTERM');
    receiver.hold();
    const receipt = await cluster.admin('forceLogout', { userId: user.id }, 0);
    const held = (await receiver.waitForArrivals(before + 1, 30_000))[before]!;
    const sent = decodeJwt(held.token!);
    expect(sent.sid).toBe(sid);
    await cluster.restart(1);
    // Instance 0 dies with the POST unanswered; the app never applied it.
    await cluster.kill(0, 'SIGKILL');
    receiver.drop();
    expect(receiver.applied.has(sent.jti!)).toBe(false);

    const redelivered = (await receiver.waitForArrivals(before + 2, 60_000))[before + 1]!;
    expect(redelivered.status, cluster.output(1)).toBe(200);
    expect(redelivered.claims).toMatchObject({ sid, jti: sent.jti });
    // The outcome is committed after the app's answer: bounded wait for it.
    const delivery = async () => (await cluster.admin('listBackchannelDeliveries', { feedEventId: receipt.feedEventId! }, 1))[0]!;
    await eventually('the delivery is recorded', async () => (await delivery()).state !== 'pending', 10_000);
    expect(await delivery()).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 200 });
    const audit = await cluster.admin('listAudit', { type: 'backchannel_logout.delivered', userId: user.id }, 1);
    expect(audit.items).toHaveLength(1);
    expect(receiver.arrivals).toHaveLength(before + 2);
  }, 180_000);
});
