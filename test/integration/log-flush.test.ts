/**
 * The log's default destination buffers the lines of one event-loop turn and writes them together (one
 * write instead of one per request line), so it must never lose them: real processes log N lines and end in
 * the same turn — normally, with process.exit(), with a fatal event, with an uncaught exception, through a
 * SIGTERM handler — and all N (plus the last word) are on their stdout, in order.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnBufferedDestination } from '../../src/main/ops/log-destination';
import { REPO_ROOT } from '../helpers/serve-process';

const CHILD = 'test/helpers/log-flush-child.ts';
/** More than the destination writes at once (64 KiB), so a burst's early write and its remainder both count. */
const LINES = 2_000;

interface Ended {
  code: number | null;
  events: Array<{ n?: number; msg?: string; level?: string }>;
  human: string[];
}

function run(mode: string, count: number, onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, String(count)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let seen = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const lines = out.split('\n');
      for (; seen < lines.length - 1; seen++) onLine?.(lines[seen]!, (signal) => child.kill(signal));
    });
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => {
      const lines = out.split('\n').filter((line) => line !== '');
      resolve({
        code,
        events: lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Ended['events'][number]),
        human: lines.filter((line) => !line.startsWith('{')),
      });
    });
  });
}

const numbered = (events: Ended['events']) => events.map((event) => event.n);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('the buffered log destination loses no line', () => {
  it('when the event loop simply ends', async () => {
    const ended = await run('natural', LINES);
    expect(ended.code).toBe(0);
    expect(numbered(ended.events)).toEqual(oneTo(LINES));
  });

  it('at process.exit() in the same turn as the lines', async () => {
    const ended = await run('exit', LINES);
    expect(ended.code).toBe(0);
    expect(numbered(ended.events)).toEqual(oneTo(LINES));
  });

  it('with a fatal event and exit 1', async () => {
    const ended = await run('fatal', LINES);
    expect(ended.code).toBe(1);
    expect(numbered(ended.events)).toEqual(oneTo(LINES + 1));
    expect(ended.events.at(-1)).toMatchObject({ level: 'fatal', msg: 'giving up' });
  });

  it('when an uncaught exception ends the process', async () => {
    const ended = await run('throw', LINES);
    expect(ended.code).toBe(1);
    expect(numbered(ended.events)).toEqual(oneTo(LINES));
  });

  it('through a SIGTERM handler that logs its last word and exits', async () => {
    const ended = await run('sigterm', LINES, (line, kill) => {
      if (line === 'ready') kill('SIGTERM');
    });
    expect(ended.code).toBe(0);
    expect(ended.human).toEqual(['ready']);
    expect(numbered(ended.events)).toEqual(oneTo(LINES + 1));
    expect(ended.events.at(-1)).toMatchObject({ msg: 'stopping' });
  });
});

describe('TurnBufferedDestination', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'warden-log-dest-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the lines of one turn together at the start of the next, in order', async () => {
    const file = path.join(dir, 'turn.log');
    const fd = openSync(file, 'w');
    try {
      const destination = new TurnBufferedDestination(fd);
      destination.write('{"n":1}\n');
      destination.write('{"n":2}\n');
      destination.write('{"n":3}\n');
      expect(readFileSync(file, 'utf8')).toBe('');
      await new Promise((resolve) => setImmediate(resolve));
      expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
      destination.write('{"n":4}\n');
      destination.flush();
      expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n');
    } finally {
      closeSync(fd);
    }
  });

  it('writes at once once a turn has buffered 64 KiB', () => {
    const file = path.join(dir, 'burst.log');
    const fd = openSync(file, 'w');
    try {
      const destination = new TurnBufferedDestination(fd);
      const line = `${'x'.repeat(1023)}\n`;
      for (let i = 0; i < 63; i++) destination.write(line);
      expect(readFileSync(file, 'utf8')).toBe('');
      destination.write(line);
      expect(readFileSync(file, 'utf8')).toBe(line.repeat(64));
    } finally {
      closeSync(fd);
    }
  });
});
