/**
 * The audit export's content, shared by `GET /admin/audit/export` and the desktop app's save-to-file: the
 * filtered result as CSV (RFC 4180) or JSON Lines, produced a page at a time through `listAudit` itself, so
 * the export is exactly what the console's search shows, under the same role check and validation, and never
 * holds more than one page in memory. Pages are keyset (`beforeSeq`): entries appended meanwhile are newer than
 * the first page and neither repeat nor shift the file.
 */
import type { AuditExportFormat, AuditFilterInput } from '../../shared/audit';
import type { AuditEntry } from '../../shared/dto';
import type { Result } from '../../shared/errors';
import { dispatchAdmin, type ActorContext, type AdminHandlers } from './dispatch';

export const EXPORT_PAGE = 500;
export const CSV_COLUMNS = ['seq', 'at', 'atMs', 'type', 'actor', 'userId', 'sessionId', 'reason', 'data', 'prevHash', 'hash'] as const;

/**
 * One CSV field. A cell a spreadsheet would run as a formula (starting with = + - @, or tab / carriage return,
 * OWASP's list) gets a leading apostrophe; quoting per RFC 4180 when it holds a comma, quote or line break.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(entry: AuditEntry): string {
  const cells = [entry.seq, new Date(entry.at).toISOString(), entry.at, entry.type, entry.actor, entry.userId, entry.sessionId, entry.reason, JSON.stringify(entry.data), entry.prevHash, entry.hash];
  return `${cells.map(csvField).join(',')}\r\n`;
}

export const csvHeader = (): string => `${CSV_COLUMNS.join(',')}\r\n`;
export const jsonlRow = (entry: AuditEntry): string => `${JSON.stringify(entry)}\n`;

export const EXPORT_MEDIA: Record<AuditExportFormat, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/jsonl; charset=utf-8',
};

/** `audit-2026-01-01T12-00-00Z.csv`: the instant of the export, safe in every file system. */
export function exportFileName(format: AuditExportFormat, at: number): string {
  return `audit-${new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-')}.${format}`;
}

type Page = { items: AuditEntry[]; nextBeforeSeq: number | null };

export interface AuditExport {
  /** The file's text in chunks (header, then one chunk per page). */
  chunks: AsyncIterable<string>;
  /** Entries written so far. */
  readonly entries: number;
}

/**
 * Validates the filter and the caller's role by reading the first page; on success the export's chunks. A
 * later page that fails (the store went away) ends the iteration with that error thrown.
 */
export async function openAuditExport(
  handlers: AdminHandlers,
  who: ActorContext,
  filter: AuditFilterInput,
  format: AuditExportFormat,
  pageSize = EXPORT_PAGE,
): Promise<Result<AuditExport>> {
  const read = (beforeSeq?: number) => dispatchAdmin(handlers, 'listAudit', { ...filter, ...(beforeSeq ? { beforeSeq } : {}), limit: pageSize }, who);
  const first = await read();
  if (!first.ok) return first;
  let entries = 0;
  const row = format === 'csv' ? csvRow : jsonlRow;
  async function* chunks(): AsyncGenerator<string> {
    if (format === 'csv') yield csvHeader();
    let page = first.ok ? (first.value as Page) : { items: [], nextBeforeSeq: null };
    for (;;) {
      entries += page.items.length;
      if (page.items.length > 0) yield page.items.map(row).join('');
      if (page.nextBeforeSeq === null) return;
      const next = await read(page.nextBeforeSeq);
      if (!next.ok) throw Object.assign(new Error(next.error.message), { code: next.error.code });
      page = next.value as Page;
    }
  }
  return {
    ok: true,
    value: {
      chunks: chunks(),
      get entries() {
        return entries;
      },
    },
  };
}
