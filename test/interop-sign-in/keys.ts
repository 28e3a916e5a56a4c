/**
 * A client's ID-token algorithm (RS256 by default) gets its key pair in the background after the client is
 * registered. Tests that compare the service's state before and after an attack wait for that pair first, so
 * the key generation is not mistaken for a change the attack made.
 */
import type { TestWarden } from '../helpers/warden';

export async function idTokenKeysReady(t: TestWarden, alg = 'RS256'): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    const keys = await t.admin('listKeys', {});
    if (keys.some((key) => key.alg === alg && key.status === 'active') && keys.some((key) => key.alg === alg && key.status === 'next')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no active and next ${alg} key within 10 s of registering the client`);
}
