/**
 * The service's configuration: every command-line flag, declared once in `flagsSchema` — its name, how its
 * value is parsed, its default and its help text. `parseWardenArgs` reads argv with it, `usage()` (the
 * headless `--help`) and `configurationTable()` (docs/configuration.md, checked by a unit test) are
 * generated from it, so a flag cannot be parsed one way and documented another.
 *
 * A flag whose value is a secret says so with `secret: true` in its FlagMeta: the effective configuration
 * printed at start (and any other print of it) masks its value.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { signingAlgSchema, type SigningAlg } from '../shared/dto';
import { WardenError } from '../shared/errors';
import { DEFAULT_DEMO_DEVICES, MAX_DEMO_DEVICES } from './demo/world';
import { DEFAULT_SETTINGS } from './engine/settings';
import { MASTER_KEY_ENV, SecretText } from './keys/master-key';
import { describeSource, effectiveConfiguration, environmentLayer, envName, fileLayer, mergeLayers, type Source } from './config-sources';
import { checkCidr } from './http/trusted-proxies';

/** What the command line decides. `startWarden` takes these plus programmatic options (see WardenOptions). */
export interface WardenConfig {
  /** Where warden.db and admin-token live; null with `demo` means a throwaway temporary directory. */
  dataDir: string | null;
  /** 0: the port stored with the data (the first start picks a free one and stores it). */
  port: number;
  /** Address to bind; anything but loopback needs `allowRemote`. `localhost` binds 127.0.0.1. */
  host: string;
  allowRemote: boolean;
  keyStore: 'keychain' | 'database' | 'memory';
  /** `--master-key-file`: the master key of `--key-store database` (docs/keys.md). */
  masterKeyFile?: string;
  /** `TOKEN_WARDEN_MASTER_KEY`: the master key itself, redacted in every print (SecretText). */
  masterKey?: SecretText;
  /** `--admin-token-file`: the bootstrap admin secret's file, instead of DIR/admin-token (shared by instances). */
  adminTokenFile?: string;
  /** `--database` / TOKEN_WARDEN_DATABASE_URL: the PostgreSQL store's URL instead of DIR/warden.db (redacted in prints). */
  database?: SecretText;
  /** A built renderer to serve at `/` (browser console). */
  consoleDir: string | null;
  demo: boolean;
  /** Demo mode: how many simulated devices (`--demo-clients N`, default 12). */
  demoClients?: number;
  /** `--issuer`: the canonical issuer (an http(s) origin, no trailing slash); stored with the data. */
  issuer?: string;
  /**
   * `--trust-proxy`: `true` (the bare switch) trusts the immediate peer, one hop: the client is the last
   * X-Forwarded-For entry. A list of CIDRs trusts only peers in them, and the client is the rightmost entry
   * outside them (see ./http/trusted-proxies).
   */
  trustProxy?: true | string[];
  /** `--log-level`: the structured log's threshold (headless; default info). */
  logLevel?: LogLevel;
  /** `--drain-timeout`: how long SIGTERM waits for requests in flight, in ms (default 10 000). */
  drainTimeoutMs?: number;
  /** `--signing-alg`: the algorithm of a new install's first key; ignored (with a notice) once keys exist. */
  signingAlg?: SigningAlg;
}

/** How a flag appears on the command line, in `--help` and in docs/configuration.md. */
// A type alias, not an interface: zod's .meta() wants an object type with an index signature.
export type FlagMeta = {
  flag: `--${string}`;
  /** The value's placeholder (`DIR`, `N`); absent for a switch. */
  value?: string;
  /** The default, as the help and the docs state it. */
  default: string;
  /** What it does (plain text: the same words go to `--help` and to the docs table). */
  help: string;
  /** A secret (a database URL with a password, a master key): the effective configuration printed at start masks it. */
  secret?: boolean;
  /** The environment variable, when not TOKEN_WARDEN_<FLAG_NAME> (e.g. TOKEN_WARDEN_DATABASE_URL). */
  env?: string;
  /** A switch that may also take a value (a list): `--trust-proxy` alone, or `--trust-proxy 10.0.0.0/8 ::1`. */
  valueOptional?: boolean;
};

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_DRAIN_TIMEOUT_S = 10;
const MAX_DRAIN_TIMEOUT_S = 3600;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

/** The environment variables the configuration reads (docs/configuration.md's table is made from this list). */
export const ENVIRONMENT = [
  { name: 'TOKEN_WARDEN_<FLAG_NAME>', help: 'every flag (see the environment column above): below the command line, above the --config file; empty counts as unset; a switch takes true/false, 1/0, yes/no, on/off' },
  { name: 'XDG_DATA_HOME', help: 'base of the default data directory, $XDG_DATA_HOME/token-warden (unset or empty: ~/.local/share/token-warden)' },
  { name: MASTER_KEY_ENV, secret: true, help: 'the master key of --key-store database (32 random bytes, base64 or hex; instead of --master-key-file; docs/keys.md)' },
] as const;

/** The default data directory for a real (non-demo) start: $XDG_DATA_HOME/token-warden. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'token-warden');
}

function invalid(message: string): WardenError {
  return new WardenError('invalid_input', message);
}

/** A refusal carries the exact message the user sees; the schema turns it into a zod issue. */
class Refusal {
  constructor(readonly message: string) {}
}

/** A flag's value: text in, `T` out, or a Refusal that names the flag. */
function flagValue<T>(parse: (text: string) => T | Refusal) {
  return z.string().transform((text, ctx): T => {
    const result = parse(text);
    if (result instanceof Refusal) {
      ctx.addIssue({ code: 'custom', message: result.message });
      return z.NEVER;
    }
    return result;
  });
}

const quoted = (text: string) => `"${text.slice(0, 60)}"`;

function parsePort(text: string): number | Refusal {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) return new Refusal(`--port must be a number from 0 to 65535, not "${text.slice(0, 20)}".`);
  return Number(text);
}

/**
 * The canonical issuer for `--issuer`: an absolute http(s) URL that is an origin — scheme, host, optional
 * port, at most a trailing "/" — stored as the URL's origin (lower-case host, default port and trailing slash
 * dropped). A path is refused rather than half-supported: the service answers at /oauth/…, and verifiers
 * (the kit among them) build the metadata URL from the origin.
 */
export function parseIssuer(text: string): string | Refusal {
  const url = text === text.trim() ? URL.parse(text) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return new Refusal(`--issuer must be an absolute http(s) URL such as https://auth.example.com, not ${quoted(text)}.`);
  }
  if (url.username || url.password || text.includes('?') || text.includes('#') || url.pathname !== '/' || text.includes('\\')) {
    return new Refusal(`--issuer must be an origin only (scheme, host and optional port: no path, query, fragment or user name), not ${quoted(text)}.`);
  }
  return url.origin;
}

function parseKeyStore(text: string): 'keychain' | 'database' | 'memory' | Refusal {
  if (text !== 'keychain' && text !== 'database' && text !== 'memory') return new Refusal(`--key-store must be "keychain", "database" or "memory", not "${text.slice(0, 20)}".`);
  return text;
}

function parseSigningAlg(text: string): SigningAlg | Refusal {
  const parsed = signingAlgSchema.safeParse(text);
  if (parsed.success) return parsed.data;
  const names = signingAlgSchema.options;
  return new Refusal(`--signing-alg must be ${names.slice(0, -1).join(', ')} or ${names.at(-1)}, not ${quoted(text)}.`);
}

function parseDemoClients(text: string): number | Refusal {
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > MAX_DEMO_DEVICES) {
    return new Refusal(`--demo-clients must be a number from 1 to ${MAX_DEMO_DEVICES}, not "${text.slice(0, 20)}".`);
  }
  return Number(text);
}

function parseLogLevel(text: string): LogLevel | Refusal {
  const level = LOG_LEVELS.find((name) => name === text);
  return level ?? new Refusal(`--log-level must be ${LOG_LEVELS.join(', ')}, not ${quoted(text)}.`);
}

function parseDrainTimeout(text: string): number | Refusal {
  if (!/^\d{1,4}$/.test(text) || Number(text) > MAX_DRAIN_TIMEOUT_S) return new Refusal(`--drain-timeout must be a number of seconds from 0 to ${MAX_DRAIN_TIMEOUT_S}, not ${quoted(text)}.`);
  return Number(text) * 1000;
}

/** `--trust-proxy` with a value: CIDRs (or addresses) separated by commas or given as several arguments. */
function parseTrustedProxies(text: string): string[] | Refusal {
  const items = text.split(',').map((item) => item.trim());
  for (const item of items) {
    const refusal = checkCidr(item);
    if (refusal) return new Refusal(`--trust-proxy takes CIDRs such as 10.0.0.0/8 or fd00::/8 (or single addresses): ${refusal}, in ${quoted(text)}.`);
  }
  return items;
}

/**
 * `--database`: a postgres:// (or postgresql://) URL with a host. The value is never quoted back in a refusal:
 * it may carry a password.
 */
function parseDatabaseUrl(text: string): string | Refusal {
  const url = /^postgres(ql)?:\/\//i.test(text) ? URL.parse(text) : null;
  if (!url || (!url.hostname && !url.searchParams.get('host'))) {
    return new Refusal('--database must be a PostgreSQL URL such as postgres://warden:PASSWORD@db.internal:5432/warden (the value is not shown: it may hold a password).');
  }
  return text;
}

const meta = (flag: FlagMeta) => flag;
const aSwitch = z.literal(true);

/** Every flag: the one list that parsing, `--help` and the docs are made from (in the order they show). */
export const flagsSchema = z.object({
  dataDir: z
    .string()
    .optional()
    .meta(meta({ flag: '--data-dir', value: 'DIR', default: '$XDG_DATA_HOME/token-warden (~/.local/share/token-warden)', help: 'data directory: warden.db, admin-token (mode 0600), and the port and issuer this install keeps' })),
  port: flagValue(parsePort)
    .optional()
    .meta(meta({ flag: '--port', value: 'N', default: 'the stored port; the first start picks a free one and stores it', help: 'port of the token service; an N other than the stored port moves the service (and an issuer made from it), with a notice' })),
  host: z
    .string()
    .optional()
    .meta(meta({ flag: '--host', value: 'H', default: '127.0.0.1', help: 'address to bind and to name the issuer by (localhost binds 127.0.0.1, issuer http://localhost:PORT); anything but loopback also needs --allow-remote' })),
  allowRemote: aSwitch.optional().meta(meta({ flag: '--allow-remote', default: 'off', help: 'allow a non-loopback --host (prints a warning)' })),
  issuer: flagValue(parseIssuer)
    .optional()
    .meta(meta({ flag: '--issuer', value: 'URL', default: 'the stored issuer; the first start uses http://HOST:PORT', help: 'the iss of every token and the base of every metadata URL, e.g. https://auth.example.com behind a TLS proxy; stored, kept by later starts' })),
  trustProxy: z
    .union([aSwitch, z.string()])
    .transform((value, ctx): true | string[] => {
      if (value === true) return true;
      const result = parseTrustedProxies(value);
      if (!(result instanceof Refusal)) return result;
      ctx.addIssue({ code: 'custom', message: result.message });
      return z.NEVER;
    })
    .optional()
    .meta(meta({ flag: '--trust-proxy', value: '[CIDR…]', valueOptional: true, default: 'off', help: 'believe X-Forwarded-For/-Proto from proxies: alone, the immediate peer (one hop: the client is the last entry it sent); with CIDRs (IPv4/IPv6, commas or several arguments), only peers in them, the client being the rightmost entry outside them; X-Forwarded-Proto https from a trusted peer makes cookies Secure' })),
  keyStore: flagValue(parseKeyStore)
    .optional()
    .meta(meta({ flag: '--key-store', value: 'keychain|database|memory', default: 'keychain (memory with --demo)', help: 'where private signing keys live; database: in the store, encrypted under the master key (servers; docs/keys.md); memory is ephemeral: tokens die with the process' })),
  masterKeyFile: z
    .string()
    .optional()
    .meta(meta({ flag: '--master-key-file', value: 'FILE', default: `none (or ${MASTER_KEY_ENV})`, secret: true, help: 'the master key of --key-store database: 32 random bytes in base64 or hex (openssl rand -base64 32); never logged' })),
  adminTokenFile: z
    .string()
    .optional()
    .meta(meta({ flag: '--admin-token-file', value: 'FILE', default: 'DIR/admin-token', help: 'the bootstrap admin token: read from FILE when it exists, else created there (mode 0600); every instance given the same FILE shares it' })),
  database: flagValue(parseDatabaseUrl)
    .optional()
    .meta(meta({ flag: '--database', value: 'URL', env: 'TOKEN_WARDEN_DATABASE_URL', secret: true, default: 'none: SQLite in the data directory', help: 'keep the data in PostgreSQL, postgres://USER:PASSWORD@HOST:PORT/DB, instead of DIR/warden.db (an empty database its user owns; docs/postgres.md)' })),
  signingAlg: flagValue(parseSigningAlg)
    .optional()
    .meta(meta({ flag: '--signing-alg', value: signingAlgSchema.options.join('|'), default: `${DEFAULT_SETTINGS.signingAlg} (the Settings default)`, help: "algorithm of a new install's first signing key; once keys exist it is ignored with a notice (change the signingAlg setting)" })),
  consoleDir: z
    .string()
    .optional()
    .meta(meta({ flag: '--console-dir', value: 'DIR', default: 'none (npm start: out/renderer)', help: 'serve the built admin console from DIR and print its one-time login URL' })),
  demo: aSwitch.optional().meta(meta({ flag: '--demo', default: 'off (npm start without --data-dir: on)', help: 'throwaway data directory and memory key store, seeded users, simulated devices and a demo API' })),
  demoClients: flagValue(parseDemoClients)
    .optional()
    .meta(meta({ flag: '--demo-clients', value: 'N', default: String(DEFAULT_DEMO_DEVICES), help: `simulated devices in demo mode (1-${MAX_DEMO_DEVICES})` })),
  config: z
    .string()
    .optional()
    .meta(meta({ flag: '--config', value: 'FILE', default: 'none', help: 'a JSON file of flag values, keys being flag names without the dashes ({"data-dir": "/var/lib/token-warden", "trust-proxy": ["10.0.0.0/8"]}); unknown keys are refused; flags and environment variables override it' })),
  logLevel: flagValue(parseLogLevel)
    .optional()
    .meta(meta({ flag: '--log-level', value: LOG_LEVELS.join('|'), default: 'info', help: 'threshold of the structured JSON log on stdout (npm run serve): requests at info, faults at error' })),
  drainTimeout: flagValue(parseDrainTimeout)
    .optional()
    .meta(meta({ flag: '--drain-timeout', value: 'S', default: String(DEFAULT_DRAIN_TIMEOUT_S), help: 'on SIGTERM, seconds to let requests in flight finish (new ones refused, event streams ended with a retry hint) before closing anyway' })),
});

type FlagKey = keyof typeof flagsSchema.shape;
type RawFlags = Partial<Record<FlagKey, string | true>>;

/** The flags in declaration order, with their metadata. */
export function flagList(): Array<{ key: FlagKey } & FlagMeta> {
  return (Object.keys(flagsSchema.shape) as FlagKey[]).map((key) => ({ key, ...(flagsSchema.shape[key].meta() as unknown as FlagMeta) }));
}

const spelled = (flag: FlagMeta) => (flag.value ? `${flag.flag} ${flag.value}` : flag.flag);

/** Splits argv into flag values by name (`--flag value` and `--flag=value`); unknown, repeated or malformed flags throw. */
function readArgv(argv: string[]): RawFlags {
  const flags = flagList();
  const byName = new Map(flags.map((flag) => [flag.flag as string, flag]));
  const raw: RawFlags = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    const flag = byName.get(name);
    if (!flag) {
      throw invalid(`Unknown argument "${arg.slice(0, 60)}". Flags: ${flags.map(spelled).join(', ')}.`);
    }
    if (flag.valueOptional) {
      if (raw[flag.key] !== undefined) throw invalid(`${name} is given more than once.`);
      // Alone, a switch; else its value, in one argument (commas) or several: every following one that is no flag.
      const values = eq !== -1 && arg.startsWith('--') ? [arg.slice(eq + 1)] : [];
      while (eq === -1 && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) values.push(argv[(i += 1)]!);
      if (eq !== -1 && values[0] === '') throw invalid(`${name}= needs a value (or give ${name} alone).`);
      raw[flag.key] = values.length === 0 ? true : values.join(',');
      continue;
    }
    if (flag.value === undefined) {
      if (name !== arg) throw invalid(`${name} takes no value.`);
      if (raw[flag.key] !== undefined) throw invalid(`${arg} is given more than once.`);
      raw[flag.key] = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i += 1;
    }
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw invalid(`${name} needs a value.`);
    if (raw[flag.key] !== undefined) throw invalid(`${name} is given more than once.`);
    raw[flag.key] = value;
  }
  return raw;
}

/**
 * Parses the command line (see `usage()`, also `--flag=value`). Unknown, repeated or malformed flags and
 * flags that contradict each other throw `invalid_input` with a message that names the flag.
 */
export function parseWardenArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): WardenConfig {
  return resolveConfiguration(argv, env).config;
}

/** The configuration and, for the start-up print, every flag's effective value (secrets masked) and source. */
export interface ResolvedConfiguration {
  config: WardenConfig;
  effective: Record<string, { value: unknown; from: Source }>;
}

/**
 * Reads the command line, the TOKEN_WARDEN_* environment and the `--config` file (named by the flag or its
 * variable), flag > environment > file > default (./config-sources), then checks the result as one whole.
 */
export function resolveConfiguration(argv: string[], env: NodeJS.ProcessEnv = process.env): ResolvedConfiguration {
  const list = flagList();
  const fromArgv = readArgv(argv);
  const fromEnv = environmentLayer(list, env);
  const configFile = typeof fromArgv.config === 'string' ? fromArgv.config : typeof fromEnv.config === 'string' ? fromEnv.config : undefined;
  const fromFile = configFile === undefined ? {} : fileLayer(list, configFile);
  const { raw, sources } = mergeLayers(list, { flag: fromArgv, env: fromEnv, file: fromFile });
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = list.find((item) => item.key === issue?.path[0]);
    const where = flag ? describeSource(flag, sources[flag.key] ?? 'flag', configFile) : '';
    throw invalid(`${issue?.message ?? 'Invalid arguments.'}${where}`);
  }
  const config = toConfig(parsed.data, env);
  const values: Record<string, unknown> = { ...parsed.data, ...config, config: configFile ?? null, drainTimeout: (config.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_S * 1000) / 1000 };
  return { config, effective: effectiveConfiguration(list, values, sources) };
}

function toConfig(flags: z.infer<typeof flagsSchema>, env: NodeJS.ProcessEnv): WardenConfig {
  const demo = flags.demo === true;
  const host = flags.host ?? '127.0.0.1';
  const allowRemote = flags.allowRemote === true;
  if (!isLoopbackHost(host) && !allowRemote) throw invalid(`--host ${host.slice(0, 60)} is not a loopback address; add --allow-remote to expose the service.`);
  const keyStore = flags.keyStore ?? (demo ? 'memory' : 'keychain');
  if (demo && keyStore !== 'memory') throw invalid('--demo always uses the memory key store.');
  if (demo && flags.dataDir !== undefined) throw invalid('--demo uses a throwaway data directory; drop --data-dir (or drop --demo to use it).');
  if (demo && flags.issuer !== undefined) throw invalid('--demo (what npm start runs without --data-dir) keeps its own loopback issuer: its simulated devices and demo API call it. Drop --issuer, or give --data-dir.');
  if (flags.demoClients !== undefined && !demo) throw invalid('--demo-clients needs --demo.');
  if (flags.masterKeyFile !== undefined && keyStore !== 'database') throw invalid('--master-key-file needs --key-store database.');
  if (demo && flags.database !== undefined) throw invalid('--demo keeps its data in a throwaway SQLite database; drop --database (TOKEN_WARDEN_DATABASE_URL).');
  if (demo && flags.adminTokenFile !== undefined) throw invalid('--demo keeps its admin token in its throwaway directory; drop --admin-token-file.');
  // Read only for the database key store (empty counts as unset): a variable left in the environment never changes another store.
  const masterKey = keyStore === 'database' && env[MASTER_KEY_ENV] ? new SecretText(env[MASTER_KEY_ENV]) : undefined;
  return {
    dataDir: demo ? null : path.resolve(flags.dataDir ?? defaultDataDir(env)),
    port: flags.port ?? 0,
    host,
    allowRemote,
    keyStore,
    consoleDir: flags.consoleDir ? path.resolve(flags.consoleDir) : null,
    demo,
    ...(flags.demoClients !== undefined ? { demoClients: flags.demoClients } : {}),
    ...(flags.issuer !== undefined ? { issuer: flags.issuer } : {}),
    ...(flags.trustProxy !== undefined ? { trustProxy: flags.trustProxy } : {}),
    ...(flags.logLevel !== undefined ? { logLevel: flags.logLevel } : {}),
    ...(flags.drainTimeout !== undefined ? { drainTimeoutMs: flags.drainTimeout } : {}),
    ...(flags.signingAlg !== undefined ? { signingAlg: flags.signingAlg } : {}),
    ...(flags.masterKeyFile !== undefined ? { masterKeyFile: path.resolve(flags.masterKeyFile) } : {}),
    ...(masterKey ? { masterKey } : {}),
    ...(flags.adminTokenFile !== undefined ? { adminTokenFile: path.resolve(flags.adminTokenFile) } : {}),
    ...(flags.database !== undefined ? { database: new SecretText(flags.database) } : {}),
  };
}

/** `npm run serve -- --help`. */
export function usage(): string {
  const indent = ' '.repeat(36);
  const lines = flagList().map((flag) => `  ${spelled(flag).padEnd(34)}${flag.help}\n${indent}default: ${flag.default}`);
  return ['Usage: npm run serve -- [options]', ...lines, `  ${'-h, --help'.padEnd(34)}print this help`].join('\n');
}

/** The environment table of docs/configuration.md (Markdown). */
export function environmentTable(): string {
  return ['| variable | used for |', '|---|---|', ...ENVIRONMENT.map((variable) => `| \`${variable.name}\` | ${variable.help} |`)].join('\n');
}

/** The flags table of docs/configuration.md (Markdown), generated so that the docs cannot drift from the parser. */
export function configurationTable(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = flagList().map((flag) => `| \`${cell(spelled(flag))}\` | \`${envName(flag)}\`${flag.secret ? ' (secret)' : ''} | ${cell(flag.default)} | ${cell(flag.help)} |`);
  return ['| flag | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
