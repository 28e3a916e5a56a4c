/**
 * Feed resilience of the resource-server kit: a stream killed mid-way loses nothing (Last-Event-ID resume),
 * a silent feed falls back to introspection, and with the service gone past the bound the kit fails closed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createVerifier, type FeedState, type RevocationApplied, type Verifier } from '@token-warden/verifier';
import { controlledFetch } from '../helpers/controlled-fetch';
import { startResourceServer } from '../helpers/resource-server';
import { nextEvent, startTestWarden } from '../helpers/warden';

const AUDIENCE = 'token-warden-api';
const jtiOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
const sidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { heartbeatMs: number; maxFeedSilenceMs: number }) {
  const t = await startTestWarden({ feedHeartbeatMs: options.heartbeatMs });
  cleanups.push(() => t.close());
  const app = await t.createPublicClient();
  const api = await t.createConfidentialClient();
  const net = controlledFetch();
  const verifier = createVerifier({
    issuer: t.baseUrl,
    audience: AUDIENCE,
    clientId: api.clientId,
    clientSecret: api.clientSecret,
    maxFeedSilenceMs: options.maxFeedSilenceMs,
    reconnectInitialMs: 20,
    reconnectMaxMs: 200,
    fetch: net.fetch,
  });
  cleanups.push(() => verifier.stop());
  await verifier.start();
  return { t, app, api, net, verifier };
}

const applied = (verifier: Verifier, match: (event: RevocationApplied) => boolean) =>
  nextEvent<RevocationApplied>((listener) => verifier.on('revocation', listener), match);
const stateReached = (verifier: Verifier, state: FeedState, timeoutMs = 5_000) =>
  nextEvent<FeedState>((listener) => verifier.on('state', listener), (s) => s === state, timeoutMs);

describe('revocation feed resilience', () => {
  it('kill the stream, revoke while disconnected, reconnect with Last-Event-ID: no event lost or repeated', async () => {
    const { t, app, net, verifier } = await setup({ heartbeatMs: 200, maxFeedSilenceMs: 30_000 });
    const user = await t.createUser();
    const other = await t.createUser();
    const [a, b, c] = [await t.login(user, app), await t.login(user, app), await t.login(user, app)];
    const otherTokens = await t.login(other, app);
    // Something to resume after: one revocation before the break.
    const warmup = await t.login(user, app);
    const warmupApplied = applied(verifier, (e) => e.subject.kind === 'jti' && e.subject.id === jtiOf(warmup.access_token));
    await t.admin('revokeAccessToken', { jti: jtiOf(warmup.access_token) });
    await warmupApplied;
    const resumeFrom = verifier.status().lastEventId;
    expect(resumeFrom).toBeGreaterThan(0);
    for (const tokens of [a, b, c, otherTokens]) expect(await verifier.verify(tokens.access_token)).toMatchObject({ active: true });

    // Break the connection and keep it broken while the admin acts.
    const reconnectFailed = nextEvent<Error>((listener) => verifier.on('error', listener));
    net.cut('feed');
    net.killStreams();
    await reconnectFailed;
    await t.admin('revokeSession', { sessionId: sidOf(a.access_token) });
    await t.admin('revokeAccessToken', { jti: jtiOf(b.access_token) });
    await t.admin('forceLogout', { userId: other.id });
    // Within the silence bound the kit still trusts its (now stale) state: it has not heard yet.
    expect(await verifier.verify(a.access_token)).toMatchObject({ active: true });

    const caughtUp = applied(verifier, (e) => e.subject.kind === 'user' && e.subject.id === other.id);
    net.cut('none');
    await caughtUp;

    expect(net.feedRequests.at(-1)).toBe(String(resumeFrom));
    expect(await verifier.verify(a.access_token)).toMatchObject({ active: false, reason: 'session_revoked' });
    expect(await verifier.verify(b.access_token)).toMatchObject({ active: false, reason: 'jti_revoked' });
    expect(await verifier.verify(c.access_token)).toMatchObject({ active: true });
    expect((await verifier.verify(otherTokens.access_token)).active).toBe(false);

    // Every revocation the service logged was applied exactly once, in order.
    const logged = (await t.warden.engine.revocationsAfter(0, 1000)).map((row) => row.id);
    expect(verifier.receipts().map((r) => r.id)).toEqual(logged);
  });

  it('falls back to introspection while the feed is silent past the bound, and back to the feed after', async () => {
    const { t, app, net, verifier } = await setup({ heartbeatMs: 100, maxFeedSilenceMs: 500 });
    const user = await t.createUser();
    const live = await t.login(user, app);
    const doomed = await t.login(user, app);

    const degraded = stateReached(verifier, 'degraded');
    net.cut('feed');
    net.killStreams();
    await degraded;
    await t.admin('revokeAccessToken', { jti: jtiOf(doomed.access_token) });
    // The feed cannot tell; introspection can.
    expect(await verifier.verify(live.access_token)).toMatchObject({ active: true });
    expect(await verifier.verify(doomed.access_token)).toMatchObject({ active: false, reason: 'introspection_inactive' });

    const healed = stateReached(verifier, 'live');
    net.cut('none');
    await healed;
    expect(verifier.verify(doomed.access_token)).toMatchObject({ active: false, reason: 'jti_revoked' });
    expect(verifier.verify(live.access_token)).toMatchObject({ active: true });
  });

  it('fails closed when the service is down past the bound', async () => {
    const { t, app, verifier } = await setup({ heartbeatMs: 100, maxFeedSilenceMs: 400 });
    const rs = await startResourceServer(verifier);
    cleanups.push(() => rs.close());
    const user = await t.createUser();
    const tokens = await t.login(user, app);
    expect((await rs.call(tokens.access_token)).status).toBe(200);

    const degraded = stateReached(verifier, 'degraded');
    await t.warden.close();
    await degraded;
    expect(await verifier.verify(tokens.access_token)).toMatchObject({ active: false, reason: 'feed_unavailable' });
    const refused = await rs.call(tokens.access_token);
    expect(refused.status).toBe(401);
    expect(refused.body.error_description).toBe('feed_unavailable');
  });

  it('starts failing closed: before the first replay completes, tokens need introspection', async () => {
    const t = await startTestWarden();
    cleanups.push(() => t.close());
    const app = await t.createPublicClient();
    const api = await t.createConfidentialClient();
    const user = await t.createUser();
    const tokens = await t.login(user, app);
    const net = controlledFetch();
    net.cut('all');
    const verifier = createVerifier({ issuer: t.baseUrl, audience: AUDIENCE, clientId: api.clientId, clientSecret: api.clientSecret, fetch: net.fetch });
    // Never started and the network is down: no keys, no feed, no introspection.
    expect(await verifier.verify(tokens.access_token)).toMatchObject({ active: false, reason: 'unknown_kid' });
    net.cut('feed');
    // Keys and introspection reachable, feed not: introspection vouches.
    expect(await verifier.verify(tokens.access_token)).toMatchObject({ active: true });
  });
});
