/**
 * The snippets docs/sign-in.md shows are cut from the files the tests run: `region` reads the text between
 * `// #region NAME` and `// #endregion` in a fixture, `documented` the fenced block that follows
 * `<!-- snippet: NAME -->` in the page. A test compares them, so the page cannot drift from what runs.
 */
import { readFileSync } from 'node:fs';

export function region(file: string, name: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${name}`);
  const end = lines.findIndex((line, i) => i > start && line.trim() === '// #endregion');
  if (start === -1 || end === -1) throw new Error(`no region "${name}" in ${file}`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length));
  return body.map((line) => line.slice(indent)).join('\n');
}

export function documented(file: string, name: string): string | undefined {
  const text = readFileSync(file, 'utf8');
  const marker = text.indexOf(`<!-- snippet: ${name} -->`);
  if (marker === -1) return undefined;
  const open = /```[a-z]*\n/.exec(text.slice(marker));
  if (!open) return undefined;
  const from = marker + open.index + open[0].length;
  const to = text.indexOf('\n```', from);
  return to === -1 ? undefined : text.slice(from, to);
}
