/**
 * The audit search's filters and the reuse-alert worklist's shapes (area F), shared by the admin method
 * (`listAudit`), the streamed export (`GET /admin/audit/export`, desktop `exportAudit`) and the console.
 */
import { z } from 'zod';
import { auditEntrySchema } from './dto';

const idText = z.string().min(1).max(200);
const prefix = z.string().min(1).max(200);
const millis = z.number().int().nonnegative();

/** What selects entries (no paging): the export takes exactly these. */
export const auditFilterFields = {
  /** Free text, 3+ characters: a case-insensitive substring of the type, actor, user or session id, reason or data. */
  q: z.string().trim().min(3, 'Search for at least 3 characters.').max(200).optional(),
  /** One type (kept for old callers); `types` takes several. */
  type: z.string().max(64).optional(),
  types: z.array(z.string().min(1).max(64)).min(1).max(20).optional(),
  actor: z.string().max(200).optional(),
  actorPrefix: prefix.optional(),
  userId: idText.optional(),
  userPrefix: prefix.optional(),
  sessionId: idText.optional(),
  since: millis.optional(),
  until: millis.optional(),
};

/** "To" before "from" can match nothing: refused with a message in words rather than answered empty. */
export const TIME_RANGE_PROBLEM = '"To" is before "from": no entry can match that time range.';
export function checkTimeRange(input: { since?: number; until?: number }, ctx: z.RefinementCtx): void {
  if (input.since !== undefined && input.until !== undefined && input.until < input.since) ctx.addIssue({ code: 'custom', path: ['until'], message: TIME_RANGE_PROBLEM });
}

export const auditFilterSchema = z.object(auditFilterFields).strict().superRefine(checkTimeRange);
export type AuditFilterInput = z.infer<typeof auditFilterSchema>;

export const auditExportFormatSchema = z.enum(['csv', 'jsonl']);
export type AuditExportFormat = z.infer<typeof auditExportFormatSchema>;

export const reuseAlertStatusSchema = z.enum(['open', 'acknowledged']);

export const auditAcknowledgementSchema = z.object({ by: z.string(), at: millis, note: z.string() });

export const reuseAlertSchema = z.object({
  entry: auditEntrySchema,
  acknowledgement: auditAcknowledgementSchema.nullable(),
});
export type ReuseAlert = z.infer<typeof reuseAlertSchema>;

export const MAX_ACK_NOTE = 1000;

/** A filter's keys as URL query parameters (the export endpoint, the console's #/audit URL): `types` comma-separated. */
export function filterToQuery(filter: AuditFilterInput): URLSearchParams {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === '') continue;
    query.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return query;
}

/** The inverse of `filterToQuery`, unvalidated (parse the result with `auditFilterSchema`). */
export function queryToFilter(query: URLSearchParams, keys: readonly string[] = Object.keys(auditFilterFields)): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  for (const key of keys) {
    const value = query.get(key);
    if (value === null || value === '') continue;
    if (key === 'types') filter.types = value.split(',').map((t) => t.trim()).filter(Boolean);
    else if (key === 'since' || key === 'until') filter[key] = /^\d+$/.test(value) ? Number(value) : value;
    else filter[key] = value;
  }
  return filter;
}
