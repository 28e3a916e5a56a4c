/**
 * The login throttle across instances (issue 17, item 2): two instances on one PostgreSQL database, many
 * simultaneous wrong passwords for one user spread over both. Attempts in flight are leases in the database
 * (src/main/engine/leased-attempt-reservations.ts), so the deployment evaluates at most `maxFailedLogins`
 * passwords before the lock, as one instance does; with each instance counting only its own attempts in flight
 * (the in-memory reservations), each admitted its own share.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signIn } from '../../src/main/engine/sign-in';
import { describePg } from '../helpers/postgres';
import { eventually, startPgInstances, type PgInstance, type PgInstances } from '../helpers/pg-instances';

const MAX_FAILED = 4;
const ATTEMPTS_PER_INSTANCE = 15;

describePg('the login throttle with two instances', () => {
  let pair: PgInstances;
  beforeAll(async () => {
    // The per-address throttle (per instance, docs/postgres.md) stays out of the way: every attempt is from 127.0.0.1.
    pair = await startPgInstances(2, { addressThrottle: { maxFailures: 10_000, windowMs: 60_000 } });
  }, 120_000);
  afterAll(async () => {
    await pair?.close();
  }, 60_000);

  it(`evaluates at most maxFailedLogins wrong passwords deployment-wide, whichever instance they reach`, async () => {
    const [a, b] = pair.instances as [PgInstance, PgInstance];
    await a.admin('updateSettings', { maxFailedLogins: MAX_FAILED, loginLockSeconds: 600 });
    await eventually('instance B uses the new limit', async () => (await b.admin('getSettings', {})).maxFailedLogins === MAX_FAILED);
    const app = await a.createPublicClient();
    const user = await a.createUser();
    const guess = (t: PgInstance, n: number) => t.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: `wrong guess ${n}`, client_id: app })
      .then(async (response) => ((await response.json()) as { error?: string }).error ?? `status ${response.status}`);
    const answers = await Promise.all(Array.from({ length: ATTEMPTS_PER_INSTANCE * 2 }, (_, n) => guess(n % 2 === 0 ? a : b, n)));

    // Every evaluated wrong password leaves one failure on record (user.login_failed with the user's id).
    const failures = (await a.t.warden.engine.store.listAudit({ type: 'user.login_failed', limit: 1_000 })).filter((entry) => entry.userId === user.id);
    expect(failures, JSON.stringify(answers)).toHaveLength(MAX_FAILED);
    // The evaluated ones are wrong passwords (invalid_grant); every other is the throttle's refusal (login_throttled).
    expect(answers.filter((answer) => answer === 'invalid_grant')).toHaveLength(MAX_FAILED);
    expect(answers.filter((answer) => answer === 'temporarily_unavailable')).toHaveLength(ATTEMPTS_PER_INSTANCE * 2 - MAX_FAILED);
    const row = await b.t.warden.engine.store.getUser(user.id);
    expect(row?.failedLogins).toBe(MAX_FAILED);
    expect(row?.lockedUntil).not.toBeNull();
    // Every lease ended with its attempt: nothing holds room for later attempts.
    const leases = await pair.instances[0]!.t.warden.engine.store.coordination.attemptLeases!.purgeExpired();
    expect(leases).toBe(0);
  }, 120_000);

  it('locks an unknown username on the sign-in page after the same failures as a real one, wherever they happened', async () => {
    const [a, b] = pair.instances as [PgInstance, PgInstance];
    const real = await a.createUser();
    const app = await a.createPublicClient();
    const attempt = (t: PgInstance, username: string) => signIn(t.t.warden.engine.ctx, {
      username, password: 'not the password', rememberMe: false, clientId: app, device: { name: 'Browser', userAgent: 'test', ip: '127.0.0.1' },
    }).then(() => 'ok', (error: { code?: string }) => error.code ?? 'error');
    // maxFailedLogins failures spread over both instances, then one more on each: both refused for a real user...
    const pattern = async (username: string) => {
      const answers: string[] = [];
      for (let n = 0; n < MAX_FAILED + 2; n++) answers.push(await attempt(n % 2 === 0 ? a : b, username));
      return answers;
    };
    const expected = [...Array(MAX_FAILED).fill('invalid_credentials'), 'login_throttled', 'login_throttled'];
    expect(await pattern(real.username)).toEqual(expected);
    // ...and alike for a name nobody has: "locked" tells nothing about who exists, on either instance.
    expect(await pattern('nobody-by-this-name')).toEqual(expected);
  });
});
