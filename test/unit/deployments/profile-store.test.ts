import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/main/engine/clock';
import { ProfileStore } from '../../../src/main/deployments/profile-store';
import { WardenError } from '../../../src/shared/errors';

const fields = (name: string) => ({ name, baseUrl: 'https://auth.example.com', tlsVerify: true, pinnedSha256: null });

describe('ProfileStore', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tw-profiles-'));
    file = path.join(dir, 'deployments.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('starts empty, writes a 0600 file and reads it back in a new store', async () => {
    const store = new ProfileStore(file, new ManualClock());
    expect(await store.list()).toEqual([]);
    const saved = await store.save(undefined, fields('prod'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = new ProfileStore(file, new ManualClock());
    expect(await again.list()).toEqual([saved]);
    expect(await readdir(dir)).toEqual(['deployments.json']);
  });

  it('edits and removes by id; unknown ids are not_found', async () => {
    const clock = new ManualClock();
    const store = new ProfileStore(file, clock);
    const saved = await store.save(undefined, fields('prod'));
    clock.advance(1000);
    const edited = await store.save(saved.id, { ...fields('production'), pinnedSha256: 'AB' });
    expect(edited).toMatchObject({ id: saved.id, name: 'production', createdAt: saved.createdAt, updatedAt: saved.updatedAt + 1000 });
    await expect(store.save('nope', fields('x'))).rejects.toMatchObject({ code: 'not_found' });
    await store.remove(saved.id);
    await expect(store.remove(saved.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, profiles: [] });
  });

  it('a failed write leaves the old file and the list as they were, and no temporary file behind', async () => {
    const store = new ProfileStore(file, new ManualClock());
    const first = await store.save(undefined, fields('one'));
    const before = await readFile(file, 'utf8');
    // The rename cannot replace a non-empty directory: the write fails after the temporary file was written.
    await rm(file);
    await mkdir(path.join(file, 'blocker'), { recursive: true });
    const failed = await store.save(undefined, fields('two')).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(WardenError);
    expect((failed as WardenError).code).toBe('storage_error');
    expect(await store.list()).toEqual([first]);
    expect((await readdir(dir)).sort()).toEqual(['deployments.json']);
    await rm(file, { recursive: true });
    await writeFile(file, before);
    expect(await new ProfileStore(file, new ManualClock()).list()).toEqual([first]);
  });

  it('concurrent saves are serialized: none is lost', async () => {
    const store = new ProfileStore(file, new ManualClock());
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.save(undefined, fields(`d${i}`))));
    const names = (await new ProfileStore(file, new ManualClock()).list()).map((profile) => profile.name).sort();
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `d${i}`).sort());
  });

  it('refuses a damaged file and does not overwrite it', async () => {
    await writeFile(file, '{"version":1,"profiles":[{"id":1}]}');
    const store = new ProfileStore(file, new ManualClock());
    await expect(store.list()).rejects.toMatchObject({ code: 'storage_error' });
    await expect(store.save(undefined, fields('x'))).rejects.toMatchObject({ code: 'storage_error' });
    expect(await readFile(file, 'utf8')).toBe('{"version":1,"profiles":[{"id":1}]}');
  });
});
