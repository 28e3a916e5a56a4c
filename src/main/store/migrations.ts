/**
 * The SQLite schema as an ordered list of migrations. The applied version lives in `PRAGMA user_version`;
 * `application_id` marks the file as ours so a foreign SQLite database is never migrated into.
 *
 * Rules for adding a migration: append, never edit an applied one, keep versions consecutive.
 */
import type Database from 'better-sqlite3';
import { WardenError } from '../../shared/errors';

export interface Migration {
  version: number;
  sql: string;
}

/** 'TWRD' — written into the database header so we recognise our own files. */
export const APPLICATION_ID = 0x54575244;

const V1 = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Maintained by triggers so the console's totals never COUNT(*) a big table.
CREATE TABLE row_counts (
  name TEXT PRIMARY KEY,
  n    INTEGER NOT NULL
);
INSERT INTO row_counts (name, n) VALUES ('users', 0), ('users_blocked', 0), ('sessions', 0), ('sessions_revoked', 0);

CREATE TABLE users (
  id               TEXT PRIMARY KEY,
  username         TEXT NOT NULL COLLATE NOCASE,
  password_hash    TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('active', 'blocked')),
  created_at       INTEGER NOT NULL,
  refresh_version  INTEGER NOT NULL,
  not_before       INTEGER,
  blocked_at       INTEGER,
  blocked_reason   TEXT,
  failed_logins    INTEGER NOT NULL DEFAULT 0,
  locked_until     INTEGER,
  last_login_at    INTEGER
);
CREATE UNIQUE INDEX users_username ON users (username COLLATE NOCASE);
CREATE INDEX users_created ON users (created_at);
CREATE INDEX users_status_created ON users (status, created_at);

CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
  UPDATE row_counts SET n = n + 1 WHERE name = 'users';
  UPDATE row_counts SET n = n + 1 WHERE name = 'users_blocked' AND NEW.status = 'blocked';
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
  UPDATE row_counts SET n = n - 1 WHERE name = 'users';
  UPDATE row_counts SET n = n - 1 WHERE name = 'users_blocked' AND OLD.status = 'blocked';
END;
CREATE TRIGGER users_count_status AFTER UPDATE OF status ON users WHEN OLD.status IS NOT NEW.status BEGIN
  UPDATE row_counts SET n = n + (CASE WHEN NEW.status = 'blocked' THEN 1 ELSE -1 END) WHERE name = 'users_blocked';
END;

CREATE TABLE clients (
  client_id   TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('public', 'confidential')),
  name        TEXT NOT NULL,
  secret_hash TEXT,
  created_at  INTEGER NOT NULL
);

-- live_until = MIN(idle_expires_at, absolute_expires_at), kept by the store (the CHECK guards it). A plain
-- column rather than a generated one because SQLite cannot use an index on a generated column as covering,
-- and the active/expired counts must be answered from the index alone.
CREATE TABLE sessions (
  id                   TEXT PRIMARY KEY,
  user_id              TEXT NOT NULL REFERENCES users (id),
  client_id            TEXT NOT NULL REFERENCES clients (client_id),
  device_name          TEXT NOT NULL,
  user_agent           TEXT NOT NULL,
  ip                   TEXT NOT NULL,
  remember_me          INTEGER NOT NULL CHECK (remember_me IN (0, 1)),
  scope                TEXT NOT NULL,
  created_at           INTEGER NOT NULL,
  last_activity_at     INTEGER NOT NULL,
  idle_expires_at      INTEGER NOT NULL,
  absolute_expires_at  INTEGER NOT NULL,
  live_until           INTEGER NOT NULL,
  revoked_at           INTEGER,
  revoked_by           TEXT,
  revoke_reason        TEXT,
  refresh_count        INTEGER NOT NULL DEFAULT 0,
  CHECK (live_until = MIN(idle_expires_at, absolute_expires_at))
);
CREATE INDEX sessions_user_activity ON sessions (user_id, last_activity_at);
CREATE INDEX sessions_activity ON sessions (last_activity_at);
-- revoked_at is repeated inside the partial indexes so queries filtering on it stay index-only.
CREATE INDEX sessions_live ON sessions (live_until, revoked_at) WHERE revoked_at IS NULL;
CREATE INDEX sessions_live_activity ON sessions (last_activity_at, live_until, revoked_at) WHERE revoked_at IS NULL;
CREATE INDEX sessions_user_live ON sessions (user_id, live_until, revoked_at) WHERE revoked_at IS NULL;
CREATE INDEX sessions_revoked_activity ON sessions (last_activity_at, revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TRIGGER sessions_count_insert AFTER INSERT ON sessions BEGIN
  UPDATE row_counts SET n = n + 1 WHERE name = 'sessions';
  UPDATE row_counts SET n = n + 1 WHERE name = 'sessions_revoked' AND NEW.revoked_at IS NOT NULL;
END;
CREATE TRIGGER sessions_count_delete AFTER DELETE ON sessions BEGIN
  UPDATE row_counts SET n = n - 1 WHERE name = 'sessions';
  UPDATE row_counts SET n = n - 1 WHERE name = 'sessions_revoked' AND OLD.revoked_at IS NOT NULL;
END;
CREATE TRIGGER sessions_count_revoked AFTER UPDATE OF revoked_at ON sessions
  WHEN (OLD.revoked_at IS NULL) <> (NEW.revoked_at IS NULL) BEGIN
  UPDATE row_counts SET n = n + (CASE WHEN NEW.revoked_at IS NULL THEN -1 ELSE 1 END) WHERE name = 'sessions_revoked';
END;

-- Only SHA-256 hashes: a raw token can never land here.
CREATE TABLE refresh_tokens (
  hash             TEXT PRIMARY KEY CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),
  session_id       TEXT NOT NULL REFERENCES sessions (id),
  user_id          TEXT NOT NULL,
  client_id        TEXT NOT NULL,
  refresh_version  INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  used_at          INTEGER,
  successor_hash   TEXT CHECK (successor_hash IS NULL OR (length(successor_hash) = 64 AND successor_hash NOT GLOB '*[^0-9a-f]*')),
  revoked_at       INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id, created_at);
CREATE INDEX refresh_tokens_user_current ON refresh_tokens (user_id) WHERE revoked_at IS NULL AND used_at IS NULL;

CREATE TABLE access_tokens (
  jti         TEXT PRIMARY KEY,
  session_id  TEXT NOT NULL REFERENCES sessions (id),
  user_id     TEXT NOT NULL,
  client_id   TEXT NOT NULL,
  kid         TEXT NOT NULL,
  issued_at   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX access_tokens_session ON access_tokens (session_id, issued_at);
CREATE INDEX access_tokens_user ON access_tokens (user_id, expires_at);
CREATE INDEX access_tokens_kid ON access_tokens (kid, expires_at);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);

-- AUTOINCREMENT: ids are never reused, even after the newest rows are purged (feed cursors rely on it).
CREATE TABLE revocations (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind        TEXT NOT NULL CHECK (kind IN ('session', 'user', 'jti', 'key')),
  subject     TEXT NOT NULL,
  user_id     TEXT,
  not_before  INTEGER,
  expires_at  INTEGER,
  created_at  INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  reason      TEXT
);
CREATE INDEX revocations_subject ON revocations (kind, subject);
CREATE INDEX revocations_jti_expiry ON revocations (expires_at) WHERE kind = 'jti';

CREATE TABLE signing_keys (
  kid             TEXT PRIMARY KEY,
  alg             TEXT NOT NULL CHECK (alg IN ('EdDSA', 'ES256')),
  public_jwk      TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('active', 'retiring', 'retired', 'revoked')),
  created_at      INTEGER NOT NULL,
  retiring_since  INTEGER,
  retires_at      INTEGER,
  revoked_at      INTEGER
);

CREATE TABLE audit (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  type        TEXT NOT NULL,
  actor       TEXT NOT NULL,
  user_id     TEXT,
  session_id  TEXT,
  reason      TEXT,
  data        TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
-- seq is the rowid, so each of these is effectively (column, seq): filter + newest-first without a sort.
CREATE INDEX audit_type ON audit (type);
CREATE INDEX audit_actor ON audit (actor);
CREATE INDEX audit_user ON audit (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX audit_session ON audit (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX audit_at ON audit (at);

CREATE TABLE counters (
  name   TEXT PRIMARY KEY,
  value  INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('tokens_issued', 0), ('refreshes', 0), ('revocations', 0), ('reuse_alerts', 0);

CREATE TABLE minute_buckets (
  minute     INTEGER PRIMARY KEY,
  issued     INTEGER NOT NULL DEFAULT 0,
  refreshed  INTEGER NOT NULL DEFAULT 0,
  revoked    INTEGER NOT NULL DEFAULT 0
);
`;

/**
 * Who presented a refresh token when it was rotated: the record of a routine refresh, which is no longer
 * always an audit entry (see the `auditRefreshes` setting). Null for rows rotated before this version. The
 * user agent is kept only when it differs from the session's (null: the session's own).
 *
 * An install upgraded from schema 1 audited every refresh, and keeps doing so until an admin switches it off:
 * an upgrade must not quietly narrow what the audit log records. New installs (no audit entry yet when this
 * runs) start with it off. `engine_settings` is the engine's settings row (engine/settings.ts); a row that is
 * not valid JSON is left alone (the engine reads defaults over it).
 */
const V2 = `
ALTER TABLE refresh_tokens ADD COLUMN used_ip TEXT;
ALTER TABLE refresh_tokens ADD COLUMN used_user_agent TEXT;
INSERT INTO settings (key, value) SELECT 'engine_settings', '{}'
  WHERE EXISTS (SELECT 1 FROM audit) AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'engine_settings');
UPDATE settings SET value = json_set(value, '$.auditRefreshes', json('true'))
  WHERE key = 'engine_settings' AND json_valid(value) AND EXISTS (SELECT 1 FROM audit);
`;

/**
 * A user's access tokens are found through their sessions (sessions_user_activity, then access_tokens_session)
 * rather than by an index of their own: that index put each user's newest entry on a leaf page of its own,
 * one more page written per refresh (4.66 → 3.67 log frames per refresh, 50 concurrent sessions). Only force
 * logout and its blast-radius preview ask this question; every refresh paid for it.
 */
const V3 = `
DROP INDEX access_tokens_user;
`;

/**
 * RS256 keys (RFC 9068 §2.1 makes it mandatory to support) and the `next` status: a key published in the JWKS
 * before it signs, so a routine rotation is already known to verifiers. SQLite cannot alter a CHECK, so the
 * table is rebuilt with its rows. The unique index keeps at most one key active and one next, whatever the
 * engine does. An existing install without a saved signing algorithm signed with the default of its time,
 * EdDSA: that is recorded, so a later change of the built-in default never changes an install's algorithm
 * (the engine records a new install's at its first start).
 */
const V4 = `
CREATE TABLE signing_keys_v4 (
  kid             TEXT PRIMARY KEY,
  alg             TEXT NOT NULL CHECK (alg IN ('EdDSA', 'ES256', 'RS256')),
  public_jwk      TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('next', 'active', 'retiring', 'retired', 'revoked')),
  created_at      INTEGER NOT NULL,
  retiring_since  INTEGER,
  retires_at      INTEGER,
  revoked_at      INTEGER
);
INSERT INTO signing_keys_v4 (kid, alg, public_jwk, status, created_at, retiring_since, retires_at, revoked_at)
  SELECT kid, alg, public_jwk, status, created_at, retiring_since, retires_at, revoked_at FROM signing_keys ORDER BY rowid;
DROP TABLE signing_keys;
ALTER TABLE signing_keys_v4 RENAME TO signing_keys;
CREATE UNIQUE INDEX signing_keys_one_active_one_next ON signing_keys (status) WHERE status IN ('active', 'next');
INSERT INTO settings (key, value) SELECT 'engine_settings', '{}'
  WHERE EXISTS (SELECT 1 FROM signing_keys) AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'engine_settings');
UPDATE settings SET value = json_set(value, '$.signingAlg', 'EdDSA')
  WHERE key = 'engine_settings' AND json_valid(value) AND json_type(value, '$.signingAlg') IS NULL
  AND EXISTS (SELECT 1 FROM signing_keys);
`;

/** Every schema change, oldest first. */
/**
 * Schema 5: standard sign-in. Clients gain what registration needs (exact redirect URIs, logout URIs, the
 * grants they may use: an existing public client keeps the password and refresh grants it had, a confidential
 * one had none, a new one gets what createClient gives it); the hosted sign-in page's browser sessions, the
 * one-time authorization codes (stored hashed), and the back-channel logout outbox, written in the transaction
 * of the revocation it announces.
 */
const V5 = `
-- Signing keys come in pairs, one per algorithm in use (access tokens, clients' ID tokens): at most one key
-- of each algorithm is active and one next. Every schema-4 file had at most one of each overall, so it fits.
DROP INDEX signing_keys_one_active_one_next;
CREATE UNIQUE INDEX signing_keys_one_active_one_next_per_alg ON signing_keys (alg, status) WHERE status IN ('active', 'next');
ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(redirect_uris));
ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(post_logout_redirect_uris));
ALTER TABLE clients ADD COLUMN backchannel_logout_uri TEXT;
ALTER TABLE clients ADD COLUMN grant_types TEXT NOT NULL DEFAULT '["password","refresh_token"]' CHECK (json_valid(grant_types));
-- A confidential client could use no grant (the password grant refused it): it keeps none.
UPDATE clients SET grant_types = '[]' WHERE kind = 'confidential';
ALTER TABLE clients ADD COLUMN id_token_signed_response_alg TEXT NOT NULL DEFAULT 'RS256'
  CHECK (id_token_signed_response_alg IN ('EdDSA', 'ES256', 'RS256'));
ALTER TABLE clients ADD COLUMN updated_at INTEGER;

CREATE TABLE browser_sessions (
  id             TEXT PRIMARY KEY,
  cookie_hash    TEXT NOT NULL UNIQUE,
  user_id        TEXT NOT NULL REFERENCES users (id),
  remember_me    INTEGER NOT NULL CHECK (remember_me IN (0, 1)),
  ip             TEXT NOT NULL,
  user_agent     TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  auth_time      INTEGER NOT NULL,
  last_seen_at   INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  revoked_at     INTEGER,
  revoked_by     TEXT,
  revoke_reason  TEXT
);
CREATE INDEX browser_sessions_user ON browser_sessions (user_id, created_at);
CREATE INDEX browser_sessions_expiry ON browser_sessions (expires_at);
ALTER TABLE sessions ADD COLUMN browser_session_id TEXT REFERENCES browser_sessions (id);
CREATE INDEX sessions_browser_session ON sessions (browser_session_id) WHERE browser_session_id IS NOT NULL;

CREATE TABLE authorization_codes (
  code_hash           TEXT PRIMARY KEY,
  client_id           TEXT NOT NULL REFERENCES clients (client_id),
  user_id             TEXT NOT NULL REFERENCES users (id),
  browser_session_id  TEXT NOT NULL REFERENCES browser_sessions (id),
  redirect_uri        TEXT NOT NULL,
  code_challenge      TEXT NOT NULL,
  scope               TEXT NOT NULL,
  nonce               TEXT,
  auth_time           INTEGER NOT NULL,
  created_at          INTEGER NOT NULL,
  expires_at          INTEGER NOT NULL,
  used_at             INTEGER,
  session_id          TEXT REFERENCES sessions (id),
  kept_until          INTEGER NOT NULL
);
CREATE INDEX authorization_codes_kept ON authorization_codes (kept_until);
CREATE UNIQUE INDEX authorization_codes_session ON authorization_codes (session_id) WHERE session_id IS NOT NULL;

CREATE TABLE backchannel_outbox (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  jti              TEXT NOT NULL UNIQUE,
  client_id        TEXT NOT NULL REFERENCES clients (client_id),
  uri              TEXT NOT NULL,
  session_id       TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  revocation_id    INTEGER,
  created_at       INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  give_up_at       INTEGER NOT NULL,
  lease_until      INTEGER,
  delivered_at     INTEGER,
  failed_at        INTEGER,
  last_status      INTEGER,
  last_error       TEXT
);
CREATE INDEX backchannel_outbox_due ON backchannel_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX backchannel_outbox_revocation ON backchannel_outbox (revocation_id) WHERE revocation_id IS NOT NULL;
CREATE INDEX backchannel_outbox_session ON backchannel_outbox (session_id);
`;

/**
 * Area E (clients): disabling, deleting (a tombstone: the row stays so the id is never reused and old audit
 * entries and sessions keep naming the same client), secret rotation with an overlap (the previous secret's
 * hash and the instant it stops being accepted), and per-client token lifetimes (null: the install setting).
 * The partial index finds a client's live sessions (disable/delete revoke them; its page counts and lists them,
 * latest to expire first) from the index alone.
 */
const CLIENT_ADMIN = `
ALTER TABLE clients ADD COLUMN disabled_at INTEGER;
ALTER TABLE clients ADD COLUMN disabled_reason TEXT;
ALTER TABLE clients ADD COLUMN deleted_at INTEGER;
ALTER TABLE clients ADD COLUMN previous_secret_hash TEXT;
ALTER TABLE clients ADD COLUMN previous_secret_expires_at INTEGER
  CHECK ((previous_secret_expires_at IS NULL) = (previous_secret_hash IS NULL));
ALTER TABLE clients ADD COLUMN access_token_ttl_seconds INTEGER CHECK (access_token_ttl_seconds > 0);
ALTER TABLE clients ADD COLUMN refresh_idle_seconds INTEGER CHECK (refresh_idle_seconds > 0);
ALTER TABLE clients ADD COLUMN refresh_absolute_seconds INTEGER CHECK (refresh_absolute_seconds > 0);
CREATE INDEX sessions_client_live ON sessions (client_id, live_until) WHERE revoked_at IS NULL;
`;

/**
 * Area F (audit): free-text search and the reuse-alert worklist. `audit_fts` is an external-content FTS5 index
 * (trigram tokenizer: any substring of 3+ characters, case-insensitive) over the audit's own type, actor, user and
 * session ids, reason and data columns, so the text is not stored twice; the audit is append-only (hash-chained), so an insert
 * trigger keeps it current and the `rebuild` indexes the entries written before this version.
 * `audit_acknowledgements`: an admin's acknowledgement of one audit entry (a reuse alert), with a note; one per
 * entry, never changed (the acknowledgement itself is audited too).
 */
const AUDIT_SEARCH = `
CREATE VIRTUAL TABLE audit_fts USING fts5(type, actor, user_id, session_id, reason, data, content = 'audit', content_rowid = 'seq', tokenize = 'trigram');
INSERT INTO audit_fts (audit_fts) VALUES ('rebuild');
CREATE TRIGGER audit_fts_insert AFTER INSERT ON audit BEGIN
  INSERT INTO audit_fts (rowid, type, actor, user_id, session_id, reason, data)
    VALUES (new.seq, new.type, new.actor, new.user_id, new.session_id, new.reason, new.data);
END;
CREATE TABLE audit_acknowledgements (
  seq              INTEGER PRIMARY KEY REFERENCES audit (seq),
  acknowledged_by  TEXT NOT NULL,
  acknowledged_at  INTEGER NOT NULL,
  note             TEXT NOT NULL
);
`;

/**
 * Area H (engine-defects): a session whose refresh family was ended while the session itself stayed open (a
 * refresh-version bump revokes every refresh token of the user but no session) can never be extended: its
 * access tokens live to exp, then it is dead. `refresh_ended_at` records when, so the console lists it as
 * "can't refresh" (status `cant_refresh`: not revoked, not expired, refresh_ended_at set) instead of "active".
 * The partial index holds only those (few) sessions, so the status filter over all users stays index-bound.
 * Sessions bumped before this version (open, but no usable refresh token left) are back-filled.
 */
const SESSION_REFRESH_ENDED = `
ALTER TABLE sessions ADD COLUMN refresh_ended_at INTEGER;
UPDATE sessions SET refresh_ended_at = (SELECT MAX(t.revoked_at) FROM refresh_tokens t WHERE t.session_id = sessions.id)
  WHERE revoked_at IS NULL
    AND EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = sessions.id)
    AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = sessions.id AND t.used_at IS NULL AND t.revoked_at IS NULL);
CREATE INDEX sessions_cant_refresh ON sessions (last_activity_at, live_until, revoked_at, refresh_ended_at)
  WHERE revoked_at IS NULL AND refresh_ended_at IS NOT NULL;
`;

/**
 * Area A (auth-backend): named admins with roles, their API keys and their console sessions. Keys and
 * session cookies are stored as SHA-256 hex only; usernames are unique regardless of case. A session of the
 * one-time link (the bootstrap owner) has no admin row (admin_id NULL).
 */
const ADMINS = `
CREATE TABLE admins (
  id                   TEXT PRIMARY KEY,
  username             TEXT NOT NULL COLLATE NOCASE UNIQUE,
  password_hash        TEXT NOT NULL,
  role                 TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'owner')),
  disabled_at          INTEGER,
  totp_secret          TEXT,
  totp_pending_secret  TEXT,
  totp_last_step       INTEGER,
  failed_logins        INTEGER NOT NULL DEFAULT 0,
  locked_until         INTEGER,
  created_at           INTEGER NOT NULL,
  last_login_at        INTEGER
);
CREATE TABLE admin_keys (
  id            TEXT PRIMARY KEY,
  admin_id      TEXT NOT NULL REFERENCES admins (id),
  name          TEXT NOT NULL,
  key_hash      TEXT NOT NULL UNIQUE,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER,
  revoked_at    INTEGER,
  revoked_by    TEXT
);
CREATE INDEX admin_keys_admin ON admin_keys (admin_id, created_at);
CREATE TABLE admin_sessions (
  id                   TEXT PRIMARY KEY,
  token_hash           TEXT NOT NULL UNIQUE,
  admin_id             TEXT REFERENCES admins (id),
  actor                TEXT NOT NULL,
  ip                   TEXT NOT NULL,
  user_agent           TEXT NOT NULL,
  created_at           INTEGER NOT NULL,
  last_seen_at         INTEGER NOT NULL,
  idle_expires_at      INTEGER NOT NULL,
  absolute_expires_at  INTEGER NOT NULL,
  revoked_at           INTEGER,
  revoked_by           TEXT,
  revoke_reason        TEXT
);
CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id, created_at);
`;

/**
 * Area D (users): profile columns, the indexes the users page sorts and filters by, and substring search.
 * `users_search` is a contentless FTS5 index (trigram tokenizer: any substring of 3+ characters, case-insensitive)
 * over username, display name and email. Its rowid is `users.search_key`, a number of our own that the insert
 * trigger sets (the largest so far plus one; unique), not the users table's implicit rowid, which a VACUUM may
 * renumber under an index that points at it. `attributes` is a JSON object of string values.
 */
const USERS_ADMIN = `
ALTER TABLE users ADD COLUMN display_name TEXT;
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes) AND json_type(attributes) = 'object');
ALTER TABLE users ADD COLUMN search_key INTEGER;
UPDATE users SET search_key = rowid;
CREATE UNIQUE INDEX users_search_key ON users (search_key);
CREATE INDEX users_last_login ON users (last_login_at);
CREATE INDEX users_locked ON users (locked_until) WHERE locked_until IS NOT NULL;
-- Before this version a lock reset the count to 0 and left locked_until behind when it ended; a count above 0
-- beside a lock can only be failures after that lock ended, so the lock is cleared (the count is now kept
-- while a lock lasts, and a lock that has ended means a count of 0: src/main/engine/user-queries.ts).
UPDATE users SET locked_until = NULL WHERE locked_until IS NOT NULL AND failed_logins > 0;
CREATE VIRTUAL TABLE users_search USING fts5(username, display_name, email, content = '', contentless_delete = 1, tokenize = 'trigram');
INSERT INTO users_search (rowid, username, display_name, email) SELECT search_key, username, display_name, email FROM users;
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
  UPDATE users SET search_key = (SELECT coalesce(max(search_key), 0) + 1 FROM users) WHERE rowid = NEW.rowid;
  INSERT INTO users_search (rowid, username, display_name, email)
    SELECT search_key, NEW.username, NEW.display_name, NEW.email FROM users WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF username, display_name, email ON users BEGIN
  DELETE FROM users_search WHERE rowid = OLD.search_key;
  INSERT INTO users_search (rowid, username, display_name, email) VALUES (NEW.search_key, NEW.username, NEW.display_name, NEW.email);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
  DELETE FROM users_search WHERE rowid = OLD.search_key;
END;
`;

/**
 * Area C (sessions): the Sessions view across all users (store/sqlite-session-search-store.ts). Three indexes
 * on columns a session never changes (its creation time, client and address), so a refresh updates none of
 * them. The activity index, which a refresh rewrites anyway (last_activity_at changes), now carries every
 * column the view filters on but the device: a walk in activity order checks the filters on the index alone.
 * It replaces sessions_activity (same leading column), so a refresh still writes one entry there, a wider one.
 */
const SESSION_SEARCH = `
CREATE INDEX sessions_created ON sessions (created_at);
CREATE INDEX sessions_client_created ON sessions (client_id, created_at);
CREATE INDEX sessions_ip ON sessions (ip);
CREATE INDEX sessions_activity_cover ON sessions (last_activity_at, revoked_at, live_until, refresh_ended_at, client_id, remember_me, created_at, ip, user_id);
DROP INDEX sessions_activity;
`;

/**
 * Keys for servers (area D, src/main/keys/database-vault.ts): `--key-store database` keeps each private JWK
 * sealed with AES-256-GCM under the master key, and per master-key version a key-check record that proves
 * at start that the right master key was given. The partial unique index allows one current version only.
 */
const KEY_SECRETS = `
CREATE TABLE key_encryption_keys (
  version          INTEGER PRIMARY KEY,
  check_nonce      BLOB NOT NULL,
  check_ciphertext BLOB NOT NULL,
  created_at       INTEGER NOT NULL,
  retired_at       INTEGER
);
CREATE UNIQUE INDEX key_encryption_keys_current ON key_encryption_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;
CREATE TABLE key_secrets (
  kid         TEXT PRIMARY KEY,
  kek_version INTEGER NOT NULL REFERENCES key_encryption_keys (version),
  nonce       BLOB NOT NULL,
  ciphertext  BLOB NOT NULL,
  created_at  INTEGER NOT NULL
);
`;

/**
 * Area G (audit search at scale): `audit_clock.max_step_back` is the largest step back of the audit clock ever
 * seen (how far an entry's `at` fell below an earlier entry's), so a time window's seq range is found by binary
 * search over seq (src/main/store/sqlite-audit-window.ts) instead of reading every entry of the window. A
 * trigger raises it when an insert steps back further; its condition reads the newest `at` from the end of the
 * (at) index, so an insert in clock order writes nothing more. The insert computes it for older entries.
 */
const AUDIT_CLOCK = `
CREATE TABLE audit_clock (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  max_step_back INTEGER NOT NULL CHECK (max_step_back >= 0)
);
INSERT INTO audit_clock (id, max_step_back)
  SELECT 1, max(0, coalesce(max(prior - at), 0))
  FROM (SELECT at, max(at) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prior FROM audit);
CREATE TRIGGER audit_clock_step_back BEFORE INSERT ON audit
  WHEN new.at < (SELECT max(at) FROM audit) - (SELECT max_step_back FROM audit_clock WHERE id = 1)
BEGIN
  UPDATE audit_clock SET max_step_back = (SELECT max(at) FROM audit) - new.at WHERE id = 1;
END;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, sql: V1 },
  { version: 2, sql: V2 },
  { version: 3, sql: V3 },
  { version: 4, sql: V4 },
  { version: 5, sql: V5 },
  { version: 6, sql: CLIENT_ADMIN },
  { version: 7, sql: AUDIT_SEARCH },
  { version: 8, sql: SESSION_REFRESH_ENDED },
  { version: 9, sql: ADMINS },
  { version: 10, sql: USERS_ADMIN },
  { version: 11, sql: SESSION_SEARCH },
  { version: 12, sql: KEY_SECRETS },
  { version: 13, sql: AUDIT_CLOCK },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

function storageError(message: string): WardenError {
  return new WardenError('storage_error', message);
}

/**
 * Refuses, by reading the header only, files that are not ours or are newer than this build. Returns the
 * file's schema version (0 for a new, empty database).
 */
export function assertCompatible(db: Database.Database, latest: number = SCHEMA_VERSION): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (appId !== 0 && appId !== APPLICATION_ID) {
    throw storageError('The data file belongs to another application, not Token Warden.');
  }
  if (version > latest) {
    throw storageError(
      `The data file was written by a newer version of Token Warden (schema ${version}; this build knows up to ${latest}). Upgrade Token Warden to open it.`,
    );
  }
  if (version === 0) {
    const objects = db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number };
    if (objects.n > 0) throw storageError('The data file is a SQLite database that Token Warden did not create.');
  }
  return version;
}

/**
 * Brings the schema up to date in one IMMEDIATE transaction (so two processes opening the same file cannot
 * both migrate). Returns the versions it applied: empty when the file was already current.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version !== i + 1) throw new TypeError('migration versions must be 1, 2, 3, …');
  });
  const latest = ordered.length;
  if (assertCompatible(db, latest) === latest) return [];

  const run = db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    const current = assertCompatible(db, latest);
    const applied: number[] = [];
    for (const m of ordered) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }
    if (current === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
    return applied;
  });
  return run.immediate();
}
