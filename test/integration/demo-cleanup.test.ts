/**
 * Demo mode leaves nothing behind: the headless process with `--demo` (simulated devices, demo API and all)
 * exits 0 on SIGTERM, and no new entry remains in the temporary directory or the home directory.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../helpers/serve-process';

/**
 * Runs the headless entry point as `node --import tsx …` rather than through the tsx CLI: the CLI keeps an
 * IPC directory of its own in TMPDIR, which would hide what Token Warden itself leaves behind.
 */
function startDemoProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ url: string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/headless.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line; stderr: ${stderr}`));
    }, 60_000);
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const match = /Token Warden listening on (http:\/\/\S+)/.exec(buffer);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1]!,
        stop: () => {
          child.kill('SIGTERM');
          return exit;
        },
      });
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}

async function entries(dir: string): Promise<Set<string>> {
  return new Set(await readdir(dir));
}

describe('demo mode cleanup', () => {
  // A private TMPDIR and HOME: other tests and workers running at the same time cannot add to what we compare.
  let sandbox: string;
  let tmp: string;
  let home: string;

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(os.tmpdir(), 'demo-cleanup-'));
    tmp = path.join(sandbox, 'tmp');
    home = path.join(sandbox, 'home');
    await mkdir(tmp);
    await mkdir(home);
  });

  afterAll(async () => {
    if (sandbox) await rm(sandbox, { recursive: true, force: true });
  });

  it('runs the simulation, then exits 0 on SIGTERM with no new files in TMPDIR or HOME', async () => {
    const tmpBefore = await entries(tmp);
    const homeBefore = await entries(home);
    const systemTmpBefore = await entries(os.tmpdir());
    const service = await startDemoProcess(
      ['--demo', '--demo-clients', '4'],
      // tsx (the dev runner, not Token Warden) would keep its transpile cache in TMPDIR; turn that off.
      { TMPDIR: tmp, HOME: home, XDG_DATA_HOME: path.join(home, '.local', 'share'), TSX_DISABLE_CACHE: '1' },
    );
    try {
      // While running, the throwaway data directory lives in TMPDIR…
      expect([...(await entries(tmp))].some((name) => name.startsWith('token-warden-demo-'))).toBe(true);
      // …and the simulated devices are really calling the demo API through the token service.
      const adminTokenDir = [...(await entries(tmp))].find((name) => name.startsWith('token-warden-demo-'))!;
      const adminToken = (await readFile(path.join(tmp, adminTokenDir, 'admin-token'), 'utf8')).trim();
      await expect
        .poll(
          async () => {
            const response = await fetch(`${service.url}/admin/rpc/getDemoState`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: '{}' });
            const body = (await response.json()) as { value?: { devices: { lastStatus: number | null }[] } };
            return body.value?.devices.filter((d) => d.lastStatus === 200).length;
          },
          { timeout: 15_000 },
        )
        .toBe(4);
    } finally {
      expect(await service.stop()).toBe(0);
    }
    expect([...(await entries(tmp))].filter((name) => !tmpBefore.has(name))).toEqual([]);
    expect([...(await entries(home))].filter((name) => !homeBefore.has(name))).toEqual([]);
    // Nothing of ours in the system temporary directory either (other processes may add their own files).
    const leaked = [...(await entries(os.tmpdir()))].filter((name) => !systemTmpBefore.has(name) && name.startsWith('token-warden-demo-'));
    expect(leaked).toEqual([]);
  }, 60_000);
});
