import { describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../../src/main/engine/dispatch';
import type { ReuseAlert } from '../../../src/shared/audit';
import type { AuditEntry } from '../../../src/shared/dto';
import { ADMIN, LAPTOP, PHONE, asRole, makeHarness, type Harness } from './harness';

type Page = { items: AuditEntry[]; nextBeforeSeq: number | null };

async function reuse(h: Harness): Promise<void> {
  const login = await h.login(PHONE);
  await h.engine.refresh({ refreshToken: login.refreshToken, clientId: 'mobile', device: PHONE });
  await expect(h.engine.refresh({ refreshToken: login.refreshToken, clientId: 'mobile', device: LAPTOP })).rejects.toMatchObject({ code: 'refresh_token_reused' });
}

describe('audit search (listAudit)', () => {
  it('searches free text, several types, actor and user by prefix, through the admin contract', async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    await h.login(LAPTOP);
    await h.engine.admin.revokeSession({ sessionId: phone.sessionId, reason: 'Phone left on the TRAIN' }, asRole('operator', 'admin:olga'));
    const call = async (input: unknown) => {
      const result = await dispatchAdmin(h.engine.admin, 'listAudit', input, asRole('viewer'));
      if (!result.ok) throw new Error(result.error.message);
      return result.value as Page;
    };
    expect((await call({ q: 'on the train' })).items.map((e) => e.type)).toEqual(['session.revoked']);
    expect((await call({ q: 'firefox' })).items.map((e) => e.sessionId)).toContain((await h.store.listAudit({ type: 'user.login', limit: 1 }))[0]!.sessionId);
    const types = (await call({ types: ['session.revoked', 'user.login'] })).items.map((e) => e.type);
    expect(types).toEqual(['session.revoked', 'user.login', 'user.login']);
    expect((await call({ actorPrefix: 'admin:ol' })).items.map((e) => e.actor)).toEqual(['admin:olga']);
    expect((await call({ userPrefix: h.userId.slice(0, 6), types: ['session.revoked'] })).items).toHaveLength(1);
    const paged = await call({ types: ['session.revoked', 'user.login'], limit: 2 });
    expect(paged.nextBeforeSeq).toBe(paged.items[1]!.seq);
    expect((await call({ types: ['session.revoked', 'user.login'], limit: 2, beforeSeq: paged.nextBeforeSeq })).items.map((e) => e.type)).toEqual(['user.login']);
  });

  it('refuses a "to" before "from" and a too-short text with invalid_input', async () => {
    const h = await makeHarness();
    const inverted = await dispatchAdmin(h.engine.admin, 'listAudit', { since: 2000, until: 1000 }, ADMIN);
    expect(inverted).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('before') } });
    const short = await dispatchAdmin(h.engine.admin, 'listAudit', { q: 'ab' }, ADMIN);
    expect(short).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

});

describe('reuse alerts', () => {
  it('lists a detected reuse as open; an operator acknowledges it with a note, audited with the actor', async () => {
    const h = await makeHarness();
    await reuse(h);
    const list = (await dispatchAdmin(h.engine.admin, 'listReuseAlerts', { status: 'open' }, asRole('viewer'))) as { ok: true; value: { items: ReuseAlert[]; open: number } };
    expect(list.value.open).toBe(1);
    const alert = list.value.items[0]!;
    expect(alert).toMatchObject({ entry: { type: 'refresh_token.reused' }, acknowledgement: null });

    const refused = await dispatchAdmin(h.engine.admin, 'acknowledgeReuseAlert', { seq: alert.entry.seq, note: 'seen' }, asRole('viewer'));
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    h.clock.advance(5000);
    const done = await dispatchAdmin(h.engine.admin, 'acknowledgeReuseAlert', { seq: alert.entry.seq, note: '  user had two tabs  ' }, asRole('operator', 'admin:olga'));
    expect(done).toMatchObject({ ok: true, value: { acknowledgement: { by: 'admin:olga', at: h.clock.now(), note: 'user had two tabs' } } });
    const again = await dispatchAdmin(h.engine.admin, 'acknowledgeReuseAlert', { seq: alert.entry.seq, note: 'twice' }, asRole('operator'));
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const audited = await h.store.listAudit({ type: 'reuse_alert.acknowledged', limit: 5 });
    expect(audited).toEqual([expect.objectContaining({ actor: 'admin:olga', sessionId: alert.entry.sessionId, data: expect.objectContaining({ seq: alert.entry.seq, note: 'user had two tabs' }) })]);
    expect(await h.engine.admin.listReuseAlerts({ status: 'open' }, ADMIN)).toMatchObject({ items: [], open: 0 });
    expect(await h.engine.admin.getAuditEntry({ seq: alert.entry.seq }, ADMIN)).toMatchObject({ acknowledgement: { by: 'admin:olga' } });
  });

  it('refuses to acknowledge an entry that is not a reuse alert, or does not exist', async () => {
    const h = await makeHarness();
    await h.login(PHONE);
    const login = (await h.store.lastAudit())!;
    await expect(() => h.engine.admin.acknowledgeReuseAlert({ seq: login.seq, note: 'x' }, ADMIN)).rejects.toThrow(expect.objectContaining({ code: 'invalid_input' }));
    await expect(() => h.engine.admin.acknowledgeReuseAlert({ seq: 99_999, note: 'x' }, ADMIN)).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(await h.store.auditSearch.getAcknowledgement(login.seq)).toBeUndefined();
  });
});
