import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTs, waitForMessage, type ChildServer } from '../../../bench/lib/child';

// The bench's rotation floor is a reference the refresh grant is compared with: it must rotate for real
// (one-time tokens, reuse revokes the family), or the figure it sets means nothing.
describe('bench rotation floor', () => {
  let floor: ChildServer;
  let url: string;

  beforeAll(async () => {
    floor = spawnTs('bench/servers/rotation-floor.ts');
    url = `http://127.0.0.1:${(await waitForMessage<{ port: number }>(floor.proc, 'ready', 20_000)).port}/token`;
  }, 30_000);
  afterAll(() => floor?.stop());

  const seeds = async (count: number) => (await floor.request<{ tokens: string[] }>({ type: 'seeds', count }, 'seeds', 10_000)).tokens;
  const refresh = async (token: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}&client_id=bench-app`,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('rotates: a new refresh token and a signed JWT each time', async () => {
    const [seed] = await seeds(1);
    const first = await refresh(seed!);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{43}$/);
    expect(first.body.refresh_token).not.toBe(seed);
    const [header, payload, signature] = String(first.body.access_token).split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ aud: 'api', client_id: 'bench-app' });
    expect(Buffer.from(signature!, 'base64url')).toHaveLength(64);
    const second = await refresh(String(first.body.refresh_token));
    expect(second.status).toBe(200);
  });

  it('revokes the family when a rotated token comes back', async () => {
    const [seed] = await seeds(1);
    const next = String((await refresh(seed!)).body.refresh_token);
    expect((await refresh(seed!)).body).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(next)).status).toBe(400);
  });

  it('refuses what it never issued, and commits concurrent refreshes of different chains together', async () => {
    expect((await refresh('not-a-token')).status).toBe(400);
    const chains = await seeds(20);
    const answers = await Promise.all(chains.map(refresh));
    expect(answers.map((answer) => answer.status)).toEqual(chains.map(() => 200));
    expect(new Set(answers.map((answer) => answer.body.refresh_token)).size).toBe(20);
  });
});
