/**
 * The audit-search cases of the scale bench (issue 16: "the audit search stays under 10 ms p95 on the
 * 1M-session bench store"), for bench/suites/scale.ts to time next to its other query classes:
 *
 *   for (const query of auditSearchCases(meta, lastSeq, RUNS + WARMUP, seededRandom(11))) …   // timed like the rest
 *   await checkAuditSearch(call, meta);                                                    // answers, before timing
 *
 * Inputs are drawn from the generated data (bench/lib/scale-data.ts): `user.created` entries carry the username,
 * `user.login` / `session.refreshed` the device, IP and access-token jti, actors are `admin`, `user:<id>` and
 * `client:<id>`. Each class is one way an admin searches in an incident.
 */
import type { AuditEntry } from '../../src/shared/dto';
import type { ScaleMeta } from './scale-store';

export interface AuditQueryClass {
  name: string;
  method: 'listAudit';
  inputs: unknown[];
}

type Call = (method: 'listAudit', input: unknown) => Promise<unknown>;

export function auditSearchCases(meta: ScaleMeta, lastSeq: number, n: number, random: () => number): AuditQueryClass[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const users = meta.samples.users;
  const page = (input: Record<string, unknown>, i: number) => (i % 4 === 3 ? { ...input, beforeSeq: 1 + Math.floor(random() * lastSeq), limit: 50 } : { ...input, limit: 50 });
  const times = (make: (i: number) => Record<string, unknown>) => Array.from({ length: n }, (_, i) => make(i));
  const middle = (text: string, length: number) => {
    const start = Math.floor(random() * Math.max(1, text.length - length));
    return text.slice(start, start + length);
  };
  const day = 24 * 3_600_000;
  // The sampled sessions are every 2,500th generated (scale-data.ts), all audited; a session's IP is its index's bytes.
  const sampleIndexes = meta.samples.sessions.map((_, k) => k * 2500);
  const ipOf = (s: number) => `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`;
  return [
    // Free text: part of a username (rare), a device word (common), part of a session id (rare).
    { name: 'audit search: free text, part of a username (listAudit {q})', method: 'listAudit', inputs: times(() => ({ q: middle(pick(users).username, 5), limit: 50 })) },
    { name: 'audit search: free text, a common word (listAudit {q: "Safari"})', method: 'listAudit', inputs: times((i) => page({ q: ['Safari', 'Windows', 'okhttp', 'Android'][i % 4] }, i)) },
    { name: 'audit search: free text, part of a session id (listAudit {q})', method: 'listAudit', inputs: times(() => ({ q: pick(meta.samples.sessions).id.slice(4, 14), limit: 50 })) },
    // Several types at once, newest and deeper pages.
    {
      name: 'audit search: several types (listAudit {types})',
      method: 'listAudit',
      inputs: times((i) => page({ types: [['session.revoked', 'user.created'], ['refresh_token.reused', 'session.revoked', 'user.blocked'], ['user.login', 'user.created']][i % 3] }, i)),
    },
    // Free text an admin pastes from a report: an access-token jti (at_ + its session's id part: the bench's jtis
    // are `at_<12 characters of the session id><time>`), a whole IP, a /24 as its first three octets.
    { name: 'audit search: free text, an access-token jti (listAudit {q: "at_…"})', method: 'listAudit', inputs: times((i) => page({ q: `at_${pick(meta.samples.sessions).id.slice(4, 16)}` }, i)) },
    { name: 'audit search: free text, an IP or its /24 (listAudit {q: "10.…"})', method: 'listAudit', inputs: times((i) => page({ q: i % 2 === 0 ? ipOf(pick(sampleIndexes)) : ipOf(pick(sampleIndexes)).replace(/\.\d+$/, '.') }, i)) },
    // Several types mixing common and rare ones, newest and deeper pages.
    {
      name: 'audit search: several types, common and rare (listAudit {types})',
      method: 'listAudit',
      inputs: times((i) => page({ types: [['session.refreshed', 'session.revoked', 'user.login'], ['user.created', 'key.created', 'client.created'], ['session.refreshed', 'user.created', 'user.login', 'session.revoked']][i % 3] }, i)),
    },
    // Time windows long ago: a narrow one (an hour) and a wide one (months) ending 60 to 300 days back, alone and
    // with a type or free text.
    {
      name: 'audit search: old time windows (listAudit {since, until})',
      method: 'listAudit',
      inputs: times((i) => {
        const until = meta.now - Math.floor((60 + random() * 240) * day);
        const since = i % 2 === 0 ? until - 3_600_000 : until - 120 * day;
        return page(i % 3 === 0 ? { since, until } : i % 3 === 1 ? { since, until, types: ['user.created'] } : { since, until, q: 'Windows' }, i);
      }),
    },
    // Actor by prefix: one actor with many entries, a few clients, one user's own actor.
    { name: 'audit search: actor by prefix (listAudit {actorPrefix})', method: 'listAudit', inputs: times((i) => page({ actorPrefix: ['admin', 'client:', `user:${pick(users).id.slice(0, 10)}`][i % 3] }, i)) },
    // User by prefix: 6 to 12 characters of a real user id.
    { name: 'audit search: user by prefix (listAudit {userPrefix})', method: 'listAudit', inputs: times((i) => page({ userPrefix: pick(users).id.slice(0, 6 + (i % 7)) }, i)) },
    // Combined: types within the last day; text within a type; text and actor.
    {
      name: 'audit search: combined filters (types + range, q + types, q + actor)',
      method: 'listAudit',
      inputs: times((i) =>
        i % 3 === 0 ? { types: ['session.revoked', 'user.login'], since: meta.now - day, until: meta.now, limit: 50 }
        : i % 3 === 1 ? { q: 'Safari', types: ['session.revoked'], limit: 50 }
        : { q: 'Windows', actorPrefix: 'client:', limit: 50 },
      ),
    },
  ];
}

/** What the timed searches must answer, on the generated facts (before anything is timed). */
export async function checkAuditSearch(call: Call, meta: ScaleMeta): Promise<void> {
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new Error(`audit search answer check failed: ${message}`);
  };
  const user = meta.samples.users[0]!;
  const byName = (await call('listAudit', { q: user.username.toUpperCase(), types: ['user.created'], limit: 50 })) as { items: AuditEntry[] };
  check(byName.items.some((e) => e.userId === user.id), `free text "${user.username.toUpperCase()}" did not find the user.created of ${user.username} (case-insensitive substring)`);
  const several = (await call('listAudit', { types: ['session.revoked', 'user.created'], limit: 50 })) as { items: AuditEntry[] };
  check(several.items.length === 50 && several.items.every((e, i) => (e.type === 'session.revoked' || e.type === 'user.created') && (i === 0 || several.items[i - 1]!.seq > e.seq)), 'several types: not 50 entries of those types, newest first');
  const prefix = user.id.slice(0, 8);
  const byUser = (await call('listAudit', { userPrefix: prefix, limit: 50 })) as { items: AuditEntry[] };
  check(byUser.items.length > 0 && byUser.items.every((e) => e.userId?.startsWith(prefix)), `user prefix ${prefix}: no entry, or one of another user`);
  const actors = (await call('listAudit', { actorPrefix: 'client:', limit: 50 })) as { items: AuditEntry[] };
  check(actors.items.length === 50 && actors.items.every((e) => e.actor.startsWith('client:')), 'actor prefix client: did not give 50 client entries');
}
