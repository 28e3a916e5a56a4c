/**
 * The inspector's verdicts (console "Inspect a token"): what it says must be true of the token it was given.
 */
import { describe, expect, it } from 'vitest';
import type { Inspection } from '../../../src/shared/dto';
import { ADMIN, HOUR, PHONE, makeHarness, type Harness } from './harness';

const inspect = async (h: Harness, token: string) => (await h.engine.admin.inspectToken({ token }, ADMIN)) as Inspection;
const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('inspector verdicts', () => {
  it("names a revoked session's status: the token's session is revoked, not open", async () => {
    const h = await makeHarness();
    const login = await h.login(PHONE);
    expect(await inspect(h, login.accessToken)).toMatchObject({ active: true, sessionId: login.sessionId, sessionStatus: 'active', reasons: [] });
    await h.engine.admin.revokeSession({ sessionId: login.sessionId }, ADMIN);
    expect(await inspect(h, login.accessToken)).toMatchObject({ active: false, reason: 'session_revoked', sessionId: login.sessionId, sessionStatus: 'revoked' });
    expect(await inspect(h, login.refreshToken)).toMatchObject({ kind: 'refresh_token', active: false, reason: 'session_revoked', sessionStatus: 'revoked' });
  });

  it('a refresh token is judged for the token endpoint, never as something a resource server accepts', async () => {
    const h = await makeHarness();
    const login = await h.login(PHONE);
    const verdict = await inspect(h, login.refreshToken);
    expect(verdict).toMatchObject({ kind: 'refresh_token', active: true, reason: null, reasons: [], sessionStatus: 'active' });
    expect(verdict.reasonText).toMatch(/token endpoint/);
    expect(verdict.reasonText).toMatch(/resource servers never see it/);
    // After a refresh-version bump it is refused, and its session reads can't refresh.
    await h.engine.admin.bumpRefreshVersion({ userId: h.userId }, ADMIN);
    expect(await inspect(h, login.refreshToken)).toMatchObject({ active: false, reason: 'refresh_version_mismatch', sessionStatus: 'cant_refresh' });
  });

  it('strips a pasted "Bearer " (or a whole Authorization header) before judging', async () => {
    const h = await makeHarness();
    const login = await h.login(PHONE);
    for (const pasted of [`Bearer ${login.accessToken}`, `bearer  ${login.accessToken}\n`, `Authorization: Bearer ${login.accessToken}`]) {
      expect(await inspect(h, pasted)).toMatchObject({ kind: 'access_token', active: true, sessionId: login.sessionId });
    }
    expect(await inspect(h, `Bearer ${login.refreshToken}`)).toMatchObject({ kind: 'refresh_token', active: true });
    // Not a scheme: left as it is (and so not a token).
    expect(await inspect(h, `Bearerx ${login.accessToken}`)).toMatchObject({ kind: 'unknown', reason: 'malformed' });
  });

  it('an expired token of a revoked key reports both, the key first', async () => {
    const h = await makeHarness();
    const login = await h.login(PHONE);
    const kid = kidOf(login.accessToken);
    await h.engine.admin.revokeSigningKey({ kid, reason: 'leaked' }, ADMIN);
    expect(await inspect(h, login.accessToken)).toMatchObject({ active: false, reason: 'revoked_kid', reasons: ['revoked_kid'] });
    h.clock.advance(HOUR);
    expect(await inspect(h, login.accessToken)).toMatchObject({ active: false, reason: 'revoked_kid', reasons: ['revoked_kid', 'expired'] });
    // And a revoked session on top of that is a third reason.
    await h.engine.admin.revokeSession({ sessionId: login.sessionId }, ADMIN);
    expect((await inspect(h, login.accessToken)).reasons).toEqual(['revoked_kid', 'expired', 'session_revoked']);
  });

  it('a forged or foreign token says nothing about expiry or sessions (its claims are not ours to believe)', async () => {
    const h = await makeHarness();
    const login = await h.login(PHONE);
    const [header, payload] = login.accessToken.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    h.clock.advance(HOUR);
    expect(await inspect(h, forged)).toMatchObject({ active: false, reasons: [expect.stringMatching(/bad_signature|malformed/)] });
  });
});
