/**
 * Runs the headless service as a separate process (`npm run serve` or tsx directly) and waits for its
 * "listening" line. The process gets its own process group so that stopping it reaches npm's children too.
 * Its stdout mixes the human lines (`Token Warden listening on …`) with the structured JSON log: lines that
 * parse as a JSON object go to `logs`, the others to `stdout`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServeProcess {
  child: ChildProcess;
  /** The base URL from `Token Warden listening on <url>`. */
  url: string;
  /** The human lines of stdout. */
  stdout: string[];
  /** The structured log events (JSON lines of stdout), parsed. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the first log event that `match` accepts (bounded wait). */
  waitForLog(match: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stderr: () => string;
  /** Resolves once stdout has at least `count` lines (bounded wait). */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
  /** Sends `signal` to the process (group) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ExitResult {
  code: number | null;
  /** The human lines of stdout (JSON log lines are in `logs`). */
  stdout: string;
  logs: Array<Record<string, unknown>>;
  stderr: string;
}

/** A structured log line, parsed; undefined for a human line. */
function logEvent(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function launch(via: 'npm' | 'tsx', args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const [command, commandArgs] =
    via === 'npm'
      ? ['npm', ['run', '--silent', 'serve', '--', ...args]]
      : // Not the tsx CLI: its signal relay SIGKILLs a child that does not report a signal within 30 ms.
        [process.execPath, ['--import', 'tsx', 'src/main/headless.ts', ...args]];
  return spawn(command, commandArgs, { cwd: REPO_ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts the service and resolves once it prints its listening line (rejects if it exits first). */
export function startServeProcess(args: string[], options: { via?: 'npm' | 'tsx'; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ServeProcess> {
  const child = launch(options.via ?? 'tsx', args, options.env);
  const stdout: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const lineWaiters: Array<() => void> = [];
  const logWaiters: Array<() => void> = [];
  const waitForLog = (match: (event: Record<string, unknown>) => boolean, timeoutMs = 5_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such log event among ${logs.length}: ${logs.map((event) => String(event.msg)).join(' | ')}`)), timeoutMs);
      const check = () => {
        const found = logs.find(match);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else logWaiters.push(check);
      };
      check();
    });
  let stderr = '';
  let exited = false;
  const waitForLines = (count: number, timeoutMs = 5_000) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${stdout.length} lines: ${stdout.join(' | ')}`)), timeoutMs);
      const check = () => {
        if (stdout.length >= count) {
          clearTimeout(timer);
          resolve(stdout);
        } else lineWaiters.push(check);
      };
      check();
    });
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!exited && child.pid) {
      try {
        // Ours to end: the group leader is the process we spawned.
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    }
    return exit;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`no listening line within the timeout; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const event = logEvent(line);
        if (event) {
          logs.push(event);
          logWaiters.splice(0).forEach((waiter) => waiter());
          continue;
        }
        stdout.push(line);
        lineWaiters.splice(0).forEach((waiter) => waiter());
        const match = /^Token Warden listening on (http:\/\/\S+)$/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve({ child, url: match[1]!, stdout, logs, waitForLog, stderr: () => stderr, waitForLines, stop });
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}

/** Runs the headless entry point to completion (for startup failures and --help). */
export function runServeProcess(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<ExitResult> {
  const child = launch('tsx', args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error('the service did not exit'));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n');
      const logs = lines.map(logEvent).filter((event) => event !== undefined);
      resolve({ code, stdout: lines.filter((line) => logEvent(line) === undefined).join('\n'), logs, stderr });
    });
  });
}
