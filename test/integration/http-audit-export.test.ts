/**
 * GET /admin/audit/export over real HTTP: the filtered audit as CSV or JSON Lines, streamed across pages, under
 * the RPC's authentication and validation.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/shared/dto';
import { parseCsv } from '../helpers/csv';
import { startTestWarden, type TestWarden } from '../helpers/warden';

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function get(t: TestWarden, path: string, headers: Record<string, string> = { authorization: `Bearer ${t.adminToken}` }): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.warden.port, path, headers: { host: `127.0.0.1:${t.warden.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /admin/audit/export', () => {
  let t: TestWarden;
  const BULK = 1234;

  beforeAll(async () => {
    t = await startTestWarden();
    await t.createUser('exporter');
    // Enough entries for several export pages (500 each), written in one transaction of plain audit rows.
    const store = t.warden.engine.store;
    await store.transaction(async () => {
      for (let i = 0; i < BULK; i += 1) {
        await store.appendAudit({ at: 1_700_000_000_000 + i, type: 'session.revoked', actor: i % 2 ? 'admin:olga' : 'admin:ben', userId: `usr_bulk${i}`, sessionId: null, reason: i === 7 ? '@SUM(1+1)' : 'bulk', data: { i }, prevHash: 'x', hash: 'y' });
      }
    });
  });
  afterAll(() => t?.close());

  it('streams every entry the filters select as CSV, as an attachment, readable back', async () => {
    const got = await get(t, '/admin/audit/export?format=csv&types=session.revoked,user.created&actorPrefix=admin:o');
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(got.headers['content-disposition']).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.csv"$/);
    expect(got.headers['cache-control']).toBe('no-store');
    const rows = parseCsv(got.text);
    expect(rows).toHaveLength(1 + BULK / 2);
    expect(rows.slice(1).every((r) => r[4] === 'admin:olga' && r[3] === 'session.revoked')).toBe(true);
    const seqs = rows.slice(1).map((r) => Number(r[0]));
    expect(seqs.every((s, i) => i === 0 || seqs[i - 1]! > s)).toBe(true);
  });

  it('streams JSON Lines with the same entries listAudit pages through', async () => {
    const got = await get(t, '/admin/audit/export?format=jsonl&q=exporter');
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toMatch(/^application\/jsonl/);
    const lines = got.text.trimEnd().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    const listed = await t.admin('listAudit', { q: 'exporter' });
    expect(lines).toEqual(listed.items);
    expect(lines.map((e) => e.type)).toContain('user.created');
  });

  it('neutralises formula cells', async () => {
    const got = await get(t, `/admin/audit/export?userId=usr_bulk7`);
    const rows = parseCsv(got.text);
    expect(rows[1]![7]).toBe("'@SUM(1+1)");
  });

  it('refuses a bad filter with a JSON error before any file, and a caller without credentials', async () => {
    const inverted = await get(t, '/admin/audit/export?format=csv&since=2000&until=1000');
    expect(inverted.status).toBe(400);
    expect(JSON.parse(inverted.text)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('before') } });
    const unknown = await get(t, '/admin/audit/export?format=csv&typo=1');
    expect(JSON.parse(unknown.text)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const format = await get(t, '/admin/audit/export?format=xlsx');
    expect(format.status).toBe(400);
    const anonymous = await get(t, '/admin/audit/export?format=csv', {});
    expect(anonymous.status).toBe(401);
    const crossSite = await get(t, '/admin/audit/export?format=csv', { authorization: `Bearer ${t.adminToken}`, origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
  });
});
