/** A stand-in remote admin API for the deployments tests: records requests, answers from a handler map. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Recorded {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

export interface FakeRemote {
  url: string;
  requests: Recorded[];
  /** Resolves when a request for `path` has arrived (at once if one did). */
  waitFor(path: string): Promise<void>;
  /** Pushes one SSE event to every open /admin/events stream. */
  push(data: unknown, id: number): void;
  close(): Promise<void>;
}

export type Answer = (method: string, input: unknown) => { status?: number; body: unknown };

const defaultAnswer: Answer = (method) => {
  if (method === 'getSignedInAdmin') return { body: { ok: true, value: { admin: null, actor: 'admin:ops', role: 'operator', totpEnrollmentRequired: false } } };
  return { body: { ok: true, value: { from: 'remote', method } } };
};

/** A self-signed certificate for 127.0.0.1, made with openssl. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tw-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startFakeRemote(options: { tls?: { key: string; cert: string }; answer?: Answer } = {}): Promise<FakeRemote> {
  const requests: Recorded[] = [];
  const waiters: Array<{ path: string; resolve: () => void }> = [];
  const streams = new Set<ServerResponse>();
  const answer = options.answer ?? defaultAnswer;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      requests.push({ method: req.method ?? '', path: url, authorization: req.headers.authorization, body });
      for (const waiter of waiters.filter((candidate) => candidate.path === url)) waiter.resolve();
      if (url === '/admin/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(': live\n\n');
        streams.add(res);
        res.on('close', () => streams.delete(res));
        return;
      }
      if (url === '/admin/info') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ok: true, value: { mode: 'browser', issuer: 'https://remote.example', keyStore: 'memory', demo: false, dataDir: null, version: '9.9.9' } }));
        return;
      }
      const method = url.replace('/admin/rpc/', '');
      const reply = answer(method, body === '' ? {} : JSON.parse(body));
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  };
  const server: Server = options.tls ? createHttps(options.tls, handle) : createHttp(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    waitFor: (path) => (requests.some((request) => request.path === path) ? Promise.resolve() : new Promise((resolve) => waiters.push({ path, resolve }))),
    push(data, id) {
      for (const res of streams) res.write(`id: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of streams) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
