/**
 * Bulk rows for the scale store: users, device sessions with their refresh chains, recent access-token
 * records and a hash-chained audit trail, written with raw prepared statements in big transactions. The
 * schema is the real one (the database was created by `openStore`); only the write path is bypassed, because
 * 5M refresh rotations through the engine would take hours. Shapes and values follow what the engine writes.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { auditHash } from '../../src/main/engine/audit-chain';
import { timeHex } from '../../src/main/engine/crypto';
import type { AuditInsert } from '../../src/main/store/store';
import { seededRandom } from './stats';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const FIRST = ['james', 'mary', 'maria', 'mark', 'matthew', 'michael', 'linda', 'liam', 'olivia', 'noah', 'emma', 'ava', 'sophia', 'isabella', 'mia', 'amelia', 'harper', 'evelyn', 'abigail', 'emily', 'elijah', 'lucas', 'mason', 'logan', 'ethan', 'jacob', 'jackson', 'aiden', 'samuel', 'david', 'joseph', 'carter', 'owen', 'wyatt', 'john', 'jack', 'luke', 'jayden', 'dylan', 'grace', 'chloe', 'zoe', 'nora', 'lily', 'hannah', 'ana', 'pedro', 'yuki', 'wei', 'fatima'];
const LAST = ['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin', 'lee', 'perez', 'thompson', 'white', 'harris', 'sanchez', 'clark', 'ramirez', 'lewis', 'robinson', 'walker', 'young', 'allen', 'king', 'wright', 'scott', 'torres', 'nguyen', 'hill', 'flores'];
const DEVICES: Array<[string, string]> = [
  ['Firefox on Linux', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
  ['Chrome on Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'],
  ['Safari on macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15'],
  ['Safari on iOS', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'],
  ['Chrome on Android', 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36'],
  ["Ana's phone", 'okhttp/4.12.0'],
];

export interface ScaleParams {
  users: number;
  sessions: number;
  /** Refresh-token rows; must be 5 × sessions (chains of 3..7, mean 5). */
  refreshTokens: number;
  /** Every Nth session gets its full audit trail (login, rotations, revocation). */
  auditEvery: number;
  seed: number;
  /** Bumped whenever the shape of the generated data changes, so an old store is not reused. */
  generator: number;
}

export interface GeneratedFacts {
  counts: { users: number; sessions: number; refreshTokens: number; accessTokens: number; audit: number; activeSessions: number; revokedSessions: number };
  /** Query inputs drawn from the data, and the answers the suite checks before timing. */
  samples: {
    users: Array<{ id: string; username: string; sessions: number }>;
    heavyUsers: Array<{ id: string; username: string; sessions: number }>;
    sessions: Array<{ id: string; chain: number; audited: boolean }>;
  };
}

export interface GenerateInput {
  db: Database.Database;
  params: ScaleParams;
  now: number;
  kid: string;
  passwordHash: string;
  clients: string[];
  /** The audit chain head written by the engine before the bulk load. */
  prevHash: string;
  log: (line: string) => void;
}

const b64 = (bytes: Buffer, i: number) => bytes.toString('base64url', i * 16, i * 16 + 16);

interface AuditedSession {
  id: string;
  userId: string;
  clientId: string;
  device: [string, string];
  ip: string;
  rememberMe: boolean;
  times: number[];
  labels: string[];
  revokedAt: number | null;
}

/** Writes every generated row; returns counts and samples. Runs inside the caller's exclusive connection. */
export function generateRows(input: GenerateInput): GeneratedFacts {
  const { db, params, now, log } = input;
  if (params.refreshTokens !== params.sessions * 5) throw new TypeError('refreshTokens must be 5 × sessions');
  const random = seededRandom(params.seed);
  const start = now - 400 * DAY;

  // Sessions first (in memory), so users can carry their last login time.
  const sessionUser = new Int32Array(params.sessions);
  const sessionsPerUser = new Int32Array(params.users);
  const lastLogin = new Float64Array(params.users);
  for (let s = 0; s < params.sessions; s += 1) {
    // A skewed spread: a few heavy users (service accounts, shared kiosks) and a long tail with none.
    const u = Math.min(params.users - 1, Math.floor(params.users * random() ** 2));
    sessionUser[s] = u;
    sessionsPerUser[u] = (sessionsPerUser[u] ?? 0) + 1;
  }

  const userIds: string[] = new Array(params.users);
  const usernames: string[] = new Array(params.users);
  const idBytes = randomBytes(16 * params.users);
  const insertUser = db.prepare(`INSERT INTO users (id, username, password_hash, status, created_at, refresh_version, not_before,
    blocked_at, blocked_reason, failed_logins, locked_until, last_login_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, 0, NULL, ?)`);
  const userCreated: number[] = new Array(params.users);
  for (let u = 0; u < params.users; u += 1) {
    userIds[u] = `usr_${b64(idBytes, u)}`;
    usernames[u] = `${FIRST[Math.floor(random() * FIRST.length)]}.${LAST[Math.floor(random() * LAST.length)]}${u}`;
    userCreated[u] = start + Math.floor((u / params.users) * 330 * DAY + random() * HOUR);
  }

  // Session rows and their refresh chains, 50k sessions per transaction.
  const insertSession = db.prepare(`INSERT INTO sessions (id, user_id, client_id, device_name, user_agent, ip, remember_me, scope,
    created_at, last_activity_at, idle_expires_at, absolute_expires_at, live_until, revoked_at, revoked_by, revoke_reason, refresh_count)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'openid', ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // A rotated token records its presenter's address; the user agent is the session's own (stored as null).
  const insertRefresh = db.prepare(`INSERT INTO refresh_tokens (hash, session_id, user_id, client_id, refresh_version, created_at,
    used_at, successor_hash, revoked_at, used_ip) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`);
  const insertAccess = db.prepare(`INSERT INTO access_tokens (jti, session_id, user_id, client_id, kid, issued_at, expires_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);

  const audited: AuditedSession[] = [];
  const facts: GeneratedFacts = {
    counts: { users: params.users, sessions: params.sessions, refreshTokens: 0, accessTokens: 0, audit: 0, activeSessions: 0, revokedSessions: 0 },
    samples: { users: [], heavyUsers: [], sessions: [] },
  };
  const BATCH = 50_000;
  for (let from = 0; from < params.sessions; from += BATCH) {
    const to = Math.min(params.sessions, from + BATCH);
    const sessionIds = randomBytes(16 * (to - from));
    const hashes = randomBytes(32 * 7 * (to - from));
    const jtis = randomBytes(16 * (to - from));
    db.transaction(() => {
      for (let s = from; s < to; s += 1) {
        const i = s - from;
        const u = sessionUser[s]!;
        const id = `ses_${b64(sessionIds, i)}`;
        const userId = userIds[u]!;
        const clientId = input.clients[s % input.clients.length]!;
        const device = DEVICES[Math.floor(random() * DEVICES.length)]!;
        const ip = `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`;
        const rememberMe = random() < 0.35;
        const idleMs = rememberMe ? 7 * DAY : 2 * HOUR;
        const absoluteMs = rememberMe ? 30 * DAY : 12 * HOUR;
        // Recent sessions dominate, as they do in a live system; none predates its user.
        const createdAt = Math.max(userCreated[u]! + HOUR, now - Math.floor(60 * DAY * random() ** 3));
        const span = Math.min(absoluteMs, now - createdAt);
        const lastActivityAt = createdAt + Math.floor(span * random());
        const absoluteExpiresAt = createdAt + absoluteMs;
        const idleExpiresAt = Math.min(lastActivityAt + idleMs, absoluteExpiresAt);
        const revokedAt = random() < 0.15 ? lastActivityAt + Math.floor(random() * HOUR) : null;
        if (revokedAt === null && idleExpiresAt > now) facts.counts.activeSessions += 1;
        if (revokedAt !== null) facts.counts.revokedSessions += 1;
        const chain = 3 + (s % 5);
        insertSession.run(id, userId, clientId, device[0], device[1], ip, rememberMe ? 1 : 0, createdAt, lastActivityAt, idleExpiresAt,
          absoluteExpiresAt, idleExpiresAt, revokedAt, revokedAt === null ? null : 'admin', revokedAt === null ? null : 'admin', chain - 1);
        const times: number[] = [];
        const labels: string[] = [];
        for (let j = 0; j < chain; j += 1) times.push(createdAt + Math.floor(((lastActivityAt - createdAt) * j) / (chain - 1)));
        const chainHashes: string[] = [];
        // Keys as the engine makes them (refreshTokenKey): the creation time in 12 hex digits, then 52 of a digest.
        for (let j = 0; j < chain; j += 1) {
          chainHashes.push(`${timeHex(times[j]!)}${hashes.toString('hex', (i * 7 + j) * 32, (i * 7 + j) * 32 + 26)}`);
        }
        for (let j = 0; j < chain; j += 1) {
          const used = j < chain - 1;
          insertRefresh.run(chainHashes[j], id, userId, clientId, times[j], used ? times[j + 1] : null, used ? chainHashes[j + 1] : null, revokedAt, used ? ip : null);
          labels.push(chainHashes[j]!.slice(12, 24));
        }
        facts.counts.refreshTokens += chain;
        if (lastActivityAt > now - 24 * HOUR) {
          // The access token minted by the latest rotation (older records are purged after a day).
          const issuedAt = Math.floor(lastActivityAt / 1000) * 1000;
          insertAccess.run(`at_${b64(jtis, i)}`, id, userId, clientId, input.kid, issuedAt, issuedAt + 600_000);
          facts.counts.accessTokens += 1;
        }
        if (lastLogin[u]! < createdAt) lastLogin[u] = createdAt;
        if (s % params.auditEvery === 0) audited.push({ id, userId, clientId, device, ip, rememberMe, times, labels, revokedAt });
        if (s % 2500 === 0 && facts.samples.sessions.length < 400) facts.samples.sessions.push({ id, chain, audited: s % params.auditEvery === 0 });
      }
    })();
    if ((to / BATCH) % 4 === 0 || to === params.sessions) log(`scale: ${to.toLocaleString('en-US')} sessions with refresh chains written`);
  }

  db.transaction(() => {
    for (let u = 0; u < params.users; u += 1) {
      const blocked = u % 100 === 37;
      insertUser.run(userIds[u], usernames[u], input.passwordHash, blocked ? 'blocked' : 'active', userCreated[u], blocked ? 2 : 1,
        blocked ? userCreated[u]! + DAY : null, blocked ? 'bench: blocked for abuse' : null, lastLogin[u] || null);
    }
  })();
  log(`scale: ${params.users.toLocaleString('en-US')} users written`);

  facts.counts.audit = writeAudit(input, audited, userIds, usernames, userCreated);
  log(`scale: ${facts.counts.audit.toLocaleString('en-US')} audit entries written (hash-chained)`);
  writeCounters(db, now, facts, random);

  const sample = (u: number) => ({ id: userIds[u]!, username: usernames[u]!, sessions: sessionsPerUser[u]! });
  for (let k = 0; k < 400; k += 1) facts.samples.users.push(sample(Math.floor(random() * params.users)));
  for (let u = 0; u < 40; u += 1) facts.samples.heavyUsers.push(sample(u));
  return facts;
}

/** The audit trail of the sampled sessions plus one `user.created` per user, in time order, hash-chained. */
function writeAudit(input: GenerateInput, sessions: AuditedSession[], userIds: string[], usernames: string[], userCreated: number[]): number {
  type Pending = { at: number; make: () => AuditInsert };
  const pending: Pending[] = [];
  for (let u = 0; u < userIds.length; u += 1) {
    const userId = userIds[u]!;
    const username = usernames[u]!;
    pending.push({ at: userCreated[u]!, make: () => ({ at: userCreated[u]!, type: 'user.created', actor: 'admin', userId, sessionId: null, reason: null, data: { username } }) });
  }
  for (const s of sessions) {
    const base = { userId: s.userId, sessionId: s.id, reason: null };
    const device = { ip: s.ip, userAgent: s.device[1], deviceName: s.device[0] };
    const token = (at: number) => ({ jti: `at_${s.id.slice(4, 16)}${at.toString(36)}`, exp: at + 600_000, kid: input.kid });
    pending.push({ at: s.times[0]!, make: () => ({ ...base, at: s.times[0]!, type: 'user.login', actor: `user:${s.userId}`, data: { clientId: s.clientId, ...device, rememberMe: s.rememberMe, refreshToken: s.labels[0], accessToken: token(s.times[0]!) } }) });
    for (let j = 1; j < s.times.length; j += 1) {
      const at = s.times[j]!;
      pending.push({ at, make: () => ({ ...base, at, type: 'session.refreshed', actor: `client:${s.clientId}`, data: { from: s.labels[j - 1], to: s.labels[j], ...device, refreshCount: j, accessToken: token(at) } }) });
    }
    if (s.revokedAt !== null) {
      const at = s.revokedAt;
      pending.push({ at, make: () => ({ ...base, at, type: 'session.revoked', actor: 'admin', reason: 'admin', data: { cause: 'admin', deviceName: s.device[0], clientId: s.clientId, accessTokensKilled: 0, refreshTokensRevoked: s.times.length, feedEventId: null } }) });
    }
  }
  pending.sort((a, b) => a.at - b.at);
  const insert = input.db.prepare(`INSERT INTO audit (at, type, actor, user_id, session_id, reason, data, prev_hash, hash)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  let prev = input.prevHash;
  const BATCH = 100_000;
  for (let from = 0; from < pending.length; from += BATCH) {
    input.db.transaction(() => {
      for (const item of pending.slice(from, from + BATCH)) {
        const entry = item.make();
        const hash = auditHash(prev, entry);
        insert.run(entry.at, entry.type, entry.actor, entry.userId, entry.sessionId, entry.reason, JSON.stringify(entry.data), prev, hash);
        prev = hash;
      }
    })();
  }
  return pending.length;
}

/** Totals and the last hour's per-minute activity, as the engine's counters would hold them. */
function writeCounters(db: Database.Database, now: number, facts: GeneratedFacts, random: () => number): void {
  const set = db.prepare('UPDATE counters SET value = ? WHERE name = ?');
  const bucket = db.prepare('INSERT INTO minute_buckets (minute, issued, refreshed, revoked) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    set.run(facts.counts.refreshTokens, 'tokens_issued');
    set.run(facts.counts.refreshTokens - facts.counts.sessions, 'refreshes');
    set.run(facts.counts.revokedSessions, 'revocations');
    set.run(17, 'reuse_alerts');
    const thisMinute = Math.floor(now / 60_000) * 60_000;
    for (let m = 0; m < 24 * 60; m += 1) {
      const refreshed = 200 + Math.floor(random() * 400);
      bucket.run(thisMinute - m * 60_000, refreshed + Math.floor(random() * 60), refreshed, Math.floor(random() * 8));
    }
  })();
}
