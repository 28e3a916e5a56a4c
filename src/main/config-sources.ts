/**
 * Where a flag's value comes from besides the command line: an environment variable and an optional JSON
 * configuration file (`--config FILE`). Precedence: flag > environment > file > default. Every layer is made
 * from the same flag list as argv parsing (./config's flagsSchema), so a flag gets its variable and its file
 * key by being declared, and a value from any layer is parsed and refused by the same schema.
 *
 * - Variable: `TOKEN_WARDEN_<FLAG_NAME>` (`--drain-timeout` → TOKEN_WARDEN_DRAIN_TIMEOUT), or the flag's own
 *   `env` name. An empty variable counts as unset (compose's `${VAR:-}`); a switch takes true/false, 1/0,
 *   yes/no, on/off. Variables named like ours that match no flag are left alone (other parts of the program
 *   read some, e.g. TOKEN_WARDEN_SQLITE_BINDING).
 * - File: one JSON object whose keys are the flag names without the dashes (`"data-dir"`); a switch takes a
 *   boolean, a valued flag a string (or a number), a list flag a string or an array of strings. Unknown keys
 *   are refused: a misspelt key would otherwise be a setting silently not applied.
 */
import { readFileSync } from 'node:fs';
import { WardenError } from '../shared/errors';

export type Source = 'flag' | 'env' | 'file' | 'default';

/** What the layers need to know of a flag (a subset of ./config's FlagMeta plus its key). */
export interface LayerFlag {
  key: string;
  flag: `--${string}`;
  value?: string;
  /** A switch that may also carry a value (a list): `--trust-proxy` or `--trust-proxy 10.0.0.0/8`. */
  valueOptional?: boolean;
  env?: string;
  secret?: boolean;
}

/** A layer's value of one flag: text, a switch that is on, or `off` (a switch turned off: stops the lookup). */
export type LayerValue = string | true | { off: true };
export type Layer = Record<string, LayerValue>;

const OFF = { off: true } as const;
const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

function invalid(message: string): WardenError {
  return new WardenError('invalid_input', message);
}

/** The environment variable of a flag. */
export function envName(flag: LayerFlag): string {
  return flag.env ?? `TOKEN_WARDEN_${flag.flag.slice(2).toUpperCase().replaceAll('-', '_')}`;
}

/** The file key of a flag. */
export const fileKey = (flag: LayerFlag) => flag.flag.slice(2);

/** The environment layer (only variables that name a flag). */
export function environmentLayer(flags: readonly LayerFlag[], env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  for (const flag of flags) {
    const name = envName(flag);
    const text = env[name];
    if (text === undefined || text.trim() === '') continue;
    const word = text.trim().toLowerCase();
    if (flag.value === undefined || flag.valueOptional) {
      if (TRUE_WORDS.has(word)) layer[flag.key] = true;
      else if (FALSE_WORDS.has(word)) layer[flag.key] = OFF;
      else if (flag.valueOptional) layer[flag.key] = text.trim();
      else throw invalid(`${name} must be true or false (it sets the switch ${flag.flag}), not "${text.slice(0, 20)}".`);
    } else layer[flag.key] = text;
  }
  return layer;
}

/** The file layer: the JSON object in `file`, checked key by key. */
export function fileLayer(flags: readonly LayerFlag[], file: string): Layer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw invalid(`Cannot read the configuration file ${file} (--config): ${code === 'ENOENT' ? 'it does not exist' : code || 'unreadable'}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`The configuration file ${file} is not valid JSON: ${(error as Error).message.slice(0, 120)}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid(`The configuration file ${file} must hold one JSON object of flag names, e.g. {"port": "8080"}.`);
  const byKey = new Map(flags.map((flag) => [fileKey(flag), flag]));
  const layer: Layer = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const flag = byKey.get(key);
    const where = `"${key.slice(0, 40)}" in the configuration file ${file}`;
    if (!flag || key === 'config') {
      const known = [...byKey.keys()].filter((name) => name !== 'config');
      throw invalid(`Unknown key ${where}${key === 'config' ? ' (a configuration file cannot name another)' : ''}. Keys: ${known.join(', ')}.`);
    }
    if (typeof value === 'boolean' && (flag.value === undefined || flag.valueOptional)) layer[flag.key] = value ? true : OFF;
    else if (typeof value === 'string' && flag.value !== undefined && value !== '') layer[flag.key] = value;
    else if (typeof value === 'number' && Number.isFinite(value) && flag.value !== undefined && !flag.valueOptional) layer[flag.key] = String(value);
    else if (Array.isArray(value) && flag.valueOptional && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '')) layer[flag.key] = value.join(',');
    else {
      const expected = flag.value === undefined ? 'true or false' : flag.valueOptional ? 'true, false, a string or an array of strings' : 'a non-empty string';
      throw invalid(`${where} must be ${expected} (it sets ${flag.flag}).`);
    }
  }
  return layer;
}

export interface Merged {
  /** What the schema parses: text or true per flag that is set. */
  raw: Record<string, string | true>;
  /** Where each flag's value came from. */
  sources: Record<string, Source>;
}

/** Flag > environment > file; a layer's `off` ends the lookup with nothing set. */
export function mergeLayers(flags: readonly LayerFlag[], layers: { flag: Layer; env: Layer; file: Layer }): Merged {
  const raw: Record<string, string | true> = {};
  const sources: Record<string, Source> = {};
  for (const flag of flags) {
    sources[flag.key] = 'default';
    for (const source of ['flag', 'env', 'file'] as const) {
      const value = layers[source][flag.key];
      if (value === undefined) continue;
      if (typeof value === 'object') sources[flag.key] = source;
      else {
        raw[flag.key] = value;
        sources[flag.key] = source;
      }
      break;
    }
  }
  return { raw, sources };
}

/** Where a refused value came from, appended to the schema's message (which names the flag). */
export function describeSource(flag: LayerFlag, source: Source, file: string | undefined): string {
  if (source === 'env') return ` (from ${envName(flag)})`;
  if (source === 'file') return ` (from "${fileKey(flag)}" in the configuration file ${file ?? ''})`;
  return '';
}

/** A secret's value as printed: a URL keeps all but its password, anything else is replaced whole. */
export function maskSecret(value: unknown): string {
  if (typeof value !== 'string') return '***';
  const url = URL.parse(value);
  if (url?.password) {
    url.password = '***';
    return url.href;
  }
  return '***';
}

/** The effective configuration, as printed at start: every flag's value and where it came from. */
export function effectiveConfiguration(
  flags: readonly LayerFlag[],
  values: Record<string, unknown>,
  sources: Record<string, Source>,
): Record<string, { value: unknown; from: Source }> {
  const out: Record<string, { value: unknown; from: Source }> = {};
  for (const flag of flags) {
    const value = values[flag.key];
    const shown = value === undefined ? null : flag.secret ? maskSecret(value) : value;
    out[fileKey(flag)] = { value: shown, from: sources[flag.key] ?? 'default' };
  }
  return out;
}
