/**
 * The rotation floor: the least a rotating refresh_token grant can do on this machine, to show where the
 * physical bound lies. node:http reads the form; every refresh that arrives in one event-loop turn is
 * committed in one SQLite transaction (WAL, synchronous=NORMAL) that looks the token up with its family,
 * marks it used (compare-and-set) and inserts its successor; a token presented again revokes its family.
 * Only after the commit is each access token signed (Ed25519, node:crypto, the same claims as ours) and
 * answered as JSON. No users, sessions, idle expiry, access-token records, counters or events: everything
 * Token Warden does beyond this is what the gap between the two costs.
 *
 * IPC: sends `{type:'ready', port}`; answers `{type:'seeds', count}` with `{type:'seeds', tokens}`.
 */
import Database from 'better-sqlite3';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { timeOrderedId } from '../../src/main/engine/crypto';
import { newRefreshToken, refreshTokenKey } from '../../src/main/engine/issue';
import { jwsSigningInput, signPending } from '../../src/main/engine/jwt';

const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-bench-floor-'));
const db = new Database(path.join(dir, 'floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  CREATE TABLE families (id INTEGER PRIMARY KEY, revoked INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE tokens (key TEXT PRIMARY KEY, family INTEGER NOT NULL, created_at INTEGER NOT NULL, used_at INTEGER) WITHOUT ROWID;
`);
const lookup = db.prepare('SELECT t.family, t.used_at AS usedAt, f.revoked FROM tokens t JOIN families f ON f.id = t.family WHERE t.key = ?');
const markUsed = db.prepare('UPDATE tokens SET used_at = ? WHERE key = ? AND used_at IS NULL');
const insert = db.prepare('INSERT INTO tokens (key, family, created_at) VALUES (?, ?, ?)');
const revokeFamily = db.prepare('UPDATE families SET revoked = 1 WHERE id = ?');
const newFamily = db.prepare('INSERT INTO families DEFAULT VALUES');

const signingKey = generateKeyPairSync('ed25519').privateKey;
const header = { alg: 'EdDSA', kid: 'floor', typ: 'at+jwt' };

type Rotated = { token: string; family: number } | undefined;
interface Pending {
  token: string;
  answer(status: number, body: string): void;
}

function rotate(presented: string, now: number): Rotated {
  // Tokens, their keys, ids and signatures are made by the engine's own functions: the floor differs from
  // ours only in what it stores and checks.
  const key = refreshTokenKey(presented);
  if (key === undefined) return undefined;
  const row = lookup.get(key) as { family: number; usedAt: number | null; revoked: number } | undefined;
  if (!row || row.revoked) return undefined;
  if (row.usedAt !== null || markUsed.run(now, key).changes !== 1) {
    revokeFamily.run(row.family);
    return undefined;
  }
  const next = newRefreshToken(now);
  insert.run(next.hash, row.family, now);
  return { token: next.token, family: row.family };
}

function accessToken(family: number, now: number): string {
  const iat = Math.floor(now / 1000);
  const claims = { iss: 'http://127.0.0.1', sub: `user-${family}`, aud: 'api', exp: iat + 600, iat, jti: timeOrderedId('at', now), client_id: 'bench-app', sid: `family-${family}`, scope: 'openid' };
  return signPending({ signingInput: jwsSigningInput(header, claims), alg: 'EdDSA', key: signingKey });
}

let queue: Pending[] = [];
const commitTurn = db.transaction((items: Pending[], now: number) => items.map((item) => rotate(item.token, now)));

function flush(): void {
  const items = queue;
  queue = [];
  const now = Date.now();
  const rotated = commitTurn(items, now);
  items.forEach((item, index) => {
    const next = rotated[index];
    if (!next) item.answer(400, '{"error":"invalid_grant","error_description":"The refresh token is invalid."}');
    else item.answer(200, JSON.stringify({ access_token: accessToken(next.family, now), token_type: 'Bearer', expires_in: 600, refresh_token: next.token, scope: 'openid' }));
  });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('refresh_token') ?? '';
    const answer = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (queue.push({ token, answer }) === 1) setImmediate(flush);
  });
});

process.on('message', (message: unknown) => {
  const request = message as { type?: string; count?: number };
  if (request.type !== 'seeds' || typeof request.count !== 'number') return;
  const count = Math.min(1000, Math.max(0, request.count));
  const now = Date.now();
  const tokens = db.transaction(() =>
    Array.from({ length: count }, () => {
      const seed = newRefreshToken(now);
      insert.run(seed.hash, Number(newFamily.run().lastInsertRowid), now);
      return seed.token;
    }),
  )();
  process.send?.({ type: 'seeds', tokens });
});
server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port }));
const stop = () => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => server.close(stop));
process.on('disconnect', stop);
