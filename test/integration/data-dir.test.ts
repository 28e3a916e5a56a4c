/**
 * The data directory's rules (src/main/data-dir.ts): one process at a time, held by a lock the kernel releases
 * on any death; a used directory without its database is refused instead of being started over; the admin
 * token file is never replaced silently. Child processes are real `npm run serve` entry points (tsx).
 */
import { mkdtemp, readFile, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWarden, type RunningWarden, type WardenOptions } from '../../src/main/app';
import { isWardenError } from '../../src/shared/errors';
import { runServeProcess, startServeProcess, type ServeProcess } from '../helpers/serve-process';

const dirs: string[] = [];
const running: RunningWarden[] = [];
const children: ServeProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) await child.stop('SIGKILL');
  for (const warden of running.splice(0)) await warden.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warden-datadir-'));
  dirs.push(dir);
  return dir;
}

const options = (dataDir: string, extra: Partial<WardenOptions> = {}): WardenOptions =>
  ({ dataDir, port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'memory', consoleDir: null, demo: false, ...extra }) as WardenOptions;

async function start(dataDir: string, extra: Partial<WardenOptions> = {}): Promise<RunningWarden> {
  const warden = await startWarden(options(dataDir, extra));
  running.push(warden);
  return warden;
}

async function refusal(dataDir: string, extra: Partial<WardenOptions> = {}): Promise<string> {
  try {
    const warden = await startWarden(options(dataDir, extra));
    running.push(warden);
  } catch (error) {
    if (isWardenError(error) && error.code === 'storage_error') return error.message;
    throw error;
  }
  throw new Error('the start was not refused');
}

const serve = (dataDir: string) => ['--data-dir', dataDir, '--key-store', 'memory'];
const exists = (file: string) => stat(file).then(() => true, () => false);

describe('one process per data directory', () => {
  it('refuses a second start in the same process, naming the running one; a start after close succeeds', async () => {
    const dir = await tempDir();
    const first = await start(dir);
    const message = await refusal(dir);
    expect(message).toContain(`The data directory ${dir} is in use by another Token Warden (pid ${process.pid}, started `);
    expect(message).toContain(first.issuer);
    // The refused start touched nothing: the first one still answers, with the same admin token.
    const token = await readFile(path.join(dir, 'admin-token'), 'utf8');
    expect((await fetch(`${first.issuer}/oauth/jwks`)).status).toBe(200);
    await first.close();
    running.splice(running.indexOf(first), 1);
    const again = await start(dir);
    expect(await readFile(path.join(dir, 'admin-token'), 'utf8')).toBe(token);
    await again.close();
    running.splice(running.indexOf(again), 1);
  });

  it('refuses a second serve process with one line naming the first one (pid, start time, URL)', async () => {
    const dir = await tempDir();
    const holder = await startServeProcess(serve(dir));
    children.push(holder);
    const second = await runServeProcess(serve(dir));
    expect(second.code).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^token-warden: The data directory .* is in use by another Token Warden \\(pid ${holder.child.pid}, started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, ${holder.url.replace(/[.]/g, '\\.')}\\)\\. Stop it first`));
    expect(second.stdout).toBe('');
    // And from another process in-process style: startWarden here is refused too.
    expect(await refusal(dir)).toContain(`pid ${holder.child.pid}`);
  });

  it('after kill -9 of the holder the lock is gone: the next start succeeds, and its data is intact', async () => {
    const dir = await tempDir();
    const holder = await startServeProcess(serve(dir));
    children.push(holder);
    const token = (await readFile(path.join(dir, 'admin-token'), 'utf8')).trim();
    const created = await fetch(`${holder.url}/admin/rpc/createUser`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'kept-after-kill', password: 'password-123456' }),
    });
    expect(created.status).toBe(200);
    await holder.stop('SIGKILL');
    // The dead holder's info file is still there; it must not block anyone.
    expect(await exists(path.join(dir, 'warden.lock.json'))).toBe(true);
    const next = await startServeProcess(serve(dir));
    children.push(next);
    const users = await fetch(`${next.url}/admin/rpc/listUsers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ offset: 0, limit: 10 }),
    });
    expect(users.status).toBe(200);
    expect(JSON.stringify(await users.json())).toContain('kept-after-kill');
    // The survivor now holds the lock: a third start is refused naming it.
    expect(await refusal(dir)).toContain(`pid ${next.child.pid}`);
  });
});

describe('a used data directory is never started over', () => {
  for (const damage of ['deleted', 'emptied'] as const) {
    it(`refuses to start when warden.db was ${damage}, and writes nothing`, async () => {
      const dir = await tempDir();
      const first = await start(dir);
      await first.close();
      running.splice(running.indexOf(first), 1);
      const token = await readFile(path.join(dir, 'admin-token'), 'utf8');
      const db = path.join(dir, 'warden.db');
      if (damage === 'deleted') await unlink(db);
      else await truncate(db, 0);

      const message = await refusal(dir);
      expect(message).toContain(`was used before (found admin-token`);
      expect(message).toContain(damage === 'deleted' ? 'warden.db is missing' : 'warden.db is empty (0 bytes)');
      expect(message).toContain('Restore warden.db from a backup');
      expect(await readFile(path.join(dir, 'admin-token'), 'utf8')).toBe(token);
      if (damage === 'deleted') expect(await exists(db)).toBe(false);
      else expect((await stat(db)).size).toBe(0);

      const child = await runServeProcess(serve(dir));
      expect(child.code).toBe(1);
      expect(child.stderr.trim().split('\n')).toEqual([expect.stringContaining('Refusing to start over as a new install')]);
    });
  }

  it('a database gone after kill -9 (its -wal and -shm left) is refused too', async () => {
    const dir = await tempDir();
    const holder = await startServeProcess(serve(dir));
    children.push(holder);
    await holder.stop('SIGKILL');
    await unlink(path.join(dir, 'warden.db'));
    await unlink(path.join(dir, 'admin-token'));
    const message = await refusal(dir);
    expect(message).toMatch(/found warden\.db-wal, warden\.db-shm, warden\.lock\.json\)/);
  });

  it('initialises a directory with neither a database nor any sign of use', async () => {
    const dir = await tempDir();
    const warden = await start(dir);
    expect((await readFile(path.join(dir, 'admin-token'), 'utf8')).trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await exists(path.join(dir, 'warden.lock.json'))).toBe(true);
    await warden.close();
    running.splice(running.indexOf(warden), 1);
    // A clean stop removes the info file (the lock file stays: it is empty and holds nothing).
    expect(await exists(path.join(dir, 'warden.lock.json'))).toBe(false);
  });
});

describe('the admin token file is never replaced silently', () => {
  async function stopped(): Promise<{ dir: string; file: string; token: string }> {
    const dir = await tempDir();
    const warden = await start(dir);
    await warden.close();
    running.splice(running.indexOf(warden), 1);
    const file = path.join(dir, 'admin-token');
    return { dir, file, token: (await readFile(file, 'utf8')).trim() };
  }

  it('refuses a garbled file and leaves it as it was', async () => {
    const { dir, file } = await stopped();
    await writeFile(file, 'not-a-token\n', { mode: 0o600 });
    const message = await refusal(dir);
    expect(message).toContain(`The admin token file ${file} is garbled`);
    expect(message).toContain('delete it to mint a new admin token');
    expect(await readFile(file, 'utf8')).toBe('not-a-token\n');
  });

  it('refuses a well-formed token this database does not know', async () => {
    const { dir, file } = await stopped();
    const stranger = Buffer.alloc(32, 7).toString('base64url');
    await writeFile(file, `${stranger}\n`, { mode: 0o600 });
    expect(await refusal(dir)).toContain('does not hold the admin token this database knows');
    expect((await readFile(file, 'utf8')).trim()).toBe(stranger);
  });

  it('a deleted file mints a new token, says so, and the old one stops working', async () => {
    const { dir, file, token } = await stopped();
    await unlink(file);
    const warnings: string[] = [];
    const warden = await start(dir, { warn: (line) => warnings.push(line) });
    const fresh = (await readFile(file, 'utf8')).trim();
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(token);
    expect(warnings).toContainEqual(expect.stringContaining('A new admin token was written'));
    const call = (bearer: string) => fetch(`${warden.issuer}/admin/rpc/listKeys`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: '{}' });
    expect((await call(fresh)).status).toBe(200);
    expect((await call(token)).status).toBe(401);
  });
});
