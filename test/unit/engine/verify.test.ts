import { createHmac, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inspectToken } from '../../../src/main/engine/inspect';
import { CRIT_HEADERS, nonCanonicalVariants, respellings } from '../../helpers/jws-vectors';
import { ADMIN, ISSUER, LAPTOP, MINUTE, PHONE, SECOND, makeHarness, type Harness } from './harness';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function withToken() {
  const h = await makeHarness();
  const tokens = await h.login(PHONE);
  const [, payloadPart] = tokens.accessToken.split('.');
  const claims = JSON.parse(Buffer.from(payloadPart!, 'base64url').toString()) as Record<string, unknown>;
  return { h, tokens, claims };
}

/** Signs arbitrary claims with the engine's real active key (to test claim checks past the signature). */
function forge(h: Harness, claims: Record<string, unknown>, header: Record<string, unknown> = { typ: 'at+jwt' }): string {
  return h.engine.ctx.keys.sign(header, claims).token;
}

describe('verifyAccessToken: every verdict reason', () => {
  it('active for a fresh token', async () => {
    const { h, tokens } = await withToken();
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: true, claims: { sid: tokens.sessionId } });
  });

  it('malformed: garbage, truncated, wrong types, oversized', async () => {
    const { h, tokens } = await withToken();
    const truncated = tokens.accessToken.slice(0, tokens.accessToken.lastIndexOf('.'));
    for (const input of ['', 'abc', truncated, 'a.b.c', '...', 42, null, undefined, {}, ['a'], 'x'.repeat(20_000), `${b64([1])}.${b64({})}.`]) {
      expect(await h.engine.verifyAccessToken(input)).toMatchObject({ active: false, reason: 'malformed' });
    }
  });

  it('unsupported_alg: alg none and HS256 signed with the public key are refused', async () => {
    const { h, claims } = await withToken();
    const kid = h.engine.jwks().keys[0]!.kid;
    const none = `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims)}.`;
    expect(await h.engine.verifyAccessToken(none)).toMatchObject({ active: false, reason: 'unsupported_alg' });
    const pem = createPublicKey({ key: h.engine.jwks().keys[0] as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${b64(claims)}`;
    const hs = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    expect(await h.engine.verifyAccessToken(hs)).toMatchObject({ active: false, reason: 'unsupported_alg' });
    // An alg the key does not declare (whichever the install signs with).
    const otherAlg = h.engine.jwks().keys[0]!.alg === 'ES256' ? 'EdDSA' : 'ES256';
    const mismatch = `${b64({ alg: otherAlg, typ: 'at+jwt', kid })}.${b64(claims)}.${'A'.repeat(86)}`;
    expect(await h.engine.verifyAccessToken(mismatch)).toMatchObject({ active: false, reason: 'unsupported_alg' });
  });

  it('unknown_kid and bad_signature (tampered payload)', async () => {
    const { h, tokens, claims } = await withToken();
    const [header, , signature] = tokens.accessToken.split('.');
    const otherKid = `${b64({ alg: 'EdDSA', typ: 'at+jwt', kid: 'nope' })}.${tokens.accessToken.split('.')[1]}.${signature}`;
    expect(await h.engine.verifyAccessToken(otherKid)).toMatchObject({ active: false, reason: 'unknown_kid' });
    const tampered = `${header}.${b64({ ...claims, sub: 'usr_someone_else' })}.${signature}`;
    expect(await h.engine.verifyAccessToken(tampered)).toMatchObject({ active: false, reason: 'bad_signature' });
  });

  it('wrong_typ, wrong_issuer, wrong_audience', async () => {
    const { h, claims } = await withToken();
    expect(await h.engine.verifyAccessToken(forge(h, claims, { typ: 'JWT' }))).toMatchObject({ reason: 'wrong_typ' });
    expect(await h.engine.verifyAccessToken(forge(h, claims, {}))).toMatchObject({ reason: 'wrong_typ' });
    expect(await h.engine.verifyAccessToken(forge(h, claims, { typ: 'application/at+jwt' }))).toMatchObject({ active: true });
    expect(await h.engine.verifyAccessToken(forge(h, { ...claims, iss: 'https://evil.example' }))).toMatchObject({ reason: 'wrong_issuer' });
    expect(await h.engine.verifyAccessToken(forge(h, { ...claims, aud: 'another-api' }))).toMatchObject({ reason: 'wrong_audience' });
    expect(await h.engine.verifyAccessToken(forge(h, { ...claims, aud: ['another-api', 'token-warden-api'] }))).toMatchObject({ active: true });
    expect(await h.engine.verifyAccessToken(forge(h, { ...claims, exp: 'soon' }))).toMatchObject({ reason: 'malformed' });
  });

  it('expired: accepted up to exp + skew (exclusive), rejected from then on', async () => {
    const { h, tokens, claims } = await withToken();
    const exp = (claims.exp as number) * 1000;
    h.clock.set(exp + 5 * SECOND - 1);
    expect((await h.engine.verifyAccessToken(tokens.accessToken)).active).toBe(true);
    h.clock.set(exp + 5 * SECOND);
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false, reason: 'expired' });
  });

  it('not_yet_valid: nbf or iat beyond the skew', async () => {
    const { h, claims } = await withToken();
    const now = Math.floor(h.clock.now() / 1000);
    expect(await h.engine.verifyAccessToken(forge(h, { ...claims, nbf: now + 6 }))).toMatchObject({ reason: 'not_yet_valid' });
    expect(await h.engine.verifyAccessToken(forge(h, { ...claims, nbf: now + 5 }))).toMatchObject({ active: true });
    expect(await h.engine.verifyAccessToken(forge(h, { ...claims, iat: now + 60 }))).toMatchObject({ reason: 'not_yet_valid' });
  });

  it('jti_revoked, and the revocation is purged once the token has expired (+ skew)', async () => {
    const { h, tokens } = await withToken();
    const receipt = await h.engine.admin.revokeAccessToken({ jti: tokens.jti, reason: 'leaked in a log' }, ADMIN) as { accessTokensRevoked: number; feedEventId: number };
    expect(receipt.accessTokensRevoked).toBe(1);
    expect(receipt.feedEventId).toBeGreaterThan(0);
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false, reason: 'jti_revoked' });
    h.clock.advance(10 * MINUTE + 4 * SECOND);
    await h.engine.maintain();
    expect(await h.store.isJtiRevoked(tokens.jti)).toBe(true);
    h.clock.advance(2 * SECOND);
    await h.engine.maintain();
    expect(await h.store.isJtiRevoked(tokens.jti)).toBe(false);
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false, reason: 'expired' });
  });

  it('session_revoked', async () => {
    const { h, tokens } = await withToken();
    await h.engine.admin.revokeSession({ sessionId: tokens.sessionId }, ADMIN);
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false, reason: 'session_revoked' });
  });

  it('user_blocked, unknown_user, unknown_session', async () => {
    const { h, tokens, claims } = await withToken();
    expect(await h.engine.verifyAccessToken(forge(h, { ...claims, sub: 'usr_ghost' }))).toMatchObject({ reason: 'unknown_user' });
    expect(await h.engine.verifyAccessToken(forge(h, { ...claims, sid: 'ses_ghost' }))).toMatchObject({ reason: 'unknown_session' });
    await h.engine.admin.blockUser({ userId: h.userId, reason: 'fraud' }, ADMIN);
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false, reason: 'user_blocked' });
  });
});

describe('one spelling per token, no critical extensions (RFC 7515 §2, §4.1.11)', () => {
  /** The verdict at every door of the engine: verify, RFC 7662 introspection and the console's inspector. */
  async function everywhere(h: Harness, token: string) {
    return {
      verify: await h.engine.verifyAccessToken(token),
      introspection: await h.engine.introspect(token),
      inspection: await inspectToken(h.engine.ctx, { token }),
    };
  }

  it('refuses each of the 15 other spellings of a genuine signature, and every other non-canonical form', async () => {
    const { h, tokens } = await withToken();
    expect(await everywhere(h, tokens.accessToken)).toMatchObject({ verify: { active: true }, introspection: { active: true }, inspection: { active: true } });
    expect(respellings(tokens.accessToken.split('.')[2]!)).toHaveLength(15);
    for (const [name, variant] of nonCanonicalVariants(tokens.accessToken)) {
      const seen = await everywhere(h, variant);
      expect(seen.verify, name).toEqual({ active: false, reason: 'malformed' });
      expect(seen.introspection, name).toEqual({ active: false });
      expect(seen.inspection.active, name).toBe(false);
      expect(seen.inspection.reason, name).toBe('malformed');
    }
    // The inspector still shows what the token says, and why it is refused.
    const [, respelled] = nonCanonicalVariants(tokens.accessToken).find(([name]) => name.startsWith('signature respelled'))!;
    expect(await inspectToken(h.engine.ctx, { token: respelled })).toMatchObject({
      kind: 'access_token',
      claims: { jti: tokens.jti },
      signatureValid: null,
      reasonText: expect.stringContaining('canonical base64url'),
    });
  });

  it('a respelled token cannot revoke the genuine one', async () => {
    const { h, tokens } = await withToken();
    const [, respelled] = nonCanonicalVariants(tokens.accessToken).find(([name]) => name.startsWith('signature respelled'))!;
    await h.engine.revokeToken(respelled, 'mobile');
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: true });
    await h.engine.revokeToken(tokens.accessToken, 'mobile');
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false, reason: 'jti_revoked' });
  });

  for (const [name, extra] of CRIT_HEADERS) {
    it(`refuses a header with ${name}, signed by the real key`, async () => {
      const { h, claims } = await withToken();
      const token = forge(h, claims, { typ: 'at+jwt', ...extra });
      const seen = await everywhere(h, token);
      expect(seen.verify).toEqual({ active: false, reason: 'malformed' });
      expect(seen.introspection).toEqual({ active: false });
      expect(seen.inspection).toMatchObject({ kind: 'access_token', active: false, reason: 'malformed', header: extra, reasonText: expect.stringContaining('crit') });
    });
  }
});

describe('force logout', () => {
  it('rejects an access token issued one second earlier at once; a new login afterwards works, even in the same second', async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    const laptop = await h.login(LAPTOP, true);
    h.clock.advance(SECOND);
    const receipt = await h.engine.admin.forceLogout({ userId: h.userId, reason: 'stolen laptop' }, ADMIN) as { sessionsRevoked: string[]; accessTokensRevoked: number; feedEventId: number };
    expect(receipt.sessionsRevoked.sort()).toEqual([phone.sessionId, laptop.sessionId].sort());
    expect(receipt.accessTokensRevoked).toBe(2);
    expect(await h.engine.verifyAccessToken(phone.accessToken)).toMatchObject({ active: false, reason: 'issued_before_not_before' });
    expect(await h.engine.verifyAccessToken(laptop.accessToken)).toMatchObject({ active: false, reason: 'issued_before_not_before' });
    await expect(h.engine.refresh({ refreshToken: laptop.refreshToken, clientId: 'web', device: LAPTOP })).rejects.toMatchObject({ code: 'session_revoked' });
    const again = await h.login(PHONE);
    expect(await h.engine.verifyAccessToken(again.accessToken)).toMatchObject({ active: true });
    h.clock.advance(999);
    const later = await h.login(PHONE);
    expect(await h.engine.verifyAccessToken(later.accessToken)).toMatchObject({ active: true });
  });

  it('a token issued in the same millisecond as the force logout is rejected', async () => {
    const h = await makeHarness();
    h.clock.set(Date.UTC(2026, 0, 1, 12, 0, 0, 0));
    const tokens = await h.login(PHONE);
    await h.engine.admin.forceLogout({ userId: h.userId }, ADMIN);
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false, reason: 'issued_before_not_before' });
  });

  it('publishes one user-level revocation carrying the not-before', async () => {
    const h = await makeHarness();
    await h.login(PHONE);
    const seen: unknown[] = [];
    h.engine.onRevocation((row) => seen.push(row));
    await h.engine.admin.forceLogout({ userId: h.userId }, ADMIN);
    expect(seen).toEqual([expect.objectContaining({ kind: 'user', subject: h.userId, notBefore: h.clock.now() + 1 })]);
    expect(await h.engine.revocationsAfter(0, 10)).toHaveLength(1);
  });
});

describe('issuer', () => {
  it('every token names the configured issuer', async () => {
    const { claims } = await withToken();
    expect(claims.iss).toBe(ISSUER);
  });
});
