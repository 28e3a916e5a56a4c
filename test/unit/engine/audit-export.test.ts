import { describe, expect, it } from 'vitest';
import { csvField, exportFileName, openAuditExport } from '../../../src/main/engine/audit-export';
import type { AuditEntry } from '../../../src/shared/dto';
import { parseCsv } from '../../helpers/csv';
import { ADMIN, asRole, makeHarness } from './harness';

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe('csvField', () => {
  it('neutralises cells a spreadsheet would run as formulas, and quotes per RFC 4180', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(['+1', '-1', '@SUM(A1)', '\tx', '\rx'].map(csvField)).toEqual(["'+1", "'-1", "'@SUM(A1)", "'\tx", `"'\rx"`]);
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
    expect(csvField('plain')).toBe('plain');
  });

  it('names the file after the instant, without characters file systems refuse', () => {
    expect(exportFileName('csv', Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('audit-2026-01-02T03-04-05Z.csv');
  });
});

describe('openAuditExport', () => {
  it('writes every entry the filter selects, across pages, as CSV that reads back to the same entries', async () => {
    const h = await makeHarness();
    for (let i = 0; i < 7; i += 1) await h.engine.admin.createUser({ username: `export${i}`, password: 'correct horse battery' }, ADMIN);
    await h.engine.admin.blockUser({ userId: h.userId, reason: '=cmd|"/c calc"!A1, then "quotes"\nand a new line' }, asRole('operator', 'admin:olga'));
    const opened = await openAuditExport(h.engine.admin, asRole('viewer'), { types: ['user.created', 'user.blocked'] }, 'csv', 3);
    if (!opened.ok) throw new Error(opened.error.message);
    const rows = parseCsv(await collect(opened.value.chunks));
    const expected = await h.store.auditSearch.search({ types: ['user.created', 'user.blocked'], limit: 100 });
    expect(rows[0]).toEqual(['seq', 'at', 'atMs', 'type', 'actor', 'userId', 'sessionId', 'reason', 'data', 'prevHash', 'hash']);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(expected.map((e) => e.seq));
    expect(opened.value.entries).toBe(expected.length);
    const blocked = rows.find((r) => r[3] === 'user.blocked')!;
    expect(blocked[7]).toBe(`'=cmd|"/c calc"!A1, then "quotes"\nand a new line`);
    expect(blocked[4]).toBe('admin:olga');
    expect(new Date(blocked[1]!).getTime()).toBe(Number(blocked[2]));
    const created = rows.find((r) => r[3] === 'user.created')!;
    expect(JSON.parse(created[8]!)).toEqual(expected.find((e) => e.seq === Number(created[0]))!.data);
  });

  it('writes JSON Lines, one whole entry per line', async () => {
    const h = await makeHarness();
    await h.engine.admin.createUser({ username: 'jsonl1', password: 'correct horse battery' }, ADMIN);
    const opened = await openAuditExport(h.engine.admin, ADMIN, { q: 'jsonl1' }, 'jsonl');
    if (!opened.ok) throw new Error(opened.error.message);
    const text = await collect(opened.value.chunks);
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l) as AuditEntry)).toEqual(await h.store.auditSearch.search({ q: 'jsonl1', limit: 10 }));
  });

  it('refuses an invalid filter before anything is written', async () => {
    const h = await makeHarness();
    const opened = await openAuditExport(h.engine.admin, ADMIN, { since: 5, until: 1 }, 'csv');
    expect(opened).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const unknown = await openAuditExport(h.engine.admin, ADMIN, { nope: 1 } as never, 'csv');
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
