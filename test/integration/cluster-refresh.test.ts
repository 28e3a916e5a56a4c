/**
 * Racing refreshes of one refresh token on two real instances on one PostgreSQL database (issue 17, item 2):
 * in every round exactly one wins, the other is refused as reuse, and the reuse rule holds across instances —
 * the session is revoked (the winner's new refresh token is refused too, on either instance) and one
 * `refresh_token.reused` alert is recorded per round. The database decides (the refresh's compare-and-set on the
 * token row, docs/postgres.md), not either instance's memory.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServiceCluster, type ServiceCluster } from '../helpers/cluster';
import { describePg } from '../helpers/postgres';

const ROUNDS = 12;

describePg('racing refreshes across instances', () => {
  let cluster: ServiceCluster;
  beforeAll(async () => {
    cluster = await startServiceCluster({ instances: 2 });
  }, 240_000);
  afterAll(async () => {
    await cluster?.stopAll();
  }, 60_000);

  it('lets exactly one of two simultaneous refreshes win; the other is reuse and revokes the session', async () => {
    const app = await cluster.createPublicClient();
    const user = await cluster.createUser();
    const refresh = (i: number, token: string) => cluster.postForm(i, '/oauth/token', { grant_type: 'refresh_token', refresh_token: token, client_id: app });
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Logins alternate between the instances: either may issue what the other refreshes.
      const { refresh_token: token } = await cluster.login(user, app, round % 2);
      const answers = await Promise.all([refresh(0, token), refresh(1, token)]);
      const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as Array<{ refresh_token?: string; error?: string }>;
      const statuses = answers.map((answer) => answer.status);
      const context = `round ${round}: ${JSON.stringify(statuses)} ${JSON.stringify(bodies.map((body) => body.error ?? 'ok'))}\n${cluster.output()}`;
      expect(statuses.slice().sort(), context).toEqual([200, 400]);
      const winner = statuses.indexOf(200);
      expect(bodies[1 - winner]!.error, context).toBe('invalid_grant');
      outcomes.push(`instance ${winner}`);
      // Reuse revoked the session: the winner's fresh refresh token is refused on both instances.
      const successor = bodies[winner]!.refresh_token!;
      expect((await refresh(winner, successor)).status, context).toBe(400);
      expect((await refresh(1 - winner, successor)).status, context).toBe(400);
    }
    const alerts = await cluster.admin('listReuseAlerts', { status: 'open', limit: 100 }, 1);
    expect(alerts.open).toBe(ROUNDS);
    // Every login's session ended revoked, whichever instance served the race.
    const sessions = await cluster.admin('listSessions', { userId: user.id, offset: 0, limit: 100 });
    expect(sessions.items).toHaveLength(ROUNDS);
    expect(sessions.items.every((session) => session.status === 'revoked'), JSON.stringify(sessions.items.map((session) => session.status))).toBe(true);
    expect(outcomes).toHaveLength(ROUNDS);
  }, 180_000);
});
