/**
 * A demo start prints no MaxListenersExceededWarning (it did on every start: each in-flight request of the
 * simulated devices added an abort listener to the one demo-wide signal, past Node's limit of 10). The check
 * runs in a process of its own and reads its stderr, where Node prints warnings.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/serve-process';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/demo-warnings-child.ts', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('demo start', () => {
  it('prints no MaxListenersExceededWarning with many requests in flight, and an abort still reaches them all', async () => {
    const result = await run(['24']);
    expect(result.stderr).not.toMatch(/MaxListenersExceededWarning|memory leak detected/);
    expect(result.stdout).toMatch(/^ok \d+/m);
    expect(result.code).toBe(0);
  }, 120_000);
});
