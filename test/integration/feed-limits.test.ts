/**
 * The revocation feed's limits against a running service: connections per client and in total (refused
 * with 429 / 503 and Retry-After, exactly at the cap even when hundreds of attempts arrive at once), each
 * SET signed once per (client, event) and reused by every connection, cached SETs dropped when their key is
 * revoked or retires, and a replay that leaves the event loop to the token endpoint.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CAEP_SESSION_REVOKED } from '@token-warden/verifier';
import { ManualClock } from '../../src/main/engine/clock';
import { readSse, type SseMessage } from '../../packages/verifier/src/sse-reader';
import { basicAuth, startTestWarden, type TestWarden } from '../helpers/warden';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function warden(feedLimits: Record<string, number> = {}): Promise<TestWarden> {
  const t = await startTestWarden({ feedLimits });
  cleanups.push(() => t.close());
  return t;
}

interface Attempt {
  status: number;
  response: Response;
  messages: SseMessage[];
  /** Resolves once the replay marker arrived (bounded wait). */
  ready(): Promise<void>;
  close(): void;
}

async function attempt(t: TestWarden, authorization: string, lastEventId = '0'): Promise<Attempt> {
  const controller = new AbortController();
  cleanups.push(() => controller.abort());
  const response = await fetch(`${t.baseUrl}/events`, { headers: { authorization, 'last-event-id': lastEventId }, signal: controller.signal });
  const messages: SseMessage[] = [];
  let isReady = false;
  let onReady: (() => void) | undefined;
  if (response.status === 200) {
    void readSse(response.body!, {
      onMessage: (m) => void messages.push(m),
      onComment: (c) => {
        if (c.startsWith('ready')) {
          isReady = true;
          onReady?.();
        }
      },
      onActivity: () => undefined,
    }).catch(() => undefined);
  }
  const ready = () =>
    new Promise<void>((resolve, reject) => {
      if (isReady) return resolve();
      const timer = setTimeout(() => reject(new Error(`no ready marker; ${messages.length} messages so far`)), 10_000);
      onReady = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  return { status: response.status, response, messages, ready, close: () => controller.abort() };
}

/** Waits (bounded) for a condition only the service can make true, e.g. that it noticed a closed stream. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

/** `count` revocation rows straight into the log (what many admin actions would leave), in one transaction. */
async function seedRevocations(t: TestWarden, count: number): Promise<number[]> {
  const store = t.warden.engine.store;
  const now = Date.now();
  return store.transaction(async () => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push(await store.insertRevocation({ kind: 'jti', subject: `seed-${i}`, userId: null, notBefore: null, expiresAt: now + 3_600_000, createdAt: now, actor: 'admin', reason: null }));
    return ids;
  });
}

/** Connects from the start, waits for the replay to complete, disconnects: the SETs it got. */
async function replaySets(t: TestWarden, authorization: string): Promise<string[]> {
  const feed = await attempt(t, authorization);
  await feed.ready();
  feed.close();
  // Revocations only: key-retiring announcements (feed format 1.1) are tested in verifier-key-retirement.test.ts.
  return feed.messages.filter((m) => m.event === 'revocation').map((m) => m.data);
}

const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('revocation feed limits', () => {
  it('accepts exactly the per-client cap out of 100 simultaneous connections and refuses the rest with 429', async () => {
    const t = await warden({ maxConnectionsPerClient: 8 });
    const api = await t.createConfidentialClient();
    const auth = basicAuth(api.clientId, api.clientSecret);
    const attempts = await Promise.all(Array.from({ length: 100 }, () => attempt(t, auth)));
    const accepted = attempts.filter((a) => a.status === 200);
    const refused = attempts.filter((a) => a.status !== 200);
    expect(accepted).toHaveLength(8);
    expect(refused).toHaveLength(92);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(await r.response.json()).toEqual({ error: 'too_many_connections', error_description: expect.stringContaining('8') });
    }
    await Promise.all(accepted.map((a) => a.ready()));
    expect(t.warden.service.subscribers().filter((s) => s.clientId === api.clientId)).toHaveLength(8);

    // Another client is not affected by this one's cap.
    const other = await t.createConfidentialClient();
    expect((await attempt(t, basicAuth(other.clientId, other.clientSecret))).status).toBe(200);

    // A closed stream gives its slot back, and only one new connection fits in it.
    accepted[0]!.close();
    await eventually(() => t.warden.service.subscribers().filter((s) => s.clientId === api.clientId).length === 7, 'the closed stream is gone');
    const retries = await Promise.all(Array.from({ length: 20 }, () => attempt(t, auth)));
    expect(retries.filter((a) => a.status === 200)).toHaveLength(1);
    expect(t.warden.service.subscribers().filter((s) => s.clientId === api.clientId)).toHaveLength(8);
  });

  it('holds the global cap across clients: 503 with Retry-After beyond it, never a client above its own cap', async () => {
    const t = await warden({ maxConnectionsPerClient: 4, maxConnections: 6 });
    const clients = await Promise.all([1, 2, 3].map(() => t.createConfidentialClient()));
    const attempts = await Promise.all(
      clients.flatMap((c) => Array.from({ length: 5 }, async () => ({ clientId: c.clientId, a: await attempt(t, basicAuth(c.clientId, c.clientSecret)) }))),
    );
    expect(attempts.filter(({ a }) => a.status === 200)).toHaveLength(6);
    for (const c of clients) expect(attempts.filter(({ clientId, a }) => clientId === c.clientId && a.status === 200).length).toBeLessThanOrEqual(4);
    const refused = attempts.filter(({ a }) => a.status !== 200);
    expect(refused.some(({ a }) => a.status === 503)).toBe(true);
    for (const { a } of refused) {
      expect([429, 503]).toContain(a.status);
      expect(a.response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      const body = (await a.response.json()) as { error: string };
      expect(body.error).toBe(a.status === 429 ? 'too_many_connections' : 'temporarily_unavailable');
    }
    expect(t.warden.service.subscribers()).toHaveLength(6);
  });

  it('signs each event once per client: 6 connections replaying 300 events make 300 signatures, not 1800', async () => {
    const t = await warden();
    const a = await t.createConfidentialClient();
    const b = await t.createConfidentialClient();
    const ids = (await seedRevocations(t, 300)).map(String);
    const sign = vi.spyOn(t.warden.engine, 'signSecurityEvent');

    const fleet = await Promise.all(Array.from({ length: 6 }, () => attempt(t, basicAuth(a.clientId, a.clientSecret))));
    expect(fleet.map((c) => c.status)).toEqual(Array(6).fill(200));
    await Promise.all(fleet.map((c) => c.ready()));
    for (const c of fleet) expect(c.messages.map((m) => m.id)).toEqual(ids);
    expect(sign).toHaveBeenCalledTimes(300);
    // Every connection of the client got the very same SETs.
    for (const c of fleet) expect(c.messages.map((m) => m.data)).toEqual(fleet[0]!.messages.map((m) => m.data));

    // Another client gets its own SETs (its own aud), signed once for it too.
    const second = await Promise.all(Array.from({ length: 2 }, () => attempt(t, basicAuth(b.clientId, b.clientSecret))));
    await Promise.all(second.map((c) => c.ready()));
    expect(sign).toHaveBeenCalledTimes(600);
    expect(payloadOf(fleet[0]!.messages[0]!.data).aud).toBe(a.clientId);
    expect(payloadOf(second[0]!.messages[0]!.data).aud).toBe(b.clientId);
    const jwks = createRemoteJWKSet(new URL(`${t.baseUrl}/oauth/jwks`));
    await jwtVerify(second[1]!.messages[299]!.data, jwks, { issuer: t.baseUrl, audience: b.clientId, typ: 'secevent+jwt' });
  });

  it('answers a refresh while 5 connections replay 480 events each', async () => {
    const t = await warden();
    const app = await t.createPublicClient();
    const api = await t.createConfidentialClient();
    const tokens = await t.login(await t.createUser(), app);
    await seedRevocations(t, 480);
    const engine = t.warden.engine;
    let signed = 0;
    let signedWhenAnswered: number | undefined;
    let refresh: Promise<Response> | undefined;
    const sign = engine.signSecurityEvent.bind(engine);
    vi.spyOn(engine, 'signSecurityEvent').mockImplementation((claims) => {
      signed += 1;
      // Issued from inside the replay: its first signature.
      refresh ??= t.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: app });
      return sign(claims);
    });
    const refreshGrant = engine.refresh.bind(engine);
    vi.spyOn(engine, 'refresh').mockImplementation(async (request) => {
      const result = await refreshGrant(request);
      signedWhenAnswered = signed;
      return result;
    });

    const fleet = await Promise.all(Array.from({ length: 5 }, () => attempt(t, basicAuth(api.clientId, api.clientSecret))));
    await Promise.all(fleet.map((c) => c.ready()));
    expect((await refresh)?.status).toBe(200);
    // Answered before the replay had signed its last event (on an unpaced feed, not before a whole replay).
    expect(signedWhenAnswered).toBeDefined();
    expect(signedWhenAnswered).toBeLessThan(480);
    expect(signed).toBe(480);
    for (const c of fleet) expect(c.messages).toHaveLength(480);
  });

  it('refuses limits that are not positive integers at start', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'warden-feed-limits-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    for (const feedLimits of [{ maxConnections: 0 }, { maxConnectionsPerClient: 1.5 }, { signaturesPerTurn: -1 }]) {
      await expect(startTestWarden({ dataDir, feedLimits })).rejects.toThrow(TypeError);
    }
  });

  it('reuses SETs of a retiring key after a rotation and re-signs those of a revoked key', async () => {
    const t = await warden();
    const api = await t.createConfidentialClient();
    const auth = basicAuth(api.clientId, api.clientSecret);
    await seedRevocations(t, 5);
    const sign = vi.spyOn(t.warden.engine, 'signSecurityEvent');
    const jwks = createRemoteJWKSet(new URL(`${t.baseUrl}/oauth/jwks`), { cooldownDuration: 0, cacheMaxAge: 0 });
    const replay = () => replaySets(t, auth);

    const first = await replay();
    const oldKid = decodeProtectedHeader(first[0]!).kid!;
    await t.admin('rotateSigningKey', { reason: 'routine' });
    expect(await replay()).toEqual(first);
    // The five, not re-signed; the one more signature is the retiring key's announcement.
    expect(sign.mock.calls.filter(([claims]) => CAEP_SESSION_REVOKED in (claims.events as object))).toHaveLength(5);
    for (const set of first) await jwtVerify(set, jwks, { issuer: t.baseUrl, audience: api.clientId });

    await t.admin('revokeSigningKey', { kid: oldKid, reason: 'leaked' });
    const after = await replay();
    expect(after).toHaveLength(6); // the five, and the key's own revocation
    for (const set of after) {
      expect(decodeProtectedHeader(set).kid).not.toBe(oldKid);
      await jwtVerify(set, jwks, { issuer: t.baseUrl, audience: api.clientId });
    }
    expect(payloadOf(after[5]!).events).toMatchObject({ [CAEP_SESSION_REVOKED]: { subject: { kind: 'key', id: oldKid } } });
  });

  it('re-signs the cached SETs of a key once it retires and leaves the JWKS', async () => {
    const clock = new ManualClock(Date.now());
    const t = await startTestWarden({ clock, maintainIntervalMs: 3_600_000 });
    cleanups.push(() => t.close());
    const api = await t.createConfidentialClient();
    const auth = basicAuth(api.clientId, api.clientSecret);
    await seedRevocations(t, 3);
    const first = await replaySets(t, auth);
    const oldKid = decodeProtectedHeader(first[0]!).kid!;
    await t.admin('rotateSigningKey', { reason: 'routine' });
    clock.set((await t.warden.engine.store.getKey(oldKid))!.retiresAt!);
    await t.warden.engine.maintain();
    expect((await t.warden.engine.store.getKey(oldKid))!.status).toBe('retired');

    const after = await replaySets(t, auth);
    expect(after).toHaveLength(3);
    const jwks = createRemoteJWKSet(new URL(`${t.baseUrl}/oauth/jwks`));
    for (const set of after) {
      expect(decodeProtectedHeader(set).kid).not.toBe(oldKid);
      await jwtVerify(set, jwks, { issuer: t.baseUrl, audience: api.clientId, currentDate: new Date(clock.now()) });
    }
  });
});
