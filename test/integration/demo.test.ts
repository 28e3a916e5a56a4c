/**
 * Demo mode in-process: seeded users and devices reach the demo API through the real token endpoint and the
 * resource-server kit; a force logout reaches every device of that user (and only those) with a measured
 * propagation time; the scripted attacker's replay trips reuse detection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWardenArgs, startWarden, type RunningWarden } from '../../src/main/app';
import { buildCast } from '../../src/main/demo/roster';
import { startTestWarden } from '../helpers/warden';
import type { DemoState } from '../../src/shared/demo';

const SYSTEM = { actor: 'admin', role: 'owner' as const, adminId: null };

describe('demo mode', () => {
  let warden: RunningWarden;
  const state = async (): Promise<DemoState> => warden.engine.admin.getDemoState({}, SYSTEM);

  beforeAll(async () => {
    warden = await startWarden({ dataDir: null, port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'memory', consoleDir: null, demo: true, demoClients: 8 });
  }, 30_000);

  afterAll(async () => {
    await warden?.close();
  });

  it('seeds users on first-party clients and a confidential demo API client; every device gets 200s', async () => {
    const clients = await warden.engine.admin.listClients({}, SYSTEM);
    expect(clients.map((c) => [c.clientId, c.kind])).toEqual(
      expect.arrayContaining([
        ['demo-web', 'public'],
        ['demo-mobile', 'public'],
        ['demo-desktop', 'public'],
        ['demo-api', 'confidential'],
      ]),
    );
    expect((await warden.engine.admin.getSettings({}, SYSTEM)).accessTokenTtlSeconds).toBe(60);
    const initial = await state();
    expect(initial.devices).toHaveLength(8);
    expect(new Set(initial.devices.map((d) => d.username)).size).toBeGreaterThanOrEqual(3);
    expect(initial.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    await expect.poll(async () => (await state()).devices.every((d) => d.lastStatus === 200 && d.sessionId !== null), { timeout: 10_000 }).toBe(true);
    // The demo API subscribed to the revocation feed with its own secret, like any real API.
    expect(warden.service.subscribers().map((s) => s.clientId)).toContain('demo-api');
  });

  it("force logout: each of the user's devices gets a 401 within a second of the commit; other users keep 200", async () => {
    const before = await state();
    const byUser = new Map<string, string[]>();
    for (const d of before.devices) byUser.set(d.userId, [...(byUser.get(d.userId) ?? []), d.id]);
    const [victimId, victimDevices] = [...byUser.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    const others = before.devices.filter((d) => d.userId !== victimId);
    const othersCalls = new Map(others.map((d) => [d.id, d.calls]));

    await warden.engine.admin.forceLogout({ userId: victimId, reason: 'demo test' }, SYSTEM);

    await expect
      .poll(async () => (await state()).devices.filter((d) => victimDevices.includes(d.id)).every((d) => d.lastStatus === 401 && d.propagation?.ms !== null), { timeout: 5_000 })
      .toBe(true);
    const after = await state();
    for (const d of after.devices.filter((x) => victimDevices.includes(x.id))) {
      expect(d.state).toBe('logged_out');
      expect(d.propagation).toMatchObject({ action: 'force logout' });
      expect(d.propagation!.ms!).toBeLessThan(1000);
    }
    // Everyone else keeps calling and keeps getting 200.
    await expect
      .poll(async () => (await state()).devices.filter((d) => d.userId !== victimId).every((d) => d.calls > othersCalls.get(d.id)! && d.lastStatus === 200), { timeout: 10_000 })
      .toBe(true);
  });

  it('the attacker replays a stolen refresh token after rotation: reuse detected, session revoked, reuse alert counted', async () => {
    const current = await state();
    const target = current.devices.find((d) => d.state === 'active' && d.lastStatus === 200)!;
    expect(target).toBeDefined();
    const alertsBefore = (await warden.engine.admin.getStats({}, SYSTEM)).reuseAlerts;
    const refreshesBefore = target.refreshCount;

    const outcome = await warden.engine.admin.stealRefreshToken({ deviceId: target.id }, SYSTEM);
    expect(outcome).toMatchObject({ state: 'replayed', deviceId: target.id });
    expect(outcome.outcome).toContain('invalid_grant');

    expect((await warden.engine.admin.getStats({}, SYSTEM)).reuseAlerts).toBe(alertsBefore + 1);
    const audit = await warden.engine.admin.listAudit({ type: 'refresh_token.reused' }, SYSTEM);
    expect(audit.items.some((e) => e.sessionId === target.sessionId)).toBe(true);
    await expect
      .poll(async () => (await state()).devices.find((d) => d.id === target.id), { timeout: 5_000 })
      .toMatchObject({ lastStatus: 401, state: 'logged_out', refreshCount: refreshesBefore + 1, propagation: { action: 'reuse detection' } });
  });

  it('pauses and resumes every device; an unknown device is not_found', async () => {
    expect(await warden.engine.admin.setDemoPaused({ paused: true }, SYSTEM)).toEqual({ paused: true });
    expect((await state()).paused).toBe(true);
    expect(await warden.engine.admin.setDemoPaused({ paused: false }, SYSTEM)).toEqual({ paused: false });
    await expect(warden.engine.admin.stealRefreshToken({ deviceId: 'nope' }, SYSTEM)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('demo mode options and cast', () => {
  it('parses --demo-clients N only with --demo and within 1..500', () => {
    expect(parseWardenArgs(['--demo', '--demo-clients', '300'])).toMatchObject({ demo: true, demoClients: 300 });
    expect(parseWardenArgs(['--demo', '--demo-clients=5'])).toMatchObject({ demoClients: 5 });
    expect(parseWardenArgs(['--demo'])).not.toHaveProperty('demoClients');
    for (const argv of [['--demo-clients', '5'], ['--demo', '--demo-clients', '0'], ['--demo', '--demo-clients', '501'], ['--demo', '--demo-clients', 'many']]) {
      expect(() => parseWardenArgs(argv)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    }
  });

  it('gives every user one to three devices with unique usernames, at any size', () => {
    for (const size of [1, 12, 300]) {
      const { users, devices } = buildCast(size);
      expect(devices).toHaveLength(size);
      expect(new Set(users.map((u) => u.username)).size).toBe(users.length);
      expect(new Set(devices.map((d) => d.id)).size).toBe(size);
      for (const user of users) {
        const count = devices.filter((d) => d.user === user).length;
        expect(count).toBeGreaterThanOrEqual(1);
        expect(count).toBeLessThanOrEqual(3);
      }
    }
    expect(buildCast(12).users.map((u) => u.username).slice(0, 3)).toEqual(['ana.silva', 'ben.okafor', 'chloe.martin']);
  });
});

describe('demo methods without demo mode', () => {
  it('answers not_found over the admin API, and nothing was seeded', async () => {
    const t = await startTestWarden();
    try {
      await expect(t.admin('getDemoState', {})).rejects.toMatchObject({ code: 'not_found' });
      await expect(t.admin('setDemoPaused', { paused: true })).rejects.toMatchObject({ code: 'not_found' });
      await expect(t.admin('stealRefreshToken', { deviceId: 'd1' })).rejects.toMatchObject({ code: 'not_found' });
      expect((await t.admin('listClients', {})).map((c) => c.clientId)).not.toContain('demo-api');
    } finally {
      await t.close();
    }
  });
});
