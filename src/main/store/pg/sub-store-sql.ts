/**
 * What the nine PostgreSQL sub-stores share: the two calls they make on the query layer (./db.ts: each runs on
 * the current transaction's connection when there is one, else on a pooled connection), column lists with
 * camelCase aliases, and UPDATE lists of a patch (its fields checked by ../store-arguments.ts, shared with SQLite).
 */

import { patchFields } from '../store-arguments';
import type { Db, SqlValue } from './db';

/** The sub-stores' view of the query layer: `rows` (the rows a statement returns) and `run` (how many it wrote). */
export type SqlRunner = Pick<Db, 'rows' | 'run'>;

/** `col AS "alias"` for each entry: PostgreSQL folds unquoted aliases to lower case. */
export function columns(map: Record<string, string>, table?: string): string {
  const prefix = table ? `${table}.` : '';
  return Object.entries(map)
    .map(([alias, column]) => (alias === column ? `${prefix}${column}` : `${prefix}${column} AS "${alias}"`))
    .join(', ');
}

/**
 * The SET list and parameters of an UPDATE of the given fields only (sorted, as the SQLite stores do), or
 * undefined when no field is given. Unknown fields are a caller error (TypeError).
 */
export function patchSql(allowed: Record<string, string>, patch: object, what: string, first = 1): { sets: string; values: SqlValue[] } | undefined {
  const fields = patchFields(allowed, patch, `update ${what}`);
  if (fields.length === 0) return undefined;
  const sets = fields.map((field, i) => `${allowed[field]} = $${first + i}`).join(', ');
  return { sets, values: fields.map((field) => (patch as Record<string, SqlValue>)[field]) };
}

/** `LIKE` metacharacters as text (the ESCAPE is the default backslash). */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Named parameters (`@name`, as the SQLite stores write them) as PostgreSQL's positional ones, numbering only
 * the names the text uses: PostgreSQL refuses a parameter it cannot type because no statement uses it.
 */
export function bind(sql: string, params: Record<string, SqlValue>): [string, SqlValue[]] {
  const order: string[] = [];
  const text = sql.replace(/@([A-Za-z_]\w*)/g, (_, name: string) => {
    if (!(name in params)) throw new TypeError(`bind: no value for @${name}`);
    let index = order.indexOf(name);
    if (index < 0) index = order.push(name) - 1;
    return `$${index + 1}`;
  });
  return [text, order.map((name) => params[name])];
}
