/**
 * `npm run rotate-master-key -- [--data-dir DIR] (--master-key-file OLD | TOKEN_WARDEN_MASTER_KEY=…)
 *   --new-master-key-file NEW`: re-encrypts every private key of `--key-store database` under a new master
 * key, in one transaction (./keys/rotate-master-key.ts, docs/keys.md). It takes the data directory's lock,
 * so it refuses to run while a Token Warden serves that directory: stop it, rotate, start it with NEW.
 * Prints one line and exits 0; a refusal prints one line on stderr and exits 1 (the keys are unchanged).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isWardenError, WardenError } from '../shared/errors';
import { defaultDataDir } from './config';
import { openDataDir } from './data-dir';
import { loadMasterKey, MASTER_KEY_ENV, SecretText } from './keys/master-key';
import { rotateMasterKey, type RotationResult } from './keys/rotate-master-key';
import { openStore } from './store/index';

export interface RotateOptions {
  dataDir: string;
  masterKeyFile?: string;
  masterKey?: SecretText;
  newMasterKeyFile: string;
  now: number;
  warn: (line: string) => void;
}

const FLAGS = ['--data-dir', '--master-key-file', '--new-master-key-file'] as const;

function invalid(message: string): WardenError {
  return new WardenError('invalid_input', message);
}

/** Reads `--flag value` / `--flag=value` for the three flags; anything else is refused. */
export function parseRotateArgs(argv: string[], env: NodeJS.ProcessEnv, now: number, warn: (line: string) => void): RotateOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!(FLAGS as readonly string[]).includes(name)) throw invalid(`Unknown argument "${arg.slice(0, 60)}". Flags: ${FLAGS.join(', ')}.`);
    const value = eq === -1 ? argv[(i += 1)] : arg.slice(eq + 1);
    if (!value || (eq === -1 && value.startsWith('--'))) throw invalid(`${name} needs a value.`);
    if (values.has(name)) throw invalid(`${name} is given more than once.`);
    values.set(name, value);
  }
  const newFile = values.get('--new-master-key-file');
  if (!newFile) throw invalid('--new-master-key-file FILE is required: the new master key (32 random bytes in base64 or hex; openssl rand -base64 32).');
  const oldFile = values.get('--master-key-file');
  return {
    dataDir: path.resolve(values.get('--data-dir') ?? defaultDataDir(env)),
    ...(oldFile ? { masterKeyFile: path.resolve(oldFile) } : {}),
    ...(env[MASTER_KEY_ENV] ? { masterKey: new SecretText(env[MASTER_KEY_ENV]) } : {}),
    newMasterKeyFile: path.resolve(newFile),
    now,
    warn,
  };
}

/** Rotates the master key of the data directory's database. @throws WardenError with the reason (nothing changed). */
export async function rotateDataDirMasterKey(options: RotateOptions): Promise<RotationResult> {
  const oldKey = await loadMasterKey({ file: options.masterKeyFile, env: options.masterKey }, options.warn);
  const newKey = await loadMasterKey({ file: options.newMasterKeyFile }, options.warn, '--new-master-key-file');
  // The lock refuses while a Token Warden serves the directory (its instance would keep sealing with the old key).
  const dir = openDataDir(options.dataDir);
  try {
    if (dir.fresh) throw invalid(`${options.dataDir} holds no Token Warden database: there is nothing to rotate.`);
    const store = openStore(dir.databasePath);
    try {
      // Awaited inside the try: the store closes only after the rotation has committed or rolled back.
      return await rotateMasterKey(store, oldKey.key, newKey.key, options.now);
    } finally {
      await store.close();
    }
  } finally {
    if (dir.fresh) dir.discard();
    else dir.release();
  }
}

async function main(): Promise<void> {
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  const result = await rotateDataDirMasterKey(parseRotateArgs(process.argv.slice(2), process.env, Date.now(), warn));
  process.stdout.write(
    `Master key rotated: ${result.keys} private key${result.keys === 1 ? '' : 's'} re-encrypted under master-key version ${result.to} (version ${result.from} is retired and refused). ` +
      'Start Token Warden with the new master key.\n',
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    const message = isWardenError(error) ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`token-warden: ${message}\n`);
    process.exit(1);
  });
}
