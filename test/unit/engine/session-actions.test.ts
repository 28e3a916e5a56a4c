/** revokeSessions (bulk, one receipt, one audit entry), its blast radius, and signOutEveryone. */
import { describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../../src/main/engine/dispatch';
import { ADMIN, expectCode, LAPTOP, makeHarness, PHONE, type Harness } from './harness';

const OPERATOR = { actor: 'admin:olga', role: 'operator' as const, adminId: 'adm_olga' };

async function sessionsOf(h: Harness, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const tokens = await h.login(i % 2 ? LAPTOP : PHONE);
    ids.push(tokens.sessionId);
  }
  return ids;
}

describe('revokeSessions', () => {
  it('revokes the selection with one receipt and one audit entry, a feed entry per session, after a matching blast radius', async () => {
    const h = await makeHarness();
    const [a, b, c, keep] = await sessionsOf(h, 4);
    const selection = [a!, b!, c!];
    const radius = await h.engine.admin.previewBlastRadius({ target: { kind: 'sessions', sessionIds: selection } }, ADMIN);
    expect(radius.sessions.map((s) => s.id).sort()).toEqual([...selection].sort());
    expect(radius.refreshFamilies).toBe(3);
    expect(radius.liveAccessTokens).toBe(3);
    expect(radius.clients.sort()).toEqual(['mobile', 'web']);

    const lastSeq = (await h.store.lastAudit())!.seq;
    const lastRevocation = (await h.store.listRevocationsAfter(0, 1000)).at(-1)?.id ?? 0;
    const receipt = await h.engine.admin.revokeSessions({ sessionIds: [...selection, a!], reason: 'incident 7' }, OPERATOR);
    expect(receipt.action).toBe('revokeSessions');
    expect(receipt.actor).toBe('admin:olga');
    expect([...receipt.sessionsRevoked].sort()).toEqual([...selection].sort());
    expect(receipt.accessTokensRevoked).toBe(radius.liveAccessTokens);
    expect(receipt.refreshTokensRevoked).toBe(3);

    const audit = (await h.store.listAudit({ limit: 50 })).filter((e) => e.seq > lastSeq);
    expect(audit.map((e) => e.type)).toEqual(['sessions.revoked']);
    expect(audit[0]!.actor).toBe('admin:olga');
    expect(audit[0]!.reason).toBe('incident 7');
    expect(audit[0]!.data).toMatchObject({ count: 3, requested: 3, feedEventId: receipt.feedEventId });
    const feed = await h.store.listRevocationsAfter(lastRevocation, 1000);
    expect(feed.map((r) => r.kind)).toEqual(['session', 'session', 'session']);
    expect(receipt.feedEventId).toBe(feed.at(-1)!.id);

    for (const id of selection) expect((await h.store.getSession(id))!.revokedBy).toBe('admin:olga');
    expect((await h.store.getSession(keep!))!.revokedAt).toBeNull();
    // Again: nothing left to kill, and the blast radius says so.
    expect((await h.engine.admin.previewBlastRadius({ target: { kind: 'sessions', sessionIds: selection } }, ADMIN)).sessions).toEqual([]);
    expect((await h.engine.admin.revokeSessions({ sessionIds: selection }, OPERATOR)).sessionsRevoked).toEqual([]);
  });

  it('refuses the whole batch when one id is unknown', async () => {
    const h = await makeHarness();
    const [a] = await sessionsOf(h, 1);
    await expectCode(() => h.engine.admin.revokeSessions({ sessionIds: [a!, 'ses_nope'] }, OPERATOR), 'not_found');
    expect((await h.store.getSession(a!))!.revokedAt).toBeNull();
    await expectCode(() => h.engine.admin.previewBlastRadius({ target: { kind: 'sessions', sessionIds: ['ses_nope'] } }, ADMIN), 'not_found');
  });

  it('is an operator action, and signing out everyone an owner one (403 for less)', async () => {
    const h = await makeHarness();
    const [a] = await sessionsOf(h, 1);
    const viewer = { actor: 'admin:vic', role: 'viewer' as const, adminId: 'adm_vic' };
    const refused = await dispatchAdmin(h.engine.admin, 'revokeSessions', { sessionIds: [a] }, viewer);
    expect(refused.ok ? 'ok' : refused.error.code).toBe('forbidden');
    const operator = await dispatchAdmin(h.engine.admin, 'signOutEveryone', { confirm: 'everyone' }, OPERATOR);
    expect(operator.ok ? 'ok' : operator.error.code).toBe('forbidden');
    expect((await h.store.getSession(a!))!.revokedAt).toBeNull();
    const tooMany = await dispatchAdmin(h.engine.admin, 'revokeSessions', { sessionIds: Array.from({ length: 501 }, (_, i) => `ses_${i}`) }, OPERATOR);
    expect(tooMany.ok ? 'ok' : tooMany.error.code).toBe('invalid_input');
  });
});

describe('signOutEveryone', () => {
  it('asks for the client id or "everyone" typed out, then revokes every open session of that scope and bumps nothing', async () => {
    const h = await makeHarness();
    await sessionsOf(h, 4); // two on web (LAPTOP), two on mobile (PHONE)
    const user = (await h.store.getUser(h.userId))!;
    await expectCode(() => h.engine.admin.signOutEveryone({ clientId: 'web', confirm: 'everyone' }, ADMIN), 'invalid_input');
    await expectCode(() => h.engine.admin.signOutEveryone({ confirm: 'Everyone' }, ADMIN), 'invalid_input');
    await expectCode(() => h.engine.admin.signOutEveryone({ clientId: 'nope', confirm: 'nope' }, ADMIN), 'not_found');

    const lastSeq = (await h.store.lastAudit())!.seq;
    const web = await h.engine.admin.signOutEveryone({ clientId: 'web', confirm: 'web' }, ADMIN);
    expect(web.sessionsRevoked).toHaveLength(2);
    const open = () => h.store.sessionSearch.openSessionsOf(null, h.clock.now());
    expect((await open()).map((s) => s.clientId)).toEqual(['mobile', 'mobile']);
    const all = await h.engine.admin.signOutEveryone({ confirm: 'everyone', reason: 'breach' }, ADMIN);
    expect(all.sessionsRevoked).toHaveLength(2);
    expect(await open()).toEqual([]);
    const audit = (await h.store.listAudit({ limit: 50 })).filter((e) => e.seq > lastSeq);
    expect(audit.map((e) => [e.type, e.data['clientId'], e.data['count']])).toEqual([
      ['sessions.signed_out_everyone', null, 2],
      ['sessions.signed_out_everyone', 'web', 2],
    ]);
    const after = (await h.store.getUser(h.userId))!;
    expect([after.refreshVersion, after.notBefore]).toEqual([user.refreshVersion, user.notBefore]);
    await h.login(PHONE); // signing in again works at once
  });
});
