/**
 * The argument checks the stores make before any SQL, one code for SQLite and PostgreSQL: a bad argument here
 * is the caller's bug (a TypeError, never a coded WardenError), with the same message on either store.
 */

/** What every stored secret digest looks like: the interfaces carry hashes only, never the secret. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Refuses anything but a lowercase hex SHA-256 (a raw key or cookie would otherwise leak into storage). */
export function checkSha256Hex(value: string, what: string): void {
  if (!SHA256_HEX.test(value)) throw new TypeError(`${what} must be a lowercase hex SHA-256`);
}

export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError('limit must be a non-negative integer');
}

/**
 * The fields a patch sets (undefined ones stay), sorted so that one cached statement serves each field set;
 * a field outside `allowed` is refused as `<what>: "<field>" cannot be updated`.
 */
export function patchFields(allowed: Record<string, string>, patch: object, what: string): string[] {
  const fields = Object.entries(patch).filter(([, value]) => value !== undefined).map(([field]) => field).sort();
  for (const field of fields) if (!(field in allowed)) throw new TypeError(`${what}: "${field}" cannot be updated`);
  return fields;
}
