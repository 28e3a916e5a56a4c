import type { ApiError } from '../api';

export interface FieldErrors<F extends string> {
  /** Messages for the named fields, to show under each input. */
  fields: Partial<Record<F, string>>;
  /** Whatever is not about one of the fields, to show as an alert. */
  general: string | null;
}

/**
 * Splits a server validation message ("Invalid input for createUser: username: …; password: …") into
 * per-field messages, so each shows inline under its input. Other errors stay general.
 */
export function fieldErrors<F extends string>(error: ApiError | undefined, fields: readonly F[]): FieldErrors<F> {
  const result: FieldErrors<F> = { fields: {}, general: null };
  if (!error) return result;
  const body = error.message.replace(/^Invalid input for [^:]+:\s*/, '');
  const leftovers: string[] = [];
  for (const part of body.split(/;\s*/)) {
    const match = /^([A-Za-z0-9_.]+):\s*(.+)$/.exec(part);
    const field = match ? fields.find((name) => name === match[1]) : undefined;
    if (match && field !== undefined) {
      result.fields[field] = match[2];
    } else {
      leftovers.push(part);
    }
  }
  if (leftovers.length > 0) result.general = Object.keys(result.fields).length > 0 ? leftovers.join('; ') : error.message;
  return result;
}
