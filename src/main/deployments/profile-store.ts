/**
 * The remote deployment profiles: `DIR/deployments.json`, no secrets in it (each profile's API key is in the OS
 * keychain, ./credentials.ts). Every change is written atomically (a 0600 temporary file in the same directory,
 * fsynced, then renamed over the old one), one write at a time, and the in-memory list changes only after the
 * rename succeeded: a crash or a full disk leaves the previous file whole.
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { WardenError } from '../../shared/errors';
import type { Clock } from '../engine/clock';

export const PROFILES_FILE = 'deployments.json';

const storedProfileSchema = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().min(1).max(100),
    baseUrl: z.string().min(1).max(500),
    tlsVerify: z.boolean(),
    pinnedSha256: z.string().nullable(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
  })
  .strict();
export type StoredProfile = z.infer<typeof storedProfileSchema>;

const fileSchema = z.object({ version: z.literal(1), profiles: z.array(storedProfileSchema) }).strict();

/** What a save may set; id and times are the store's. */
export type ProfileFields = Pick<StoredProfile, 'name' | 'baseUrl' | 'tlsVerify' | 'pinnedSha256'>;

export class ProfileStore {
  #profiles: StoredProfile[] | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly clock: Clock,
  ) {}

  /** The profiles, oldest first. Refuses (storage_error) a file it cannot read rather than overwrite it. */
  async list(): Promise<StoredProfile[]> {
    return (await this.#load()).map((profile) => ({ ...profile }));
  }

  async get(id: string): Promise<StoredProfile | undefined> {
    const found = (await this.#load()).find((profile) => profile.id === id);
    return found ? { ...found } : undefined;
  }

  /** Adds a profile (no id) or replaces one's fields; `not_found` for an unknown id. */
  save(id: string | undefined, fields: ProfileFields): Promise<StoredProfile> {
    return this.#serial(async () => {
      const current = await this.#load();
      const now = this.clock.now();
      let saved: StoredProfile;
      let next: StoredProfile[];
      if (id === undefined) {
        saved = { id: randomUUID(), ...fields, createdAt: now, updatedAt: now };
        next = [...current, saved];
      } else {
        const existing = current.find((profile) => profile.id === id);
        if (!existing) throw new WardenError('not_found', `No deployment profile ${id}.`);
        saved = { ...existing, ...fields, updatedAt: now };
        next = current.map((profile) => (profile.id === id ? saved : profile));
      }
      await this.#write(next);
      return { ...saved };
    });
  }

  /** Removes a profile; `not_found` when there is none. */
  remove(id: string): Promise<StoredProfile> {
    return this.#serial(async () => {
      const current = await this.#load();
      const existing = current.find((profile) => profile.id === id);
      if (!existing) throw new WardenError('not_found', `No deployment profile ${id}.`);
      await this.#write(current.filter((profile) => profile.id !== id));
      return existing;
    });
  }

  /** One change at a time: each reads the list the previous one wrote. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<StoredProfile[]> {
    if (this.#profiles) return this.#profiles;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#profiles = [];
        return this.#profiles;
      }
      throw new WardenError('storage_error', `The deployment profiles (${this.file}) cannot be read.`, { detail: String(error) });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = fileSchema.safeParse(parsed);
    if (!result.success) {
      throw new WardenError('storage_error', `The deployment profiles file ${this.file} is damaged: fix it or move it away (it is not overwritten).`);
    }
    this.#profiles = result.data.profiles;
    return this.#profiles;
  }

  async #write(profiles: StoredProfile[]): Promise<void> {
    const body = `${JSON.stringify({ version: 1, profiles }, null, 2)}\n`;
    const temporary = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${randomUUID()}.tmp`);
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(body, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new WardenError('storage_error', `The deployment profiles could not be saved to ${this.file}.`, { detail: String(error) });
    }
    await syncDirectory(path.dirname(this.file));
    this.#profiles = profiles;
  }
}

/** Makes the rename itself durable; some file systems (and Windows) cannot open a directory: best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data is in the renamed file either way; only its survival of a power cut right now is at stake.
  }
}
