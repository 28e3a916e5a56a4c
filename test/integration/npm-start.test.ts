/**
 * `npm start` as a newcomer runs it (`node scripts/start.mjs`): it builds the console when the build is
 * missing or older than the sources, finds no display here, and serves the console in the browser with a
 * one-time login URL, in demo mode. SIGTERM ends it cleanly. The config file's mtime is moved to now first,
 * so the build step runs every time (it once failed only on a fresh clone, where out/ did not exist yet).
 */
import { spawn } from 'node:child_process';
import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/serve-process';

describe('npm start', () => {
  it('builds the console, serves it with a login URL, and stops on SIGTERM', async () => {
    const now = new Date();
    await utimes(path.join(REPO_ROOT, 'electron.vite.config.ts'), now, now);
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      const consoleUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no console URL within 150 s:\n${output}`)), 150_000);
        const poll = setInterval(() => {
          const match = /Console: (http:\/\/127\.0\.0\.1:\d+\/\?code=\S+)/.exec(output);
          if (!match) return;
          clearTimeout(timer);
          clearInterval(poll);
          resolve(match[1]!);
        }, 50);
        void exit.then((code) => reject(new Error(`npm start exited (${code}) before serving:\n${output}`)));
      });
      expect(output).toContain('Building the console');
      expect(output).toMatch(/Electron can't run here \(no display/);
      const page = await fetch(consoleUrl, { signal: AbortSignal.timeout(10_000) });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">/);
      // The one-time code logs the console in, and demo mode is on by default: simulated devices exist.
      const origin = new URL(consoleUrl).origin;
      const post = (route: string, session: { cookie: string; csrf: string } | null, body: unknown) =>
        fetch(`${origin}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin, ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}) },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
      const started = await post('/admin/session', null, { code: new URL(consoleUrl).searchParams.get('code') });
      const session = (await started.json()) as { ok: boolean; value?: { csrfToken: string } };
      expect(session.ok).toBe(true);
      const cookie = started.headers.getSetCookie()[0]!.split(';')[0]!;
      const demo = (await (await post('/admin/rpc/getDemoState', { cookie, csrf: session.value!.csrfToken }, {})).json()) as { ok: boolean; value?: Record<string, unknown> };
      expect(demo.ok).toBe(true);
      expect((demo.value!.devices as unknown[]).length).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
  }, 180_000);
});
