/**
 * A crash between a revocation's commit and its back-channel logout: the service (a real child process) is
 * SIGKILLed while the logout token's first POST is still unanswered (the app delays its answer), then restarted
 * on the same data directory. The outbox row committed with the force logout; its lease runs out; the restarted
 * service delivers it, and the app applies exactly one logout token (one jti: the same one it was sent before
 * the crash). Memory key store: the restarted process signs with new keys, which the app fetches from the JWKS.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import type { AdminInput, AdminMethod, AdminOutput } from '../../src/shared/admin-api';
import { startBackchannelReceiver, type BackchannelReceiver } from '../helpers/backchannel-receiver';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';

describe('crash between the revocation commit and the back-channel logout delivery', () => {
  let dataDir: string | undefined;
  let service: ServeProcess | undefined;
  let receiver: BackchannelReceiver | undefined;

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await receiver?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('the restarted service delivers the logout token once', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'warden-bcl-crash-'));
    const args = ['--data-dir', dataDir, '--key-store', 'memory'];
    service = await startServeProcess(args);
    const first = service;
    const adminToken = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    const admin = async <M extends AdminMethod>(base: string, method: M, input: AdminInput<M>): Promise<AdminOutput<M>> => {
      const response = await fetch(`${base}/admin/rpc/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
      if (!body.ok) throw new Error(`${method}: ${body.error?.code}: ${body.error?.message}`);
      return body.value as AdminOutput<M>;
    };

    receiver = await startBackchannelReceiver({ issuer: first.url, clientId: 'crash-app', alg: 'ES256' });
    await admin(first.url, 'createClient', {
      clientId: 'crash-app', kind: 'public', name: 'Crash app', grantTypes: ['password', 'refresh_token'],
      backchannelLogoutUri: receiver.url, idTokenSignedResponseAlg: 'ES256',
    });
    const { id: userId } = await admin(first.url, 'createUser', { username: 'crash-user', password: 'correct horse battery' });
    const login = await fetch(`${first.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'crash-user', password: 'correct horse battery', client_id: 'crash-app' }),
    });
    expect(login.status).toBe(200);
    const sid = (decodeJwt(((await login.json()) as { access_token: string }).access_token) as { sid: string }).sid;

    // The app takes the POST and does not answer; the force logout has committed by the time it returns.
    receiver.hold();
    const receipt = await admin(first.url, 'forceLogout', { userId });
    const [held] = await receiver.waitForArrivals(1);
    const sentBeforeCrash = decodeJwt(held!.token!);
    expect(sentBeforeCrash.sid).toBe(sid);

    expect(await first.stop('SIGKILL')).toBeNull();
    receiver.drop();
    expect(receiver.applied.size).toBe(0);

    service = await startServeProcess(args);
    const second = service;
    expect(second.url).toBe(first.url);
    // Listen for the outcome on the admin event stream, then look once (it may have been recorded already).
    const stream = new AbortController();
    const events = await fetch(`${second.url}/admin/events`, { headers: { authorization: `Bearer ${adminToken}` }, signal: stream.signal });
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    const deliveredEvent = (async () => {
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the event stream ended');
        buffer += value;
        if (buffer.includes('"type":"backchannel_logout.delivered"')) return;
      }
    })();
    const settled = async () => (await admin(second.url, 'listBackchannelDeliveries', { feedEventId: receipt.feedEventId! }))[0]!.state !== 'pending';
    // Bounded: lease (5 s timeout + 5 s margin) plus the restart, with room to spare.
    const bound = setTimeout(() => stream.abort(new Error('no backchannel_logout.delivered within 30 s of the restart')), 30_000);
    try {
      if (!(await settled())) await deliveredEvent;
    } finally {
      clearTimeout(bound);
      stream.abort();
      deliveredEvent.catch(() => undefined);
    }
    // The dead process's lease ran out (timeout + margin), then the row was due again.
    const arrivals = await receiver.waitForArrivals(2);
    const redelivered = arrivals[1]!;
    expect(redelivered.status).toBe(200);
    expect(redelivered.claims).toMatchObject({ sid, aud: 'crash-app', iss: first.url, jti: sentBeforeCrash.jti });
    expect([...receiver.applied.keys()]).toEqual([sentBeforeCrash.jti]);

    const [delivery] = await admin(service.url, 'listBackchannelDeliveries', { feedEventId: receipt.feedEventId! });
    expect(delivery).toMatchObject({ sessionId: sid, state: 'delivered', attempts: 2, lastStatus: 200 });
    const audit = await admin(service.url, 'listAudit', { type: 'backchannel_logout.delivered', userId });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]!.data).toMatchObject({ jti: sentBeforeCrash.jti, attempt: 2, status: 200 });
    expect(receiver.arrivals).toHaveLength(2);
  }, 90_000);
});
