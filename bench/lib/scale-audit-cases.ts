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
