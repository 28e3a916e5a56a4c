/**
 * Running the Python example (examples/python/feed_api.py) from a test: Debian's /usr/bin/python3 (not whatever
 * python3 comes first on PATH), the port it picks itself, its log for failure messages, and a bounded poll.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { WardenOptions } from '../../src/main/app';
import { startTestWarden, type TestWarden } from './warden';

export const PYTHON = '/usr/bin/python3';
const EXAMPLE = path.resolve(__dirname, '../../examples/python/feed_api.py');
export const AUDIENCE = 'token-warden-api';
/** How long a refusal may take to reach the Python API (it is applied within milliseconds; this bounds the poll). */
export const REFUSAL_WITHIN_MS = 5_000;

export const claimOf = (token: string, name: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>)[name] as string;
export const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

/** Why the example cannot run here, or undefined. */
export function pythonMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import jwt, requests, cryptography; assert int(jwt.__version__.split(".")[0]) >= 2, jwt.__version__'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error) return `${PYTHON} cannot run (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} lacks python3-jwt ≥ 2, python3-requests or python3-cryptography: ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

export interface PythonApi {
  url: string;
  child: ChildProcess;
  /** Its log (stderr), line by line. */
  stderr: string[];
}

/** The last started API's log, for failure messages. */
let pythonLog: string[] = [];

/** Starts the example on a port it picks itself (it prints it), so no free-port guess can race. */
export async function startPythonApi(issuer: string, client: { clientId: string; clientSecret: string }, maxSilence: number): Promise<PythonApi> {
  const child = spawn(PYTHON, [EXAMPLE, '--issuer', issuer, '--audience', AUDIENCE, '--client-id', client.clientId, '--port', '0', '--max-silence', String(maxSilence)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', WARDEN_CLIENT_SECRET: client.clientSecret, PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  pythonLog = stderr;
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Python API did not start within 15 s: ${stderr.join('\n')}`)), 15_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^listening (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
    // 'close', not 'exit': by then its whole stderr has been read.
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Python API exited (${code}): ${stderr.join('\n')}`));
    });
  });
  return { url, child, stderr };
}

export async function call(api: PythonApi, pathname: string, token?: string): Promise<{ status: number; body: Record<string, unknown>; challenge: string | null }> {
  const response = await fetch(api.url + pathname, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, challenge: response.headers.get('www-authenticate') };
}

/** Polls until `accept` holds (a bounded wait on an outcome another process decides; no fixed sleep). */
export async function until<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean, what: string, withinMs = REFUSAL_WITHIN_MS): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms; last ${JSON.stringify(value)}; Python said:\n${pythonLog.slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface Stack {
  t: TestWarden;
  api: PythonApi;
  app: string;
  client: { clientId: string; clientSecret: string };
}

/** A service (heartbeats every 200 ms), a public app, the API's confidential client, and the Python API, live. */
export async function startStack(options: Partial<WardenOptions> = {}): Promise<Stack> {
  const t = await startTestWarden({ feedHeartbeatMs: 200, ...options });
  let api: PythonApi | undefined;
  try {
    const app = await t.createPublicClient();
    const client = await t.createConfidentialClient();
    api = await startPythonApi(t.baseUrl, client, 2);
    const started = api;
    await until(() => call(started, '/health'), (r) => r.body.feed === 'live', 'the feed goes live', 15_000);
    return { t, api, app, client };
  } catch (error) {
    api?.child.kill('SIGTERM');
    await t.close();
    throw error;
  }
}

export async function stopStack(stack: Stack | undefined): Promise<void> {
  stack?.api.child.kill('SIGTERM');
  await stack?.t.close();
}

export const refusedFor = (reason: string) => (r: { status: number; body: Record<string, unknown> }) => r.status === 401 && r.body.reason === reason;
