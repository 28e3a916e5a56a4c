/**
 * The demo's web app signs a demo user in through the hosted page (code + PKCE, a confidential client with a
 * back-channel logout URI), and the Demo page's state shows that browser session; a force logout ends it
 * through back-channel logout — the app's next page is signed out — with the time from the action measured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWarden, type RunningWarden } from '../../src/main/app';
import { buildCast, DEMO_PASSWORD } from '../../src/main/demo/roster';
import type { DemoState } from '../../src/shared/demo';
import { CookieJar, request, signInThroughHostedPage } from '../interop-sign-in/hosted-page-driver';

const SYSTEM = { actor: 'admin', role: 'owner' as const, adminId: null };

describe('demo web app', () => {
  let warden: RunningWarden;
  const state = async (): Promise<DemoState> => warden.engine.admin.getDemoState({}, SYSTEM);

  beforeAll(async () => {
    warden = await startWarden({ dataDir: null, port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'memory', consoleDir: null, demo: true, demoClients: 1 });
  }, 30_000);

  afterAll(async () => {
    await warden?.close();
  });

  it('signs in through the hosted page and is ended by a force logout through back-channel logout', async () => {
    const webApp = (await state()).webApp;
    if (!webApp) throw new Error('the demo has no web app');
    expect(webApp.sessions).toEqual([]);
    const username = buildCast(1).users[0]!.username;
    const jar = new CookieJar();
    const { callbackUrl, askedForPassword } = await signInThroughHostedPage(jar, `${webApp.url}/login`, { username, password: DEMO_PASSWORD }, (url) => url.startsWith(`${webApp.url}/callback`));
    expect(askedForPassword).toBe(true);
    expect((await request(jar, callbackUrl)).location).toBe(`${webApp.url}/`);
    expect((await request(jar, `${webApp.url}/`)).body).toContain(`Signed in as <strong>${username}</strong>`);
    const [session] = (await state()).webApp!.sessions;
    expect(session).toMatchObject({ username, endedAt: null, endedBy: null });

    const user = (await warden.engine.admin.listUsers({ search: username, offset: 0, limit: 1 }, SYSTEM)).items[0]!;
    await warden.engine.admin.forceLogout({ userId: user.id, reason: 'demo web app test' }, SYSTEM);
    let ended: DemoState['webApp'] = null;
    for (let i = 0; i < 200 && !ended?.sessions[0]?.endedAt; i += 1) {
      ended = (await state()).webApp;
      if (!ended?.sessions[0]?.endedAt) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(ended?.sessions[0]).toMatchObject({ id: session!.id, endedBy: 'back-channel logout' });
    expect(ended?.sessions[0]?.msAfterAction).toBeGreaterThanOrEqual(0);
    expect((await request(jar, `${webApp.url}/`)).body).toContain('Signed out.');
  });
});
