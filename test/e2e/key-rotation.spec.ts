/**
 * Key rotation from the Keys view: the next key, published in the JWKS ahead, signs from now on (gap-free), the
 * old one is retiring (still verifies) and a new next key is published.
 */
import { test, expect } from './fixtures/warden';
import { LAPTOP, decodeAccessToken } from './fixtures/oauth';
import { createPublicClient } from './pages/clients';
import { assertVerdict, inspectToken } from './pages/inspector';
import { activeKid, assertKeyStatus, kidWithStatus, rotateKey } from './pages/keys';
import { goToKeys } from './pages/navigation';
import { createUser } from './pages/users';

const carol = { username: 'carol', password: 'a perfectly fine passphrase' };
const CLIENT = 'desk-app';

test('rotate a key: the published next key signs, the old one shows retiring and its tokens still verify', async ({ warden }) => {
  const { page, oauth } = warden;
  await createPublicClient(page, CLIENT, 'Desk app');
  await createUser(page, carol.username, carol.password);
  const before = await oauth.login(carol, CLIENT, LAPTOP);

  await goToKeys(page);
  const oldKid = await activeKid(page);
  const publishedKid = await kidWithStatus(page, 'next');
  await expect(page.getByTestId(`key-live-${oldKid}`)).toHaveText('1');

  const newKid = await rotateKey(page, 'Quarterly rotation', 'routine');
  expect(newKid).toBe(publishedKid);
  await assertKeyStatus(page, newKid, 'active');
  await assertKeyStatus(page, oldKid, 'retiring');
  expect(await kidWithStatus(page, 'next')).not.toBe(publishedKid);
  await expect(page.getByTestId(`key-retires-${oldKid}`)).toContainText('in ');

  await test.step('new tokens carry the new kid; the old token still verifies', async () => {
    const after = await oauth.login(carol, CLIENT, LAPTOP);
    const header = JSON.parse(Buffer.from(after.access_token.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string };
    expect(header.kid).toBe(newKid);
    expect(decodeAccessToken(after.access_token).sub).toBe(decodeAccessToken(before.access_token).sub);
    await inspectToken(page, before.access_token);
    await assertVerdict(page, 'active', null);
  });
});
