import pg from 'pg';
import { startPgInstances } from '../helpers/pg-instances';
import { it } from 'vitest';
const trace: Array<[number, string]> = [];
let on = false;
const orig = pg.Client.prototype.query as any;
(pg.Client.prototype as any).query = function (this: any, ...args: any[]) {
  if (!on) return orig.apply(this, args);
  const text = typeof args[0] === 'string' ? args[0] : args[0]?.text ?? args[0]?.name;
  const t = performance.now();
  const r = orig.apply(this, args);
  if (r && typeof r.then === 'function') r.then(() => trace.push([t, `${(performance.now() - t).toFixed(2)}ms ${String(text).replace(/\s+/g, ' ').slice(0, 90)}`]), () => {});
  else trace.push([t, `(cb) ${String(text).slice(0, 90)}`]);
  return r;
};
it('probe', async () => {
const pair = await startPgInstances(1);
const a = pair.instances[0]!;
(a.t.warden as any).server?.on?.('request', () => { if (on) trace.push([performance.now(), 'HTTP request event']); });
console.log('server?', Object.keys(a.t.warden));
const app = await a.createPublicClient();
const times: number[] = [];
for (let k = 0; k < 12; k++) {
  const user = await a.createUser();
  for (let sidx = 0; sidx < (k >= 9 ? 5 : 1); sidx++) {
    const r = await a.postForm('/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: app });
    if (r.status !== 200) throw new Error('login');
    let rt = ((await r.json()) as any).refresh_token;
    for (let j = 0; j < (k >= 9 ? 300 : 0); j++) {
      const rr = await a.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: rt, client_id: app });
      if (rr.status !== 200) throw new Error('refresh ' + rr.status + (await rr.text()));
      rt = ((await rr.json()) as any).refresh_token;
    }
  }
  await new Promise((r) => setTimeout(r, 50));
  trace.length = 0;
  on = true;
  const t0 = performance.now();
  await a.admin('forceLogout', { userId: user.id, reason: 'probe' });
  const t1 = performance.now();
  on = false;
  times.push(t1 - t0);
  if (k === 11) {
    for (const [t, s] of trace.sort((x, y) => x[0] - y[0])) console.log((t - t0).toFixed(2).padStart(7), s);
  }
}
console.log('total', times.map((t) => t.toFixed(1)).join(' '));
await pair.close();
}, 120000);
