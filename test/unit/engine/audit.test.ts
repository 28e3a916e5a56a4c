import { describe, expect, it } from 'vitest';
import { ADMIN, LAPTOP, PHONE, makeHarness } from './harness';

describe('audit log', () => {
  it('records every action from domain events, with actor and reason, hash-chained', async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    await h.login(LAPTOP);
    await h.engine.admin.revokeSession({ sessionId: phone.sessionId, reason: 'lost phone' }, { actor: 'admin:alice', role: 'owner', adminId: null });
    const page = await h.engine.admin.listAudit({ type: 'session.revoked' }, ADMIN) as { items: { actor: string; reason: string; sessionId: string }[] };
    expect(page.items).toEqual([expect.objectContaining({ actor: 'admin:alice', reason: 'lost phone', sessionId: phone.sessionId })]);
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true, brokenAtSeq: null });
  });

  it('live listeners receive events only after commit, with their sequence numbers', async () => {
    const h = await makeHarness();
    const seen: { type: string; seq: number | null }[] = [];
    h.engine.onEvent((event) => seen.push(event));
    await h.login(PHONE);
    expect(seen.map((e) => e.type)).toEqual(['user.login']);
    expect(seen[0]!.seq).toBe((await h.store.lastAudit())!.seq);
  });

  it('a routine refresh is announced live without an audit entry, and recorded on the refresh chain with its presenter', async () => {
    const h = await makeHarness();
    const login = await h.login(PHONE);
    const seen: { type: string; seq: number | null; data: Record<string, unknown> }[] = [];
    h.engine.onEvent((event) => seen.push(event));
    const auditedBefore = (await h.store.lastAudit())!.seq;
    const elsewhere = { ...PHONE, ip: '203.0.113.9', userAgent: 'curl/8.5' };
    const next = await h.engine.refresh({ refreshToken: login.refreshToken, clientId: 'mobile', device: elsewhere });

    expect((await h.store.lastAudit())!.seq).toBe(auditedBefore);
    expect(seen).toEqual([expect.objectContaining({ type: 'session.refreshed', seq: null, sessionId: login.sessionId, userId: h.userId })]);
    expect(seen[0]!.data).toMatchObject({ ip: '203.0.113.9', userAgent: 'curl/8.5', refreshCount: 1, accessToken: expect.objectContaining({ jti: next.jti }) });
    await h.engine.refresh({ refreshToken: next.refreshToken, clientId: 'mobile', device: PHONE });
    const chain = await h.store.listRefreshTokensOfSession(login.sessionId);
    expect(chain).toHaveLength(3);
    expect(chain[0]).toMatchObject({ usedAt: h.clock.now(), usedIp: '203.0.113.9', usedUserAgent: 'curl/8.5', successorHash: chain[1]!.hash });
    // The session's own user agent is not repeated on every row; the console reads it back from the session.
    expect(chain[1]).toMatchObject({ usedIp: PHONE.ip, usedUserAgent: null, successorHash: chain[2]!.hash });
    expect(chain[2]).toMatchObject({ usedAt: null, usedIp: null, usedUserAgent: null });
    const shown = await h.engine.admin.listSessionTokens({ sessionId: login.sessionId }, ADMIN) as { refreshChain: { usedBy: unknown }[] };
    expect(shown.refreshChain.map((token) => token.usedBy)).toEqual([
      { ip: '203.0.113.9', userAgent: 'curl/8.5' },
      { ip: PHONE.ip, userAgent: PHONE.userAgent },
      null,
    ]);
    expect((await h.store.lastAudit())!.seq).toBe(auditedBefore);
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true });
  });

  it('with auditRefreshes on, every refresh joins the audit chain, delivered live with its sequence number', async () => {
    const h = await makeHarness();
    await h.settings({ auditRefreshes: true });
    const login = await h.login(PHONE);
    const seen: { type: string; seq: number | null }[] = [];
    h.engine.onEvent((event) => seen.push(event));
    const first = await h.engine.refresh({ refreshToken: login.refreshToken, clientId: 'mobile', device: PHONE });
    await h.engine.refresh({ refreshToken: first.refreshToken, clientId: 'mobile', device: PHONE });

    const audited = await h.store.listAudit({ type: 'session.refreshed', limit: 10 });
    expect(audited.map((entry) => entry.data['refreshCount'])).toEqual([2, 1]);
    expect(seen.map((event) => event.seq)).toEqual(audited.map((entry) => entry.seq).reverse());
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true, brokenAtSeq: null });
  });

  it('a listener that throws does not undo the change', async () => {
    const h = await makeHarness();
    h.engine.onEvent(() => {
      throw new Error('listener bug');
    });
    await expect(h.login(PHONE)).resolves.toHaveProperty('accessToken');
    expect(h.errors).toEqual([expect.objectContaining({ message: 'listener bug' })]);
    expect(await h.store.countActiveSessions(h.clock.now())).toBe(1);
  });

  it('detects tampering: an edited entry breaks the chain at its sequence number', async () => {
    const h = await makeHarness();
    await h.login(PHONE);
    await h.login(LAPTOP);
    const target = (await h.store.listAudit({ type: 'user.login', limit: 1 }))[0]!;
    await h.sql('UPDATE audit SET actor = ? WHERE seq = ?', 'admin:mallory', target.seq);
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: false, brokenAtSeq: target.seq });
  });

  it('detects a deleted entry', async () => {
    const h = await makeHarness();
    await h.login(PHONE);
    await h.login(LAPTOP);
    const entries = await h.store.listAudit({ limit: 100 });
    const middle = entries[Math.floor(entries.length / 2)]!;
    await h.sql('DELETE FROM audit WHERE seq = ?', middle.seq);
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: false });
  });
});
