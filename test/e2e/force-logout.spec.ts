/**
 * The headline scenario: a user signs in on two devices, both sessions show up live, the admin forces a
 * logout after reading the blast radius, and every token of those sessions is dead — with the reason.
 */
import { test, expect } from './fixtures/warden';
import { LAPTOP, PHONE, decodeAccessToken } from './fixtures/oauth';
import { createPublicClient } from './pages/clients';
import { assertBlastRadius, assertReceipt, clickConfirm, closeReceipt, fillConfirmReason } from './pages/confirm';
import { assertVerdict, inspectToken } from './pages/inspector';
import { assertSession, assertNoSessions, clickForceLogout } from './pages/user-detail';
import { createUser, openUser } from './pages/users';

const alice = { username: 'alice', password: 'correct horse battery' };
const CLIENT = 'notes-app';

test('force logout ends both device sessions and the inspector explains why the old token is dead', async ({ warden }) => {
  const { page, oauth } = warden;

  await test.step('create the app and the user in the console', async () => {
    await createPublicClient(page, CLIENT, 'Notes app');
    await createUser(page, alice.username, alice.password);
  });
  const userId = await openUser(page, alice.username);
  await assertNoSessions(page);

  const phone = await oauth.login(alice, CLIENT, PHONE);
  const laptop = await oauth.login(alice, CLIENT, LAPTOP);
  const phoneSid = decodeAccessToken(phone.access_token).sid;
  const laptopSid = decodeAccessToken(laptop.access_token).sid;
  expect(decodeAccessToken(phone.access_token).sub).toBe(userId);

  await test.step('both sessions appear live, without a reload', async () => {
    await assertSession(page, phoneSid, PHONE.name, 'active');
    await assertSession(page, laptopSid, LAPTOP.name, 'active');
  });

  await test.step('force logout: the blast radius lists both devices, then a receipt', async () => {
    await clickForceLogout(page);
    await assertBlastRadius(page, [PHONE.name, LAPTOP.name], 2);
    await fillConfirmReason(page, 'Lost phone reported');
    await clickConfirm(page);
    await assertReceipt(page, { reason: 'Lost phone reported', sessionsRevoked: 2 });
    await closeReceipt(page);
  });

  await test.step('both sessions show revoked', async () => {
    await assertSession(page, phoneSid, PHONE.name, 'revoked');
    await assertSession(page, laptopSid, LAPTOP.name, 'revoked');
    await expect(page.getByTestId('user-not-before')).not.toHaveText('not set');
  });

  await test.step('the inspector calls the old access token inactive, issued before not-before', async () => {
    await inspectToken(page, phone.access_token);
    await assertVerdict(page, 'inactive', 'issued_before_not_before');
  });

  await test.step('the old refresh token no longer works either', async () => {
    const reply = await oauth.refresh(laptop.refresh_token, CLIENT, LAPTOP);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_grant');
  });
});
