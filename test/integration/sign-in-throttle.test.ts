/**
 * The hosted page's password attempts share the token endpoint's throttles: the engine's per-user lock (one
 * count, whichever door the guesses came through) and the per-address throttle, both holding under concurrent
 * guesses. A locked account is told so, and an unknown username locks alike, so the page never tells which
 * usernames exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { authorizeUrl, CookieJar, formFields, getPage, pkce, postSignIn, registerApp } from '../helpers/front-channel';
import { startTestWarden, type TestWarden } from '../helpers/warden';

const MAX_FAILED = 3;

async function formFor(t: TestWarden, app: { clientId: string; redirectUri: string }, jar: CookieJar) {
  const { challenge } = pkce();
  const response = await getPage(authorizeUrl(t, { client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' }), jar);
  expect(response.status).toBe(200);
  return formFields(await response.text());
}

/** The alert's text in a re-shown form. */
async function alertOf(response: Response): Promise<string> {
  return /role="alert"[^>]*>([^<]*)</.exec(await response.text())?.[1] ?? '';
}

describe('sign-in page throttles: per user, shared with the password grant', () => {
  let t: TestWarden;
  let app: { clientId: string; redirectUri: string };
  let passwordApp: string;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    t = await startTestWarden({ clock, addressThrottle: { maxFailures: 1000, windowMs: 60_000 } });
    await t.admin('updateSettings', { maxFailedLogins: MAX_FAILED, loginLockSeconds: 600 });
    app = await registerApp(t);
    passwordApp = await t.createPublicClient();
  });
  afterAll(() => t?.close());

  const failuresOf = async (userId: string) =>
    (await t.admin('listAudit', { type: 'user.login_failed', userId, limit: 100 })).items.filter((entry) => entry.data.reason === 'invalid_credentials').length;

  it('wrong passwords on the page lock the password grant too, and the reverse', async () => {
    const user = await t.createUser();
    const jar = new CookieJar();
    const fields = await formFor(t, app, jar);
    for (let i = 0; i < MAX_FAILED; i += 1) {
      expect((await postSignIn(t, { ...fields, username: user.username, password: `wrong ${i}` }, jar)).status).toBe(401);
    }
    const grant = await t.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: passwordApp });
    expect(grant.status).toBe(429);
    const page = await postSignIn(t, { ...fields, username: user.username, password: user.password }, jar);
    expect(page.status).toBe(429);
    expect(await alertOf(page)).toBe('Too many failed sign-ins for this account. Try again in 10 minutes.');
    expect(jar.cookies.has('tw_session')).toBe(false);

    const other = await t.createUser();
    for (let i = 0; i < MAX_FAILED; i += 1) {
      await t.postForm('/oauth/token', { grant_type: 'password', username: other.username, password: `wrong ${i}`, client_id: passwordApp });
    }
    expect((await postSignIn(t, { ...fields, username: other.username, password: other.password }, jar)).status).toBe(429);
  });

  it('concurrent guesses on the page: at most the limit are evaluated', async () => {
    const user = await t.createUser();
    const jar = new CookieJar();
    const fields = await formFor(t, app, jar);
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => postSignIn(t, { ...fields, username: user.username, password: `guess ${i}` }, jar)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 401)).toHaveLength(MAX_FAILED);
    expect(statuses.filter((status) => status === 429)).toHaveLength(12 - MAX_FAILED);
    expect(await failuresOf(user.id)).toBe(MAX_FAILED);
    // Even the right password now waits out the lock.
    expect((await postSignIn(t, { ...fields, username: user.username, password: user.password }, jar)).status).toBe(429);
  });

  it('concurrent guesses through both doors at once: at most the limit are evaluated in all', async () => {
    const user = await t.createUser();
    const jar = new CookieJar();
    const fields = await formFor(t, app, jar);
    const page = Array.from({ length: 6 }, (_, i) => postSignIn(t, { ...fields, username: user.username, password: `page guess ${i}` }, jar));
    const grant = Array.from({ length: 6 }, (_, i) =>
      t.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: `grant guess ${i}`, client_id: passwordApp }));
    const statuses = (await Promise.all([...page, ...grant])).map((response) => response.status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(12 - MAX_FAILED);
    expect(await failuresOf(user.id)).toBe(MAX_FAILED);
  });

  it('an unknown username locks like a real one: the same answers, in the same order', async () => {
    const user = await t.createUser();
    const unknown = `nobody-${Date.now().toString(36)}`;
    const jar = new CookieJar();
    const fields = await formFor(t, app, jar);
    const answers = async (username: string) => {
      const seen: string[] = [];
      for (let i = 0; i < MAX_FAILED + 2; i += 1) {
        const response = await postSignIn(t, { ...fields, username, password: `guess ${i}` }, jar);
        seen.push(`${response.status} ${await alertOf(response)}`);
      }
      return seen;
    };
    const real = await answers(user.username);
    const fake = await answers(unknown);
    expect(fake).toEqual(real);
    expect(real.at(-1)).toBe('429 Too many failed sign-ins for this account. Try again in 10 minutes.');
    // Usernames match without regard to case, locked or not.
    for (const username of [user.username.toUpperCase(), unknown.toUpperCase()]) {
      expect((await postSignIn(t, { ...fields, username, password: 'guess' }, jar)).status, username).toBe(429);
    }
    // The lock ends for both after the lock time.
    clock.advance(601_000);
    expect((await postSignIn(t, { ...fields, username: unknown, password: 'again' }, jar)).status).toBe(401);
    expect((await postSignIn(t, { ...fields, username: user.username, password: user.password }, jar)).status).toBe(303);
  });
});

describe('sign-in page throttles: per address, shared with the token endpoint', () => {
  let t: TestWarden;

  beforeAll(async () => {
    t = await startTestWarden({ addressThrottle: { maxFailures: 4, windowMs: 60_000 } });
  });
  afterAll(() => t?.close());

  it('failures at the token endpoint use up the address for the page, and the page refuses without looking', async () => {
    const app = await registerApp(t);
    const passwordApp = await t.createPublicClient();
    const user = await t.createUser();
    await Promise.all(Array.from({ length: 4 }, (_, i) =>
      t.postForm('/oauth/token', { grant_type: 'password', username: `spray-${i}`, password: 'guess', client_id: passwordApp })));
    const jar = new CookieJar();
    const fields = await formFor(t, app, jar);
    const before = await t.snapshot();
    const response = await postSignIn(t, { ...fields, username: user.username, password: user.password }, jar);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await alertOf(response)).toMatch(/^Too many failed sign-ins from your network\. Try again in \d+ seconds?\.$/);
    expect(jar.cookies.has('tw_session')).toBe(false);
    expect(await t.snapshot()).toEqual(before);
  });
});
