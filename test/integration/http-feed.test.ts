/**
 * GET /events and POST /events/ack on the wire: who may subscribe, what a message looks like (a SET that
 * jose verifies against /oauth/jwks), resume by Last-Event-ID, order without gaps or duplicates while
 * revocations commit during the replay, and receipts.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAEP_SESSION_REVOKED } from '@token-warden/verifier';
import { readSse, type SseMessage } from '../../packages/verifier/src/sse-reader';
import { basicAuth, startTestWarden, type TestWarden } from '../helpers/warden';

interface OpenFeed {
  messages: SseMessage[];
  comments: string[];
  /** Resolves once `count` messages arrived (and the replay marker, when `ready` is set). */
  until(count: number, ready?: boolean): Promise<void>;
  /** Resolves once `done()` holds, checked after every message or comment (bounded wait). */
  waitFor(done: () => boolean): Promise<void>;
  close(): void;
}

async function openFeed(t: TestWarden, authorization: string, lastEventId?: string, query = ''): Promise<OpenFeed> {
  const controller = new AbortController();
  const response = await fetch(`${t.baseUrl}/events${query}`, {
    headers: { authorization, ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  void readSse(response.body!, {
    onMessage: (m) => {
      messages.push(m);
      notify();
    },
    onComment: (c) => {
      comments.push(c);
      notify();
    },
    onActivity: () => undefined,
  }).catch(() => undefined);
  const waitFor = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`condition not met; ${messages.length} messages so far`)), 5_000);
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return {
    messages,
    comments,
    waitFor,
    until: (count, ready = false) => waitFor(() => messages.length >= count && (!ready || comments.some((c) => c.startsWith('ready')))),
    close: () => controller.abort(),
  };
}

describe('revocation feed over HTTP', () => {
  let t: TestWarden;
  let app: string;
  let api: { clientId: string; clientSecret: string };
  let auth: string;

  beforeAll(async () => {
    t = await startTestWarden({ feedHeartbeatMs: 100 });
    app = await t.createPublicClient();
    api = await t.createConfidentialClient();
    auth = basicAuth(api.clientId, api.clientSecret);
  });
  afterAll(() => t?.close());

  it('refuses anyone but an authenticated confidential client', async () => {
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: basicAuth(api.clientId, 'wrong-secret') },
      { authorization: basicAuth(app, 'anything') },
      { authorization: 'Basic !!!' },
      { authorization: `Bearer ${t.adminToken}` },
    ];
    for (const headers of cases) {
      const response = await fetch(`${t.baseUrl}/events`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    }
    const bad = await fetch(`${t.baseUrl}/events`, { headers: { authorization: auth, 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('streams signed SETs that jose verifies, with heartbeats, and resumes from Last-Event-ID', async () => {
    const user = await t.createUser();
    const tokens = await t.login(user, app);
    const sid = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()).sid as string;
    const before = (await t.warden.engine.revocationsAfter(0, 10_000)).at(-1)?.id ?? 0;
    const feed = await openFeed(t, auth, String(before));
    await feed.until(0, true);
    await t.admin('revokeSession', { sessionId: sid, reason: 'lost phone' });
    await feed.until(1);
    const message = feed.messages[0]!;
    expect(message.event).toBe('revocation');
    expect(Number(message.id)).toBeGreaterThan(before);

    const jwks = createRemoteJWKSet(new URL(`${t.baseUrl}/oauth/jwks`));
    const { payload, protectedHeader } = await jwtVerify(message.data, jwks, { issuer: t.baseUrl, audience: api.clientId, typ: 'secevent+jwt' });
    expect(protectedHeader.typ).toBe('secevent+jwt');
    expect(payload.jti).toBe(message.id);
    expect(payload.events).toEqual({
      [CAEP_SESSION_REVOKED]: {
        subject: { format: 'opaque', kind: 'session', id: sid, user_id: user.id },
        event_timestamp: expect.any(Number),
        initiating_entity: 'admin',
        reason_admin: { en: 'lost phone' },
      },
    });

    // Heartbeats are comments.
    await feed.waitFor(() => feed.comments.some((c) => /^hb \d+$/.test(c)));
    feed.close();

    // Resume: from `before` the same event comes again; from its id, nothing.
    const again = await openFeed(t, auth, undefined, `?last_event_id=${before}`);
    await again.until(1, true);
    expect(again.messages.map((m) => m.id)).toEqual([message.id]);
    again.close();
    const after = await openFeed(t, auth, message.id);
    await after.until(0, true);
    expect(after.messages).toEqual([]);
    after.close();
  });

  it('sends every revocation exactly once and in order while revocations commit during the replay', async () => {
    const user = await t.createUser();
    const logins = await Promise.all(Array.from({ length: 40 }, () => t.login(user, app)));
    const jtis = logins.map((l) => JSON.parse(Buffer.from(l.access_token.split('.')[1]!, 'base64url').toString()).jti as string);
    // Half revoked before connecting (replayed), half racing the connection (live or replayed).
    for (const jti of jtis.slice(0, 20)) await t.admin('revokeAccessToken', { jti });
    const racing = Promise.all(jtis.slice(20).map((jti) => t.admin('revokeAccessToken', { jti })));
    const feed = await openFeed(t, auth, '0');
    await racing;
    const all = (await t.warden.engine.revocationsAfter(0, 10_000)).map((row) => String(row.id));
    await feed.until(all.length, true);
    expect(feed.messages.map((m) => m.id)).toEqual(all);
    feed.close();
  });

  it('takes acknowledgements only for delivered events, from the authenticated client', async () => {
    const user = await t.createUser();
    const tokens = await t.login(user, app);
    const jti = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()).jti as string;
    const feed = await openFeed(t, auth, String((await t.warden.engine.revocationsAfter(0, 10_000)).at(-1)?.id ?? 0));
    await feed.until(0, true);
    const receipt = await t.admin('revokeAccessToken', { jti });
    await feed.until(1);
    const id = receipt.feedEventId!;
    expect(feed.messages[0]!.id).toBe(String(id));

    const ack = (body: unknown, authorization = auth, contentType = 'application/json') =>
      fetch(`${t.baseUrl}/events/ack`, { method: 'POST', headers: { authorization, 'content-type': contentType }, body: JSON.stringify(body) });

    expect((await ack({ ids: [id], appliedAt: [123] }, basicAuth(api.clientId, 'nope'))).status).toBe(401);
    expect((await ack({ ids: [id] })).status).toBe(400);
    expect((await ack({ ids: [id], appliedAt: [1, 2] })).status).toBe(400);
    expect((await ack({ ids: ['x'], appliedAt: [1] })).status).toBe(400);
    expect((await ack({ ids: [id], appliedAt: [1] }, auth, 'text/plain')).status).toBe(400);
    expect(t.warden.service.receipts.receiptsFor(id)).toEqual([]);

    const ok = await ack({ ids: [id, id + 1000], appliedAt: [4242, 1] });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ accepted: 1 });
    expect(t.warden.service.receipts.receiptsFor(id)).toEqual([{ clientId: api.clientId, appliedAt: 4242, receivedAt: expect.any(Number) }]);
    expect(t.warden.service.receipts.receiptsFor(id + 1000)).toEqual([]);
    expect(t.warden.service.subscribers()).toContainEqual(expect.objectContaining({ clientId: api.clientId, lastEventId: id }));
    feed.close();
  });
});
