/**
 * signin: admin forceLogout → an express-openid-connect app (from npm, back-channel logout on) refusing the
 * user's session. The token service runs in its own process; the Express app runs in the bench process. Each
 * trial signs a fresh user in to the app through the hosted page (fetch with a cookie jar: the app's /login,
 * the sign-in form, its /callback), checks that the app's requiresAuth() route answers 200, starts the clock
 * before the admin call, and stops it when the app, having received the logout token, answers the same
 * cookie with a redirect to sign in. Target p99 < 50 ms on loopback. Beside it: the peers' figure, an app
 * session cookie that lives until its own expiry (express-openid-connect's default absolute duration).
 */
import { createRequire } from 'node:module';
import { boundRow, check, type Suite } from '../lib/report';
import { within } from '../lib/in-process-warden';
import { latencySummary } from '../lib/stats';
import { SERVICE_PASSWORD, startWardenProcess } from '../lib/warden-process';
import { listenOnLoopback, profileStatus, signInToApp, startSignInApp, type RunningApp } from '../../test/interop-sign-in/express-app';
import { CookieJar } from '../../test/interop-sign-in/hosted-page-driver';

const LIBRARY_VERSION = (createRequire(import.meta.url)('express-openid-connect/package.json') as { version: string }).version;
const TRIALS = 100;
const TARGET_P99_MS = 50;
const TRIAL_TIMEOUT_MS = 5_000;
const CLIENT_ID = 'bench-express';
/** express-openid-connect's default session.absoluteDuration (7 days): how long its cookie session lives on its own. */
const LIBRARY_ABSOLUTE_DURATION_MS = 7 * 24 * 3_600_000;

/** Resolves when the app's logout store records `key` (the token's `${iss}|${sid}` entry). */
function logoutRecorded(app: RunningApp, key: string): Promise<void> {
  let off = () => {};
  const recorded = new Promise<void>((resolve) => {
    off = app.store.onSet((set) => {
      if (set === key) resolve();
    });
  });
  return within(recorded, TRIAL_TIMEOUT_MS, 'the logout token reaching the app').finally(() => off());
}

export const signinSuite: Suite = {
  name: 'signin',
  describe: 'force logout → an express-openid-connect app (back-channel logout) refusing the session',
  async run({ log }) {
    const service = await startWardenProcess();
    const { server, url } = await listenOnLoopback();
    let app: RunningApp | undefined;
    try {
      const created = await service.admin('createClient', {
        clientId: CLIENT_ID,
        kind: 'confidential',
        name: 'Bench Express app',
        redirectUris: [`${url}/callback`],
        backchannelLogoutUri: `${url}/backchannel-logout`,
      });
      check(created.clientSecret, 'a confidential client must get a secret');
      app = await startSignInApp(server, { ISSUER: service.issuer, BASE_URL: url, CLIENT_ID, CLIENT_SECRET: created.clientSecret, SESSION_SECRET: 'bench session secret, long and random enough' });
      const times: number[] = [];
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const username = `signin.${trial}`;
        const { id: userId } = await service.admin('createUser', { username, password: SERVICE_PASSWORD });
        const jar = new CookieJar();
        check(await signInToApp(jar, url, { username, password: SERVICE_PASSWORD }), 'the hosted page did not ask a new user for the password');
        const before = await profileStatus(jar, url);
        check(before.status === 200, `the app refused a fresh session before the force logout: ${before.status}`);
        const [session] = (await service.admin('listSessions', { userId, status: 'active', offset: 0, limit: 2 })).items;
        check(session, 'signing in opened no session');
        const recorded = logoutRecorded(app, `${service.issuer}|${session.id}`);
        const started = performance.now();
        await Promise.all([service.admin('forceLogout', { userId, reason: 'bench signin' }), recorded]);
        const after = await profileStatus(jar, url);
        const elapsed = performance.now() - started;
        check(after.status === 302 && after.location?.startsWith(`${service.issuer}/oauth/authorize`), `the app still accepts the session after the logout token: ${after.status} ${after.location}`);
        times.push(elapsed);
      }
      const summary = latencySummary(times);
      log(`app refused the session after p50 ${summary.p50} ms, p99 ${summary.p99} ms, max ${summary.max} ms`);
      return {
        rows: [
          boundRow('signin', `force logout → express-openid-connect app refuses the session: p99 (p50 ${summary.p50.toFixed(2)} ms, max ${summary.max.toFixed(1)} ms)`, { value: summary.p99, unit: 'ms' }, TARGET_P99_MS, {
            label: 'without back-channel logout: the app cookie session lives on (library default: up to 7 d absolute, 1 d idle)',
            value: LIBRARY_ABSOLUTE_DURATION_MS,
            unit: 'ms',
          }),
        ],
        figures: { trials: TRIALS, refused: summary },
        notes: [
          `${TRIALS} trials, one user each, signed in through the hosted page (fetch and a cookie jar); the clock starts before the admin forceLogout request and stops when the app (express-openid-connect ${LIBRARY_VERSION}, back-channel logout with an in-memory logout store) has recorded the logout token and answered the session's next request with a redirect to sign in. The Express app runs in the bench process, the token service in another.`,
        ],
      };
    } finally {
      await app?.close();
      if (!app) server.close();
      await service.stop();
    }
  },
};
