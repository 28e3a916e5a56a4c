/**
 *   GET /admin/audit/export?format=csv|jsonl&<filters>   the filtered audit as a file  (Bearer or cookie, like the RPC)
 *
 * The filters are listAudit's (`q`, `types` comma-separated, `actor`, `actorPrefix`, `userId`, `userPrefix`,
 * `sessionId`, `since`, `until` in ms), validated by it with the caller's role before the first byte, so a bad
 * filter is a JSON error with a status, never a half file. The body is streamed a page at a time, waiting for
 * the socket to drain, so a slow reader holds one page in memory, not the whole audit; between pages the event
 * loop serves other requests. A failure after the headers cuts the connection (chunked body without its end):
 * a download that stops short is never mistaken for a complete file.
 */
import type { ServerResponse } from 'node:http';
import { auditExportFormatSchema, auditFilterFields, queryToFilter, type AuditFilterInput } from '../../shared/audit';
import { WardenError } from '../../shared/errors';
import { EXPORT_MEDIA, exportFileName, openAuditExport } from '../engine/audit-export';
import type { AdminAuth } from './admin-auth';
import { sendResult, wrapAdminEndpoint } from './admin-endpoints';
import type { Endpoint, ServiceContext } from './context';
import { NO_STORE } from './respond';

export const AUDIT_EXPORT_PATH = '/admin/audit/export';
const KNOWN = new Set(['format', ...Object.keys(auditFilterFields)]);

/** The format and the (still unvalidated) filter of an export URL; unknown or repeated parameters are refused. */
export function parseExportQuery(query: URLSearchParams): { format: 'csv' | 'jsonl'; filter: AuditFilterInput } {
  const seen = new Set<string>();
  for (const key of query.keys()) {
    if (!KNOWN.has(key)) throw new WardenError('invalid_input', `Unknown export parameter "${key.slice(0, 40)}"; known: ${[...KNOWN].join(', ')}.`);
    if (seen.has(key)) throw new WardenError('invalid_input', `The export parameter "${key}" is given twice.`);
    seen.add(key);
  }
  const format = auditExportFormatSchema.safeParse(query.get('format') ?? 'csv');
  if (!format.success) throw new WardenError('invalid_input', 'format must be csv or jsonl.');
  return { format: format.data, filter: queryToFilter(query) as AuditFilterInput };
}

function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed || !res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function auditExportEndpoint(ctx: ServiceContext, auth: AdminAuth): Endpoint {
  return wrapAdminEndpoint(ctx, `GET ${AUDIT_EXPORT_PATH}`, async (req, res, url) => {
    auth.checkPlace(req);
    const { who } = await auth.authenticate(req);
    const { format, filter } = parseExportQuery(url.searchParams);
    const opened = await openAuditExport(ctx.engine.admin, who, filter, format);
    if (!opened.ok) {
      sendResult(res, opened);
      return;
    }
    res.writeHead(200, {
      ...NO_STORE,
      'X-Content-Type-Options': 'nosniff',
      'Content-Type': EXPORT_MEDIA[format],
      'Content-Disposition': `attachment; filename="${exportFileName(format, ctx.clock.now())}"`,
    });
    try {
      for await (const chunk of opened.value.chunks) {
        if (res.destroyed) return;
        if (!res.write(chunk)) await drained(res);
        else await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    } catch (error) {
      ctx.logFault(`GET ${AUDIT_EXPORT_PATH}`, error);
      res.destroy();
    }
  });
}
