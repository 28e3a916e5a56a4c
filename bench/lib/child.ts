/**
 * Servers under load run in their own process, so the load generator (in the bench process) and the server
 * each get a core. TypeScript entry points are started with `node --import tsx`; every wait is bounded, and
 * a child is stopped by its own pid (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// If the bench dies half way (a crash, Ctrl-C), no server it started may outlive it.
const live = new Set<ChildProcess>();
const exitCleanups = new Set<() => void>();
process.on('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
  for (const cleanup of exitCleanups) cleanup();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** Registers synchronous cleanup (e.g. removing a temporary directory) for an abnormal exit; returns its remover. */
export function onAbnormalExit(cleanup: () => void): () => void {
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

export interface ChildServer {
  proc: ChildProcess;
  /** Everything the child wrote to stderr (bounded), for error reports. */
  stderr(): string;
  /** Sends `message` over IPC and resolves with the first reply of `replyType`. */
  request<T>(message: Record<string, unknown>, replyType: string, timeoutMs: number): Promise<T>;
  stop(): Promise<void>;
}

/** Starts `node --import tsx <script> …args` from the repository root, with an IPC channel. */
export function spawnTs(script: string, args: string[] = []): ChildServer {
  // TW_BENCH_PROFILE_DIR=<dir>: every server writes a V8 CPU profile there when it exits (for `--cpu-prof` work).
  const profile = process.env.TW_BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.TW_BENCH_PROFILE_DIR}`] : [];
  const proc = spawn(process.execPath, [...profile, '--import', 'tsx', script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  let errors = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    errors = (errors + chunk).slice(-20_000);
  });
  return {
    proc,
    stderr: () => errors,
    request<T>(message: Record<string, unknown>, replyType: string, timeoutMs: number): Promise<T> {
      const reply = waitForMessage<T>(proc, replyType, timeoutMs);
      proc.send(message);
      return reply;
    },
    stop: () => stopChild(proc),
  };
}

/** Resolves with the first IPC message `{type}` from the child. */
export function waitForMessage<T>(proc: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no "${type}" message from the child within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: unknown) => {
      if (message !== null && typeof message === 'object' && (message as { type?: unknown }).type === type) finish(undefined, message as T);
    };
    const onExit = (code: number | null) => finish(new Error(`the child exited (code ${code}) before sending "${type}"`));
    function finish(error: Error | undefined, value?: T) {
      clearTimeout(timer);
      proc.off('message', onMessage);
      proc.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    }
    proc.on('message', onMessage);
    proc.on('exit', onExit);
  });
}

/** Resolves with the first match of `pattern` in the child's stdout. */
export function waitForStdout(proc: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => finish(new Error(`stdout did not match ${pattern} within ${timeoutMs} ms; got: ${seen.slice(-500)}`)), timeoutMs);
    const onData = (chunk: Buffer | string) => {
      seen = (seen + chunk.toString()).slice(-20_000);
      const match = pattern.exec(seen);
      if (match) finish(undefined, match);
    };
    const onExit = (code: number | null) => finish(new Error(`the child exited (code ${code}) before printing ${pattern}`));
    function finish(error: Error | undefined, match?: RegExpMatchArray) {
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      proc.off('exit', onExit);
      if (error) reject(error);
      else resolve(match!);
    }
    proc.stdout?.on('data', onData);
    proc.on('exit', onExit);
  });
}

export function stopChild(proc: ChildProcess, graceMs = 5_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}
