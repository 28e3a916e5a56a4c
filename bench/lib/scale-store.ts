/**
 * The scale store under bench/.work/scale/ (gitignored): created once by `openStore` (the real schema and
 * migrations), bootstrapped through the engine (signing key, clients), bulk-loaded by ./scale-data.ts, and
 * reused by later runs (scale and console suites) while its parameters and schema version match.
 *
 * The engine opens it with a clock frozen at the generation instant, so "active", "expired" and the
 * retention purge mean the same thing on every run. The bench's signing key lives next to the database
 * (mode 0600), with the next key the engine publishes ahead, and both are loaded into a memory vault: reopening
 * never rotates keys or adds audit entries.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ManualClock, type Clock } from '../../src/main/engine/clock';
import { Engine } from '../../src/main/engine/engine';
import { hashPassword } from '../../src/main/engine/passwords';
import { MemoryVault } from '../../src/main/keys/memory-vault';
import { SCHEMA_VERSION, openStore } from '../../src/main/store/index';
import { generateRows, type GeneratedFacts, type ScaleParams } from './scale-data';

export const WORK_DIR = fileURLToPath(new URL('../.work/', import.meta.url));
export const SCALE_DIR = path.join(WORK_DIR, 'scale');
export const SCALE_DB = path.join(SCALE_DIR, 'warden.db');
const META = path.join(SCALE_DIR, 'meta.json');
const KEY = path.join(SCALE_DIR, 'bench-signing-key.json');
/** The next key's private JWK (it carries its kid): without it, every open would publish a new next key. */
const NEXT_KEY = path.join(SCALE_DIR, 'bench-next-key.json');

/** Every bench user's password (users share one real scrypt hash). */
export const SCALE_PASSWORD = 'bench-password-1';
export const SCALE_ISSUER = 'http://127.0.0.1:0';

export const DEFAULT_SCALE: ScaleParams = { users: 100_000, sessions: 1_000_000, refreshTokens: 5_000_000, auditEvery: 10, seed: 20260101, generator: 3 };

export interface ScaleMeta extends GeneratedFacts {
  params: ScaleParams;
  schemaVersion: number;
  /** The frozen "now" of the generated data (ms). */
  now: number;
  generatedAt: string;
  generationMs: number;
  kid: string;
  clients: string[];
}

export interface ScaleStore {
  meta: ScaleMeta;
  reused: boolean;
  dbPath: string;
  /** Database plus WAL and shared-memory files, bytes. */
  sizeBytes(): number;
  /** Opens the engine on the store (or a copy of its file at `dbPath`) with the bench key; the clock is frozen at the generation instant unless given. */
  openEngine(dbPath?: string, clock?: Clock): Promise<Engine>;
}

function readMeta(): ScaleMeta | undefined {
  try {
    return JSON.parse(readFileSync(META, 'utf8')) as ScaleMeta;
  } catch {
    return undefined;
  }
}

function sameParams(a: ScaleParams, b: ScaleParams): boolean {
  return (Object.keys(b) as Array<keyof ScaleParams>).every((key) => a[key] === b[key]);
}

export function fileBytes(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

function handle(meta: ScaleMeta, reused: boolean): ScaleStore {
  return {
    meta,
    reused,
    dbPath: SCALE_DB,
    sizeBytes: () => fileBytes(SCALE_DB) + fileBytes(`${SCALE_DB}-wal`) + fileBytes(`${SCALE_DB}-shm`),
    async openEngine(dbPath = SCALE_DB, clock: Clock = new ManualClock(meta.now)) {
      const vault = new MemoryVault();
      await vault.put(meta.kid, readFileSync(KEY, 'utf8'));
      const nextJwk = readFileSync(NEXT_KEY, 'utf8');
      await vault.put((JSON.parse(nextJwk) as { kid: string }).kid, nextJwk);
      return Engine.open({ store: openStore(dbPath), vault, clock, issuer: SCALE_ISSUER, onError: (e) => console.error('[bench] engine fault:', e) });
    },
  };
}

/** Returns the scale store, generating it when missing, incomplete or built with other parameters. */
export async function ensureScaleStore(params: ScaleParams, log: (line: string) => void): Promise<ScaleStore> {
  const existing = readMeta();
  if (existing && sameParams(existing.params, params) && existing.schemaVersion === SCHEMA_VERSION && existsSync(SCALE_DB) && existsSync(KEY) && existsSync(NEXT_KEY)) {
    log(`scale: reusing ${path.relative(process.cwd(), SCALE_DB)} (generated ${existing.generatedAt})`);
    return handle(existing, true);
  }
  rmSync(SCALE_DIR, { recursive: true, force: true });
  mkdirSync(SCALE_DIR, { recursive: true, mode: 0o700 });
  const started = performance.now();
  const now = Math.floor(Date.now() / 60_000) * 60_000;

  // 1. Schema, settings, first signing key and clients through the real code paths.
  const vault = new MemoryVault();
  const clock = new ManualClock(now - 400 * 86_400_000);
  const engine = await Engine.open({ store: openStore(SCALE_DB), vault, clock, issuer: SCALE_ISSUER });
  const clients = ['web-app', 'ios-app', 'android-app'];
  for (const clientId of clients) await engine.admin.createClient({ clientId, kind: 'public', name: `Bench ${clientId}`, grantTypes: ['password', 'refresh_token'] }, { actor: 'admin', role: 'owner', adminId: null });
  await engine.admin.createClient({ clientId: 'orders-api', kind: 'confidential', name: 'Bench resource server', grantTypes: [] }, { actor: 'admin', role: 'owner', adminId: null });
  const kid = (await engine.store.listKeys()).find((key) => key.status === 'active')?.kid;
  const privateJwk = kid ? await vault.get(kid) : undefined;
  if (!kid || !privateJwk) throw new Error('the engine did not create a signing key');
  const nextKid = (await engine.store.listKeys()).find((key) => key.status === 'next')?.kid;
  const nextJwk = nextKid ? await vault.get(nextKid) : undefined;
  if (!nextJwk) throw new Error('the engine did not publish a next signing key');
  writeFileSync(KEY, privateJwk, { mode: 0o600 });
  chmodSync(KEY, 0o600);
  writeFileSync(NEXT_KEY, nextJwk, { mode: 0o600 });
  chmodSync(NEXT_KEY, 0o600);
  const prevHash = (await engine.store.lastAudit())?.hash;
  if (!prevHash) throw new Error('the engine wrote no audit entry');
  await engine.close();

  // 2. Bulk load over one exclusive connection with the durability switched off: if this dies half way the
  // directory has no meta.json and is regenerated next time.
  const db = new Database(SCALE_DB);
  db.pragma('journal_mode = DELETE');
  db.pragma('journal_mode = MEMORY'); // OFF is refused by this build (defensive mode)
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('cache_size = -1500000');
  db.pragma('temp_store = MEMORY');
  // Sessions are written before their users (users carry the last-login time); checked as a whole below.
  db.pragma('foreign_keys = OFF');
  let facts: GeneratedFacts;
  try {
    const passwordHash = await hashPassword(SCALE_PASSWORD);
    facts = generateRows({ db, params, now, kid, passwordHash, clients, prevHash, log });
    // Planner statistics for the loaded tables, sampled as the store's own close samples them. Without this the
    // store kept the statistics of the 4-row bootstrap (the close below analyzes only tables it queried): the
    // run that generated the store then timed plans made for an empty audit (a type + text search took 30 s, so
    // its class timed nothing), and only later runs, after a close had re-analyzed, timed the real plans.
    db.pragma('analysis_limit = 400');
    db.exec('ANALYZE');
    const dangling = db.pragma('foreign_key_check') as unknown[];
    if (dangling.length > 0) throw new Error(`generated rows break ${dangling.length} foreign keys`);
    db.pragma('locking_mode = NORMAL');
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  // 3. Reopen and close through the store, which runs its own `PRAGMA optimize` as it would in production.
  await openStore(SCALE_DB).close();

  const meta: ScaleMeta = { ...facts, params, schemaVersion: SCHEMA_VERSION, now, generatedAt: new Date().toISOString(), generationMs: Math.round(performance.now() - started), kid, clients };
  writeFileSync(META, `${JSON.stringify(meta, null, 2)}\n`);
  return handle(meta, false);
}
