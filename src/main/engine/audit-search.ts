/**
 * Audit search (listAudit, getAuditEntry): the API's filter checked and mapped onto the store's, which answers
 * each page newest first (the export, ./audit-export.ts, walks the same pages).
 */
import { WardenError } from '../../shared/errors';
import { TIME_RANGE_PROBLEM, type AuditFilterInput } from '../../shared/audit';
import type { AuditSearchFilter } from '../store/audit-search-store';
import type { EngineContext } from './context';

const DEFAULT_PAGE = 50;

/** The store's filter from the API's: `type` (one) narrows `types` (any of); an impossible pair matches nothing. */
export function toSearchFilter(input: AuditFilterInput): Omit<AuditSearchFilter, 'limit'> | null {
  if (input.since !== undefined && input.until !== undefined && input.until < input.since) {
    throw new WardenError('invalid_input', TIME_RANGE_PROBLEM);
  }
  const { type, types, ...rest } = input;
  let chosen = types;
  if (type !== undefined) chosen = types === undefined ? [type] : types.filter((t) => t === type);
  if (chosen !== undefined && chosen.length === 0) return null;
  const filter: Omit<AuditSearchFilter, 'limit'> = { ...rest, ...(chosen ? { types: chosen } : {}) };
  for (const key of Object.keys(filter) as (keyof typeof filter)[]) if (filter[key] === undefined || filter[key] === '') delete filter[key];
  return filter;
}

export async function listAudit(ctx: EngineContext, input: AuditFilterInput & { beforeSeq?: number; limit?: number }) {
  const { beforeSeq, limit: given, ...rest } = input;
  const limit = given ?? DEFAULT_PAGE;
  const filter = toSearchFilter(rest);
  if (filter === null) return { items: [], nextBeforeSeq: null };
  const items = await ctx.store.auditSearch.search({ ...filter, beforeSeq, limit });
  const last = items[items.length - 1];
  return { items, nextBeforeSeq: items.length === limit && last ? last.seq : null };
}

export async function getAuditEntry(ctx: EngineContext, input: { seq: number }) {
  const entry = await ctx.store.auditSearch.get(input.seq);
  if (!entry) throw new WardenError('not_found', `No audit entry #${input.seq}.`);
  const ack = await ctx.store.auditSearch.getAcknowledgement(input.seq);
  return { entry, acknowledgement: ack ? { by: ack.by, at: ack.at, note: ack.note } : null };
}
