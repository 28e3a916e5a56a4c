/**
 * `--signing-alg`: the algorithm of a new install's first key; on an install that has keys it changes
 * nothing and says so (the way to change algorithm is the signingAlg setting).
 */
import { describe, expect, it } from 'vitest';
import type { SigningAlg } from '../../src/shared/dto';
import { startTestWarden } from '../helpers/warden';
import { runServeProcess } from '../helpers/serve-process';

const headerAlg = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg: string }).alg;

describe('--signing-alg', () => {
  for (const alg of ['EdDSA', 'ES256', 'RS256'] as SigningAlg[]) {
    it(`${alg}: a new install's first key, and so its tokens, use it`, async () => {
      const warnings: string[] = [];
      const t = await startTestWarden({ signingAlg: alg, warn: (line) => warnings.push(line) });
      try {
        const keys = await t.admin('listKeys', {});
        expect(keys.find((key) => key.status === 'active')?.alg).toBe(alg);
        const token = await t.login(await t.createUser(), await t.createPublicClient());
        expect(headerAlg(token.access_token)).toBe(alg);
        expect(warnings).toEqual([]);
      } finally {
        await t.close();
      }
    });
  }

  it('on an install that has keys, is ignored with a one-line notice that names the way to switch', async () => {
    const first = await startTestWarden({ signingAlg: 'ES256', keepDir: true });
    const dataDir = first.dataDir;
    await first.close();
    const warnings: string[] = [];
    const second = await startTestWarden({ dataDir, keepDir: true, signingAlg: 'RS256', warn: (line) => warnings.push(line) });
    try {
      expect(warnings).toEqual([
        'Notice: --signing-alg RS256 is ignored: it chooses a new install\'s first key, and this install signs access tokens with ES256. To switch, set the signing algorithm to RS256 (updateSettings {"signingAlg":"RS256"}, or Settings in the console).',
      ]);
      const keys = await second.admin('listKeys', {});
      expect(keys.filter((key) => key.status === 'active').map((key) => key.alg)).toEqual(['ES256']);
    } finally {
      await second.close();
    }
    // The same algorithm again is no news.
    const quiet: string[] = [];
    const third = await startTestWarden({ dataDir, signingAlg: 'ES256', warn: (line) => quiet.push(line) });
    await third.close();
    expect(quiet).toEqual([]);
  });

  it('a bad value stops `npm run serve` with one line that lists the choices', async () => {
    const result = await runServeProcess(['--signing-alg', 'HS256']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual(['token-warden: --signing-alg must be EdDSA, ES256 or RS256, not "HS256".']);
  });
});
