/**
 * Back-channel logout against a running service: a client app's loopback endpoint receives one logout token per
 * ended session and verifies it as OpenID Connect Back-Channel Logout 1.0 §2.6 says (test/helpers/
 * backchannel-receiver.ts: jose against the service's JWKS). Retries, timeouts, refusals, bounded concurrency,
 * the token endpoint answering while every delivery hangs, the receipt's delivery list, and replays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/shared/events';
import { startBackchannelReceiver, type BackchannelReceiver } from '../helpers/backchannel-receiver';
import { nextEvent, startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';

/** A new install signs with ES256; the client asks for the same alg for its ID and logout tokens. */
const ALG = 'ES256';
const TIMEOUT_MS = 1_500;

let t: TestWarden;
let receiver: BackchannelReceiver;
let clientId: string;
let counter = 0;

async function appClient(uri: string): Promise<string> {
  const id = `bcl-app-${(counter += 1)}`;
  await t.admin('createClient', {
    clientId: id, kind: 'public', name: `Back-channel app ${id}`, grantTypes: ['password', 'refresh_token'],
    backchannelLogoutUri: uri, idTokenSignedResponseAlg: ALG,
  });
  return id;
}

const sidOf = (accessToken: string) => (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

function nextOutcome(type: 'backchannel_logout.delivered' | 'backchannel_logout.failed', sessionId?: string): Promise<LiveEvent> {
  return nextEvent<LiveEvent>((listener) => t.warden.engine.onEvent(listener), (event) => event.type === type && (sessionId === undefined || event.sessionId === sessionId), 15_000);
}

beforeAll(async () => {
  t = await startTestWarden({ backchannel: { timeoutMs: TIMEOUT_MS, concurrency: 2 } });
  // The receiver verifies `aud` against the id appClient gives the first client.
  receiver = await startBackchannelReceiver({ issuer: t.baseUrl, clientId: 'bcl-app-1', alg: ALG });
  clientId = await appClient(receiver.url);
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

describe('back-channel logout delivery', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await t.createUser();
  });

  it('force logout: every session of the app gets a verified logout token; the receipt lists each delivery with its time', async () => {
    const before = receiver.arrivals.length;
    const a = await t.login(user, clientId);
    const b = await t.login(user, clientId);
    const delivered = [nextOutcome('backchannel_logout.delivered', sidOf(a.access_token)), nextOutcome('backchannel_logout.delivered', sidOf(b.access_token))];
    const receipt = await t.admin('forceLogout', { userId: user.id });
    const events = await Promise.all(delivered);
    const arrivals = receiver.arrivals.slice(before);
    expect(arrivals.map((arrival) => arrival.status)).toEqual([200, 200]);
    expect(arrivals.map((arrival) => arrival.claims!.sid).sort()).toEqual([sidOf(a.access_token), sidOf(b.access_token)].sort());
    for (const arrival of arrivals) {
      expect(arrival.claims).toMatchObject({ iss: t.baseUrl, aud: clientId });
      expect(arrival.claims).not.toHaveProperty('sub');
    }
    for (const event of events) {
      expect(event.data).toMatchObject({ clientId, status: 200, feedEventId: receipt.feedEventId, attempt: 1 });
      expect(typeof event.data.latencyMs).toBe('number');
    }
    const deliveries = await t.admin('listBackchannelDeliveries', { feedEventId: receipt.feedEventId! });
    expect(deliveries).toHaveLength(2);
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ clientId, state: 'delivered', attempts: 1, lastStatus: 200, uri: receiver.url, nextAttemptAt: null });
      expect(delivery.deliveredAt).toBeGreaterThanOrEqual(receipt.at);
    }
    // Audited, so the proof outlives the process.
    const audit = await t.admin('listAudit', { type: 'backchannel_logout.delivered', userId: user.id });
    expect(audit.items).toHaveLength(2);
  });

  it('a 5xx is retried after a backoff and then delivered; both outcomes audited', async () => {
    const session = await t.login(user, clientId);
    const sid = sidOf(session.access_token);
    receiver.answer(503);
    const failed = nextOutcome('backchannel_logout.failed', sid);
    const receipt = await t.admin('revokeSession', { sessionId: sid });
    const failure = await failed;
    expect(failure.data).toMatchObject({ status: 503, final: false, attempt: 1 });
    expect(failure.data.nextAttemptAt).toBeGreaterThan(failure.at);
    const [pending] = await t.admin('listBackchannelDeliveries', { feedEventId: receipt.feedEventId! });
    expect(pending).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 503, nextAttemptAt: failure.data.nextAttemptAt });
    const delivered = nextOutcome('backchannel_logout.delivered', sid);
    receiver.answer(null);
    expect((await delivered).data).toMatchObject({ status: 200, attempt: 2 });
  });

  it('a receiver that does not answer in time is retried; the late answer and the retry apply it once (same jti)', async () => {
    const session = await t.login(user, clientId);
    const sid = sidOf(session.access_token);
    const before = receiver.arrivals.length;
    receiver.hold();
    const failed = nextOutcome('backchannel_logout.failed', sid);
    await t.admin('revokeSession', { sessionId: sid });
    expect((await failed).data).toMatchObject({ status: null, error: `no answer within ${TIMEOUT_MS} ms`, final: false });
    const delivered = nextOutcome('backchannel_logout.delivered', sid);
    receiver.release();
    await delivered;
    const tokens = receiver.arrivals.slice(before).filter((arrival) => arrival.claims?.sid === sid);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tokens.map((arrival) => arrival.claims!.jti)).size).toBe(1);
    expect([...receiver.applied.values()].filter((claims) => claims.sid === sid)).toHaveLength(1);
  });

  it('a 400 (the app could not use the token) is not retried', async () => {
    const session = await t.login(user, clientId);
    const sid = sidOf(session.access_token);
    receiver.answer(400);
    const failed = nextOutcome('backchannel_logout.failed', sid);
    const receipt = await t.admin('revokeSession', { sessionId: sid });
    expect((await failed).data).toMatchObject({ status: 400, final: true, nextAttemptAt: null });
    receiver.answer(null);
    const [delivery] = await t.admin('listBackchannelDeliveries', { feedEventId: receipt.feedEventId! });
    expect(delivery).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 400, nextAttemptAt: null });
    expect(await t.warden.engine.store.backchannelOutbox.nextDueAt()).toBeUndefined();
  });

  it('at most `concurrency` POSTs in flight, and the token endpoint answers while all of them hang', async () => {
    const many = await t.createUser();
    const sessions = [];
    for (let i = 0; i < 5; i += 1) sessions.push(await t.login(many, clientId));
    const before = receiver.arrivals.length;
    receiver.hold();
    const receipt = await t.admin('forceLogout', { userId: many.id });
    await receiver.waitForArrivals(before + 2);
    // Both slots hang. Sign-ins, refreshes and admin calls do not wait for them.
    const other = await t.createUser();
    const signedIn = await t.login(other, clientId);
    const refreshed = await t.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: signedIn.refresh_token, client_id: clientId });
    expect(refreshed.status).toBe(200);
    const rows = await t.admin('listBackchannelDeliveries', { feedEventId: receipt.feedEventId! });
    expect(rows.map((row) => row.attempts).sort()).toEqual([0, 0, 0, 1, 1]);
    expect(receiver.held()).toBe(2);
    const delivered = sessions.map((session) => nextOutcome('backchannel_logout.delivered', sidOf(session.access_token)));
    receiver.release();
    await Promise.all(delivered);
    const settled = await t.admin('listBackchannelDeliveries', { feedEventId: receipt.feedEventId! });
    expect(settled.every((row) => row.state === 'delivered')).toBe(true);
  });

  it('a replayed logout token changes nothing: not an access token, not for another app, not applied twice', async () => {
    const session = await t.login(user, clientId);
    const sid = sidOf(session.access_token);
    const delivered = nextOutcome('backchannel_logout.delivered', sid);
    await t.admin('revokeSession', { sessionId: sid });
    await delivered;
    const captured = receiver.arrivals.find((arrival) => arrival.claims?.sid === sid)!.token!;
    const api = await t.createConfidentialClient();
    const snapshot = await t.snapshot();
    // Presented to the service as a bearer token: refused (it is no access token: typ logout+jwt, no client_id).
    expect((await t.warden.engine.verifyAccessToken(captured)).active).toBe(false);
    const introspected = await t.postForm('/oauth/introspect', { token: captured }, { authorization: `Basic ${Buffer.from(`${api.clientId}:${api.clientSecret}`).toString('base64')}` });
    expect(await introspected.json()).toEqual({ active: false });
    // Replayed to the app that got it: already applied, not applied again.
    const replay = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: captured }) });
    expect(replay.status).toBe(200);
    expect(receiver.arrivals.at(-1)!.repeat).toBe(true);
    expect([...receiver.applied.values()].filter((claims) => claims.sid === sid)).toHaveLength(1);
    // Replayed to another app: its audience is not that app.
    const otherApp = await startBackchannelReceiver({ issuer: t.baseUrl, clientId: 'another-app', alg: ALG });
    try {
      const foreign = await fetch(otherApp.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: captured }) });
      expect(foreign.status).toBe(400);
      expect(otherApp.arrivals[0]!.error).toMatch(/aud/);
      expect(otherApp.applied.size).toBe(0);
    } finally {
      await otherApp.close();
    }
    expect(await t.snapshot()).toEqual(snapshot);
  });
});
