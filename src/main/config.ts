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

/** What the command line decides. `startWarden` takes these plus programmatic options (see WardenOptions). */
export interface WardenConfig {
  /** Where warden.db and admin-token live; null with `demo` means a throwaway temporary directory. */
  dataDir: string | null;
  /** 0: the port stored with the data (the first start picks a free one and stores it). */
  port: number;
  /** Address to bind; anything but loopback needs `allowRemote`. `localhost` binds 127.0.0.1. */
  host: string;
  allowRemote: boolean;
  keyStore: 'keychain' | 'memory';
  /** A built renderer to serve at `/` (browser console). */
  consoleDir: string | null;
  demo: boolean;
  /** Demo mode: how many simulated devices (`--demo-clients N`, default 12). */
  demoClients?: number;
  /** `--issuer`: the canonical issuer (an http(s) origin, no trailing slash); stored with the data. */
  issuer?: string;
  /** `--trust-proxy`: the client address is the last X-Forwarded-For entry the peer (the proxy) sent. */
  trustProxy?: boolean;
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
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

/** The environment variables the configuration reads (docs/configuration.md's table is made from this list). */
export const ENVIRONMENT = [
  { name: 'XDG_DATA_HOME', help: 'base of the default data directory, $XDG_DATA_HOME/token-warden (unset or empty: ~/.local/share/token-warden)' },
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

function parseKeyStore(text: string): 'keychain' | 'memory' | Refusal {
  if (text !== 'keychain' && text !== 'memory') return new Refusal(`--key-store must be "keychain" or "memory", not "${text.slice(0, 20)}".`);
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
  trustProxy: aSwitch.optional().meta(meta({ flag: '--trust-proxy', default: 'off', help: 'a proxy is the only peer: the client address (device IP, address throttle) is the last X-Forwarded-For entry it sent' })),
  keyStore: flagValue(parseKeyStore)
    .optional()
    .meta(meta({ flag: '--key-store', value: 'keychain|memory', default: 'keychain (memory with --demo)', help: 'where private signing keys live; memory is ephemeral: tokens die with the process' })),
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
  const parsed = flagsSchema.safeParse(readArgv(argv));
  if (!parsed.success) throw invalid(parsed.error.issues[0]?.message ?? 'Invalid arguments.');
  const flags = parsed.data;
  const demo = flags.demo === true;
  const host = flags.host ?? '127.0.0.1';
  const allowRemote = flags.allowRemote === true;
  if (!isLoopbackHost(host) && !allowRemote) throw invalid(`--host ${host.slice(0, 60)} is not a loopback address; add --allow-remote to expose the service.`);
  const keyStore = flags.keyStore ?? (demo ? 'memory' : 'keychain');
  if (demo && keyStore !== 'memory') throw invalid('--demo always uses the memory key store.');
  if (demo && flags.dataDir !== undefined) throw invalid('--demo uses a throwaway data directory; drop --data-dir (or drop --demo to use it).');
  if (demo && flags.issuer !== undefined) throw invalid('--demo (what npm start runs without --data-dir) keeps its own loopback issuer: its simulated devices and demo API call it. Drop --issuer, or give --data-dir.');
  if (flags.demoClients !== undefined && !demo) throw invalid('--demo-clients needs --demo.');
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
    ...(flags.trustProxy ? { trustProxy: true } : {}),
    ...(flags.signingAlg !== undefined ? { signingAlg: flags.signingAlg } : {}),
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
  const rows = flagList().map((flag) => `| \`${cell(spelled(flag))}\` | ${cell(flag.default)} | ${cell(flag.help)} |`);
  return ['| flag | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
