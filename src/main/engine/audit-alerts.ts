/**
 * The reuse-alert worklist: every `refresh_token.reused` / `authorization_code.reused` audit entry is an alert,
 * open until an operator acknowledges it with a note. The acknowledgement is a row of its own (the audit entry
 * is hash-chained and never changes) and is audited as `reuse_alert.acknowledged`.
 */
import type { ReuseAlert } from '../../shared/audit';
import { WardenError } from '../../shared/errors';
import { REUSE_ALERT_TYPES } from '../store/audit-search-store';
import type { ReuseAlertRow } from '../store/audit-search-store';
import type { EngineContext } from './context';

const DEFAULT_PAGE = 50;
const ALERT_TYPES: ReadonlySet<string> = new Set(REUSE_ALERT_TYPES);

const toAlert = (row: ReuseAlertRow): ReuseAlert => ({
  entry: row.entry,
  acknowledgement: row.acknowledgement ? { by: row.acknowledgement.by, at: row.acknowledgement.at, note: row.acknowledgement.note } : null,
});

export async function listReuseAlerts(ctx: EngineContext, input: { status?: 'open' | 'acknowledged'; beforeSeq?: number; limit?: number }) {
  const limit = input.limit ?? DEFAULT_PAGE;
  const rows = await ctx.store.auditSearch.listReuseAlerts({ status: input.status, beforeSeq: input.beforeSeq, limit });
  const last = rows[rows.length - 1];
  return { items: rows.map(toAlert), open: await ctx.store.auditSearch.countOpenReuseAlerts(), nextBeforeSeq: rows.length === limit && last ? last.entry.seq : null };
}

export async function acknowledgeReuseAlert(ctx: EngineContext, input: { seq: number; note: string }, { actor }: { actor: string }): Promise<ReuseAlert> {
  return ctx.run(async (tx) => {
    const entry = await ctx.store.auditSearch.get(input.seq);
    if (!entry) throw new WardenError('not_found', `No audit entry #${input.seq}.`);
    if (!ALERT_TYPES.has(entry.type)) throw new WardenError('invalid_input', `Audit entry #${input.seq} is a ${entry.type}, not a reuse alert.`);
    const note = input.note.trim();
    // The store refuses a second acknowledgement (conflict) inside this transaction, so two operators racing
    // on one alert leave exactly one row and one audit entry.
    await ctx.store.auditSearch.acknowledge({ seq: entry.seq, by: actor, at: tx.now, note });
    await tx.emit({ type: 'reuse_alert.acknowledged', actor, userId: entry.userId, sessionId: entry.sessionId, reason: null, data: { seq: entry.seq, alertType: entry.type, note } });
    return { entry, acknowledgement: { by: actor, at: tx.now, note } };
  });
}
