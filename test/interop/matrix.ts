/**
 * The library × algorithm matrix: what a stock verifier did with a real token, and the table in
 * docs/interop.md that publishes it. The test compares the two cell by cell so the page cannot drift.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SigningAlg } from '../../src/shared/dto';

export const ALGS: readonly SigningAlg[] = ['EdDSA', 'ES256', 'RS256'];

export type Outcome = { accepted: true } | { accepted: false; error: string };

/** Where a verifier finds the service, as its operator would configure it. */
export interface VerifierTarget {
  issuer: string;
  audience: string;
  /** The metadata's `jwks_uri` (or a counting proxy in front of it). */
  jwksUri: string;
}

export interface StockVerifier {
  /** The table's row label. */
  name: string;
  /** npm packages whose versions the row was measured with ('python3-jwt' for PyJWT). */
  packages: string[];
  /** Verifies `token` with an instance configured for `alg` (created on first use, then reused). */
  verify(token: string, alg: SigningAlg): Promise<Outcome>;
  close(): Promise<void>;
}

export function outcomeOf(run: () => Promise<unknown>): Promise<Outcome> {
  return run().then(
    () => ({ accepted: true }) as const,
    (error: unknown) => ({ accepted: false, error: describeError(error) }) as const,
  );
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

const NODE_MODULES = path.join(import.meta.dirname, '../../node_modules');

/**
 * `name version` as installed; a nested path (`a/node_modules/b`) names the copy of b that a carries
 * with it. Read from the files, because some packages do not export their package.json.
 */
export function packageLabel(name: string): string {
  const { version } = JSON.parse(readFileSync(path.join(NODE_MODULES, name, 'package.json'), 'utf8')) as { version: string };
  const nested = name.split('/node_modules/');
  return nested.length > 1 ? `${nested.at(-1)} ${version} (inside ${nested[0]})` : `${name} ${version}`;
}

/** A table cell: `yes`, or `no: <the library's error>` with the values that change per run masked. */
export function cell(outcome: Outcome, mask: Record<string, string>): string {
  if (outcome.accepted) return 'yes';
  let error = outcome.error.replace(/\s+/g, ' ').trim();
  for (const [value, placeholder] of Object.entries(mask)) error = error.split(value).join(placeholder);
  // A pipe would split the Markdown cell.
  return `no: ${error.replace(/\|/g, '/')}`;
}

export interface MatrixRow {
  library: string;
  versions: string;
  cells: Record<SigningAlg, string>;
}

const START = '<!-- interop-matrix:start -->';
const END = '<!-- interop-matrix:end -->';

export function formatMatrix(rows: MatrixRow[]): string {
  const lines = [`| Library | Versions | ${ALGS.join(' | ')} |`, `|---|---|${ALGS.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.library} | ${row.versions} | ${ALGS.map((alg) => row.cells[alg]).join(' | ')} |`);
  return lines.join('\n');
}

export function hasMatrix(file: string): boolean {
  return readFileSync(file, 'utf8').includes(START);
}

/** The rows between the matrix markers of a Markdown page. */
export function readDocumentedMatrix(file: string): MatrixRow[] {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${START} … ${END} block`);
  const body = text.slice(start + START.length, end).trim().split('\n').slice(2);
  return body.map((line) => {
    const parts = line.replace(/^\|/, '').replace(/\|$/, '').split('|').map((part) => part.trim());
    if (parts.length !== 2 + ALGS.length) throw new Error(`malformed matrix row: ${line}`);
    const [library, versions, ...cells] = parts;
    return { library: library!, versions: versions!, cells: Object.fromEntries(ALGS.map((alg, i) => [alg, cells[i]!])) as Record<SigningAlg, string> };
  });
}
