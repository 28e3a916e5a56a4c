import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ADMIN, LAPTOP, PHONE, makeHarness } from './harness';

describe('audit log', () => {
  it('records every action from domain events, with actor and reason, hash-chained', async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    await h.login(LAPTOP);
    h.engine.admin.revokeSession({ sessionId: phone.sessionId, reason: 'lost phone' }, { actor: 'admin:alice' });
    const page = h.engine.admin.listAudit({ type: 'session.revoked' }, ADMIN) as { items: { actor: string; reason: string; sessionId: string }[] };
    expect(page.items).toEqual([expect.objectContaining({ actor: 'admin:alice', reason: 'lost phone', sessionId: phone.sessionId })]);
    expect(h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true, brokenAtSeq: null });
  });

  it('live listeners receive events only after commit, with their sequence numbers', async () => {
    const h = await makeHarness();
    const seen: { type: string; seq: number }[] = [];
    h.engine.onEvent((event) => seen.push(event));
    await h.login(PHONE);
    expect(seen.map((e) => e.type)).toEqual(['user.login']);
    expect(seen[0]!.seq).toBe(h.store.lastAudit()!.seq);
  });

  it('a listener that throws does not undo the change', async () => {
    const h = await makeHarness();
    h.engine.onEvent(() => {
      throw new Error('listener bug');
    });
    await expect(h.login(PHONE)).resolves.toHaveProperty('accessToken');
    expect(h.errors).toEqual([expect.objectContaining({ message: 'listener bug' })]);
    expect(h.store.countActiveSessions(h.clock.now())).toBe(1);
  });

  it('detects tampering: an edited entry breaks the chain at its sequence number', async () => {
    const h = await makeHarness();
    await h.login(PHONE);
    await h.login(LAPTOP);
    const target = h.store.listAudit({ type: 'user.login', limit: 1 })[0]!;
    const raw = new Database(h.path);
    raw.prepare('UPDATE audit SET actor = ? WHERE seq = ?').run('admin:mallory', target.seq);
    raw.close();
    expect(h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: false, brokenAtSeq: target.seq });
  });

  it('detects a deleted entry', async () => {
    const h = await makeHarness();
    await h.login(PHONE);
    await h.login(LAPTOP);
    const entries = h.store.listAudit({ limit: 100 });
    const middle = entries[Math.floor(entries.length / 2)]!;
    const raw = new Database(h.path);
    raw.prepare('DELETE FROM audit WHERE seq = ?').run(middle.seq);
    raw.close();
    expect(h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: false });
  });
});
