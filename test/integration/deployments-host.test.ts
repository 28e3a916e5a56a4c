/**
 * The headless console host routes a caller's admin traffic to the deployment it switched to: RPC, the event
 * stream (relayed with its ids) and the audit export, with the stored key; an unreachable remote is 502
 * `deployment_unreachable`; another caller of the same host still manages this computer.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestWarden } from '../helpers/warden';
import { startFakeRemote, type FakeRemote } from '../unit/deployments/remote-server';

const KEY = 'twk_' + 'c'.repeat(40);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

describe('the console host routes to the current deployment', () => {
  let t: TestWarden;
  let remote: FakeRemote;
  let send: (method: 'GET' | 'POST', path: string, body?: unknown, authorization?: string) => Promise<Answer>;

  beforeAll(async () => {
    t = await startTestWarden();
    remote = await startFakeRemote();
    send = (method, path, body, authorization = `Bearer ${t.adminToken}`) =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: t.warden.port, method, path, headers: { host: `127.0.0.1:${t.warden.port}`, authorization, 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        });
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
  });
  afterAll(async () => {
    await remote.close();
    await t?.close();
  });

  it('forwards RPC, relays the event stream and the audit export; keeps local-only methods here', async () => {
    const saved = JSON.parse((await send('POST', '/admin/rpc/saveDeployment', { name: 'remote', baseUrl: remote.url, apiKey: KEY })).text) as { ok: true; value: { id: string } };
    expect(saved.ok).toBe(true);
    expect((await send('POST', '/admin/rpc/switchDeployment', { id: saved.value.id })).status).toBe(200);

    remote.requests.length = 0;
    const users = await send('POST', '/admin/rpc/listUsers', {});
    expect(JSON.parse(users.text)).toEqual({ ok: true, value: { from: 'remote', method: 'listUsers' } });
    expect(remote.requests).toEqual([expect.objectContaining({ path: '/admin/rpc/listUsers', authorization: `Bearer ${KEY}` })]);
    expect(JSON.parse((await send('GET', '/admin/info')).text)).toMatchObject({ ok: true, value: { issuer: 'https://remote.example', mode: 'browser' } });

    // The audit export is the remote's, as it streams.
    remote.requests.length = 0;
    const exported = await send('GET', '/admin/audit/export?format=jsonl&q=revoked');
    expect(exported.status).toBe(200);
    expect(remote.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/admin/audit/export?format=jsonl&q=revoked', authorization: `Bearer ${KEY}` })]);

    // The event stream: relayed with the remote's ids.
    const opened = remote.waitFor('/admin/events');
    const events = await new Promise<{ first: Promise<string>; close: () => void }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: t.warden.port, path: '/admin/events', headers: { host: `127.0.0.1:${t.warden.port}`, authorization: `Bearer ${t.adminToken}` } }, (res) => {
        expect(res.statusCode).toBe(200);
        res.setEncoding('utf8');
        let text = '';
        const first = new Promise<string>((done) =>
          res.on('data', (chunk: string) => {
            text += chunk;
            if (text.includes('data: ')) done(text);
          }),
        );
        resolve({ first, close: () => req.destroy() });
      });
      req.on('error', reject);
      req.end();
    });
    await opened;
    remote.push({ type: 'user.created', seq: 41 }, 41);
    expect(await events.first).toContain('id: 41\ndata: {"type":"user.created","seq":41}\n\n');
    events.close();

    // Local-only methods are answered here; switching back ends the forwarding.
    remote.requests.length = 0;
    expect(JSON.parse((await send('POST', '/admin/rpc/listDeployments', {})).text)).toMatchObject({ ok: true, value: { currentId: saved.value.id } });
    expect(remote.requests).toEqual([]);
    await send('POST', '/admin/rpc/switchDeployment', { id: 'local' });
    expect(JSON.parse((await send('POST', '/admin/rpc/listUsers', {})).text)).toMatchObject({ ok: true, value: { items: [], total: 0 } });
  });

  it('an unreachable remote is 502 deployment_unreachable', async () => {
    const gone = await startFakeRemote();
    const url = gone.url;
    const saved = JSON.parse((await send('POST', '/admin/rpc/saveDeployment', { name: 'gone', baseUrl: url, apiKey: KEY })).text) as { value: { id: string } };
    expect((await send('POST', '/admin/rpc/switchDeployment', { id: saved.value.id })).status).toBe(200);
    await gone.close();
    const answer = await send('POST', '/admin/rpc/listUsers', {});
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toMatchObject({ ok: false, error: { code: 'deployment_unreachable' } });
    const stream = await send('GET', '/admin/events');
    expect(stream.status).toBe(502);
    await send('POST', '/admin/rpc/switchDeployment', { id: 'local' });
  });
});
