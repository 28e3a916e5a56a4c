/**
 * The password throttles against a real running service, under hundreds of simultaneous guesses. What
 * scrypt really evaluated is counted where it happens (passwordEvaluations) and cross-checked with the
 * audit log; every refused answer must be the same bytes whether its password was right or wrong. The
 * clock is frozen so that Retry-After cannot differ between two refusals for reasons of time alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { passwordEvaluations } from '../../src/main/engine/passwords';
import { formBody, startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';

interface Answer {
  right: boolean;
  status: number;
  /** Status, every header but Date, and the body: what a client can observe. */
  bytes: string;
}

let running: TestWarden | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function guess(t: TestWarden, client: string, user: TestUser, right: boolean): Promise<Answer> {
  const response = await fetch(`${t.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody({ grant_type: 'password', username: user.username, password: right ? user.password : 'not the password', client_id: client }),
  });
  const body = await response.text();
  const headers = [...response.headers].filter(([name]) => name !== 'date').sort(([a], [b]) => a.localeCompare(b));
  return { right, status: response.status, bytes: `${response.status}\n${headers.map(([n, v]) => `${n}: ${v}`).join('\n')}\n\n${body}` };
}

/** `count` positions in [from, to), distinct, at random. */
function randomPositions(count: number, from: number, to: number): number[] {
  const picked = new Set<number>();
  while (picked.size < count) picked.add(from + Math.floor(Math.random() * (to - from)));
  return [...picked];
}

async function auditCount(t: TestWarden, type: 'user.login' | 'user.login_failed' | 'user.login_throttled'): Promise<number> {
  return (await t.warden.engine.store.listAudit({ type, limit: 10_000 })).filter((entry) => type !== 'user.login_failed' || entry.data['reason'] === 'invalid_credentials').length;
}

/** Every refusal must be one and the same answer, for right and wrong passwords alike. */
function expectUniformRefusals(answers: Answer[], status: number, context: string): void {
  const refused = answers.filter((answer) => answer.status === status);
  const shapes = new Set(refused.map((answer) => answer.bytes));
  expect(shapes.size, `${context}: distinct refusals\n${[...shapes].join('\n----\n')}`).toBe(1);
  expect(refused.some((answer) => answer.right), `${context}: some right password was refused`).toBe(true);
  expect(refused.some((answer) => !answer.right), `${context}: some wrong password was refused`).toBe(true);
  for (const answer of answers) expect([200, 400, status], context).toContain(answer.status);
}

describe('password throttles under concurrent guesses (real service)', () => {
  it('200 simultaneous guesses for one user: at most maxFailedLogins wrong ones are evaluated per success, refusals identical', async () => {
    const clock = new ManualClock();
    // The per-address limit is lifted here so that this measures the per-user one alone.
    const t = (running = await startTestWarden({ clock, addressThrottle: { maxFailures: 100_000, windowMs: 60_000 } }));
    const client = await t.createPublicClient();
    const user = await t.createUser();
    await t.admin('updateSettings', { maxFailedLogins: 5, loginLockSeconds: 900 });
    const rights = new Set([...randomPositions(2, 0, 100), ...randomPositions(4, 100, 200)]);
    const before = passwordEvaluations();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => guess(t, client, user, rights.has(i))));
    const evaluated = passwordEvaluations() - before;
    const successes = answers.filter((answer) => answer.status === 200).length;
    const failures = evaluated - successes;
    const context = `right passwords at ${[...rights].sort((a, b) => a - b).join(', ')}: ${evaluated} evaluated, ${successes} succeeded`;

    // A success clears the count (it proves the password); between successes at most 5 wrong ones get through.
    expect(failures, context).toBeLessThanOrEqual(5 * (successes + 1));
    expect(answers.filter((answer) => answer.status === 400)).toHaveLength(failures);
    // The audit log tells the same story as the counter.
    expect(await auditCount(t, 'user.login_failed')).toBe(failures);
    expect(await auditCount(t, 'user.login')).toBe(successes);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(200 - evaluated);
    expectUniformRefusals(answers, 429, context);
  });

  it('200 simultaneous guesses from one address across 50 users: at most maxFailures wrong ones are evaluated, refusals identical', async () => {
    const clock = new ManualClock();
    const t = (running = await startTestWarden({ clock, addressThrottle: { maxFailures: 20, windowMs: 60_000 } }));
    const client = await t.createPublicClient();
    const users = await Promise.all(Array.from({ length: 50 }, () => t.createUser()));
    // Each user gets one right and three wrong guesses: never enough to lock a user (5), so only the address limit refuses.
    const plan = users.flatMap((user) => [true, false, false, false].map((right) => ({ user, right }))).sort(() => Math.random() - 0.5);
    const before = passwordEvaluations();
    const answers = await Promise.all(plan.map(({ user, right }) => guess(t, client, user, right)));
    const evaluated = passwordEvaluations() - before;
    const successes = answers.filter((answer) => answer.status === 200).length;
    const failures = evaluated - successes;
    const context = `${evaluated} evaluated, ${successes} succeeded`;

    // Successes are not counted against the address; failures are, and at most 20 were evaluated.
    expect(failures, context).toBeLessThanOrEqual(20);
    expect(await auditCount(t, 'user.login_failed')).toBe(failures);
    expect(await auditCount(t, 'user.login')).toBe(successes);
    expect(await auditCount(t, 'user.login_throttled')).toBe(0);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(200 - evaluated);
    expectUniformRefusals(answers, 429, context);
  });

  it('both layers at their defaults: 200 guesses for two users from one address stay inside both limits', async () => {
    const clock = new ManualClock();
    const t = (running = await startTestWarden({ clock }));
    const client = await t.createPublicClient();
    const users = [await t.createUser(), await t.createUser()];
    const rights = new Set(randomPositions(6, 0, 200));
    const before = passwordEvaluations();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => guess(t, client, users[i % 2]!, rights.has(i))));
    const evaluated = passwordEvaluations() - before;
    const successes = answers.filter((answer) => answer.status === 200).length;
    const failures = evaluated - successes;
    const context = `right passwords at ${[...rights].sort((a, b) => a - b).join(', ')}: ${evaluated} evaluated, ${successes} succeeded`;
    // Per user 5 between successes (2 users), per address 20 a minute: whichever binds first.
    expect(failures, context).toBeLessThanOrEqual(Math.min(20, 5 * (successes + 2)));
    expect(await auditCount(t, 'user.login_failed')).toBe(failures);
    // The two layers answer differently from each other, but neither depends on the password.
    const refusals = (right: boolean) => new Set(answers.filter((answer) => answer.status === 429 && answer.right === right).map((answer) => answer.bytes));
    for (const shape of refusals(true)) expect(refusals(false), context).toContain(shape);
    for (const answer of answers) expect([200, 400, 429], context).toContain(answer.status);
  });

  it('a busy first-party client is not refused for its successes: 60 simultaneous right logins from one address all succeed', async () => {
    const t = (running = await startTestWarden({ addressThrottle: { maxFailures: 3, windowMs: 60_000 } }));
    const client = await t.createPublicClient();
    const users = await Promise.all(Array.from({ length: 3 }, () => t.createUser()));
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => guess(t, client, users[i % 3]!, true)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(60).fill(200));
  });
});
