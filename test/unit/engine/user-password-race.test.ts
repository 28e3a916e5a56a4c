/**
 * A login whose scrypt check of the old password is still running when an admin's new password commits must
 * not open a session: the check was against a password that is no longer the user's. The check is held open
 * by a gate (no timing), released after setUserPassword has committed.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Receipt } from '../../../src/shared/dto';
import { ADMIN, PASSWORD, PHONE, expectCode, makeHarness } from './harness';

const gate = vi.hoisted(() => ({ held: undefined as undefined | { entered: () => void; release: Promise<void> } }));
vi.mock('../../../src/main/engine/passwords', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/main/engine/passwords')>();
  return {
    ...original,
    verifyPassword: async (password: string, stored: string) => {
      const result = await original.verifyPassword(password, stored);
      const held = gate.held;
      if (held) {
        held.entered();
        await held.release;
      }
      return result;
    },
  };
});

describe('setUserPassword during a login', () => {
  it('the login checked against the old password fails once the new one has committed', async () => {
    const h = await makeHarness();
    let release!: () => void;
    let entered!: () => void;
    const checked = new Promise<void>((resolve) => (entered = resolve));
    gate.held = { entered, release: new Promise<void>((resolve) => (release = resolve)) };
    const login = h.engine.login({ username: 'ana', password: PASSWORD, clientId: 'mobile', device: PHONE, rememberMe: false });
    await checked; // the old password has been found right; the login has not committed yet
    gate.held = undefined;
    const receipt = (await h.engine.admin.setUserPassword({ userId: h.userId, password: 'the new password' }, ADMIN)) as Receipt;
    release();
    await expectCode(() => login, 'invalid_credentials');
    expect(receipt.sessionsRevoked).toEqual([]);
    expect(await h.store.countActiveSessionsOfUser(h.userId, h.clock.now())).toBe(0);
    await expect(h.engine.login({ username: 'ana', password: 'the new password', clientId: 'mobile', device: PHONE, rememberMe: false })).resolves.toHaveProperty('sessionId');
  });
});
