/**
 * The PostgreSQL tables and indexes of the nine sub-stores (B2), one migration run right after the core schema
 * (./migrations.ts): it references users, clients, sessions and audit. Mirrors SQLite's schema 11 for these
 * tables (../migrations.ts V5, AUDIT_SEARCH, ADMINS, USERS_ADMIN, SESSION_SEARCH) in PostgreSQL terms:
 * - times are BIGINT ms; ids TEXT; `ord` (BIGINT identity, the core's convention) stands in for SQLite's rowid
 *   where the order of insertion breaks ties (admins, keys, admin sessions, browser sessions; users, sessions);
 * - case-insensitive names (SQLite COLLATE NOCASE) are unique on lower(username);
 * - ranges on text (prefixes, sorted names) compare with COLLATE "C" (byte order, like SQLite's BINARY), so a
 *   prefix is one index range whatever the database's default collation;
 * - FTS5 trigram tables become pg_trgm GIN indexes over the same text, queried with ILIKE '%…%';
 * - every (column) index SQLite relies on as (column, rowid) is written (column, ord) here (audit: seq):
 *   PostgreSQL's indexes have no implicit rowid, and "newest first among one type" must be one ordered walk.
 */

/**
 * Case folding for free text, in ICU's root locale whatever the database's own (a database made with
 * `--locale=C` folds ASCII only, and pg_trgm folds with the database's locale): the indexed text is stored
 * folded, the needle is folded the same way, and LIKE (not ILIKE) compares them. SQLite's FTS5 trigram folds
 * Unicode case too ("ZOË" finds "Zoë").
 */
export const fold = (expression: string) => `lower((${expression}) COLLATE "und-x-icu")`;

/** The audit's searchable text (type, actor, user and session ids, reason, data), folded, joined by a unit
 * separator so a needle without one never matches across two columns. Shared by the index and the query. */
export const AUDIT_TEXT = fold(`a.type || E'\\x1f' || a.actor || E'\\x1f' || coalesce(a.user_id, '') || E'\\x1f' || coalesce(a.session_id, '')
  || E'\\x1f' || coalesce(a.reason, '') || E'\\x1f' || a.data::text`);
/** A user's searchable text (username, display name, email), as AUDIT_TEXT. */
export const USER_TEXT = fold(`u.username || E'\\x1f' || coalesce(u.display_name, '') || E'\\x1f' || coalesce(u.email, '')`);
/** A user's name folded, in byte order: the users page's name order and short-prefix range. */
export const USER_NAME = `${fold('u.username')} COLLATE "C"`;

/** The index expressions are the query expressions without the table alias. */
const bare = (expression: string, alias: string) => expression.replaceAll(`${alias}.`, '');

export const SUB_STORE_SCHEMA = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Browser sessions (SQLite V5).
CREATE TABLE browser_sessions (
  id             TEXT PRIMARY KEY,
  cookie_hash    TEXT NOT NULL UNIQUE,
  user_id        TEXT NOT NULL REFERENCES users (id),
  remember_me    BOOLEAN NOT NULL,
  ip             TEXT NOT NULL,
  user_agent     TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  auth_time      BIGINT NOT NULL,
  last_seen_at   BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  revoked_at     BIGINT,
  revoked_by     TEXT,
  revoke_reason  TEXT,
  ord            BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX browser_sessions_user ON browser_sessions (user_id, created_at, ord);
CREATE INDEX browser_sessions_expiry ON browser_sessions (expires_at);
ALTER TABLE sessions ADD CONSTRAINT sessions_browser_session_fk FOREIGN KEY (browser_session_id) REFERENCES browser_sessions (id);

-- Authorization codes (SQLite V5).
CREATE TABLE authorization_codes (
  code_hash           TEXT PRIMARY KEY CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  client_id           TEXT NOT NULL REFERENCES clients (client_id),
  user_id             TEXT NOT NULL REFERENCES users (id),
  browser_session_id  TEXT NOT NULL REFERENCES browser_sessions (id),
  redirect_uri        TEXT NOT NULL,
  code_challenge      TEXT NOT NULL,
  scope               TEXT NOT NULL,
  nonce               TEXT,
  auth_time           BIGINT NOT NULL,
  created_at          BIGINT NOT NULL,
  expires_at          BIGINT NOT NULL,
  used_at             BIGINT,
  session_id          TEXT REFERENCES sessions (id),
  kept_until          BIGINT NOT NULL
);
CREATE INDEX authorization_codes_kept ON authorization_codes (kept_until);
CREATE INDEX authorization_codes_user ON authorization_codes (user_id);
CREATE UNIQUE INDEX authorization_codes_session ON authorization_codes (session_id) WHERE session_id IS NOT NULL;

-- The back-channel logout outbox (SQLite V5). Identity ids are never reused, like SQLite's AUTOINCREMENT.
CREATE TABLE backchannel_outbox (
  id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  jti              TEXT NOT NULL UNIQUE,
  client_id        TEXT NOT NULL REFERENCES clients (client_id),
  uri              TEXT NOT NULL,
  session_id       TEXT NOT NULL,
  user_id          TEXT NOT NULL,
  revocation_id    BIGINT,
  created_at       BIGINT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT NOT NULL,
  give_up_at       BIGINT NOT NULL,
  lease_until      BIGINT,
  delivered_at     BIGINT,
  failed_at        BIGINT,
  last_status      INTEGER,
  last_error       TEXT
);
CREATE INDEX backchannel_outbox_due ON backchannel_outbox (next_attempt_at, id) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX backchannel_outbox_revocation ON backchannel_outbox (revocation_id, id) WHERE revocation_id IS NOT NULL;
CREATE INDEX backchannel_outbox_session ON backchannel_outbox (session_id, id);

-- Named admins, their API keys and console sessions (SQLite ADMINS).
CREATE TABLE admins (
  id                   TEXT PRIMARY KEY,
  username             TEXT NOT NULL,
  password_hash        TEXT NOT NULL,
  role                 TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'owner')),
  disabled_at          BIGINT,
  totp_secret          TEXT,
  totp_pending_secret  TEXT,
  totp_last_step       BIGINT,
  failed_logins        INTEGER NOT NULL DEFAULT 0,
  locked_until         BIGINT,
  created_at           BIGINT NOT NULL,
  last_login_at        BIGINT,
  ord                  BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE UNIQUE INDEX admins_username ON admins (lower(username));
CREATE TABLE admin_keys (
  id            TEXT PRIMARY KEY,
  admin_id      TEXT NOT NULL REFERENCES admins (id),
  name          TEXT NOT NULL,
  key_hash      TEXT NOT NULL UNIQUE,
  created_at    BIGINT NOT NULL,
  last_used_at  BIGINT,
  revoked_at    BIGINT,
  revoked_by    TEXT,
  ord           BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX admin_keys_admin ON admin_keys (admin_id, created_at, ord);
CREATE INDEX admin_keys_created ON admin_keys (created_at, ord);
CREATE TABLE admin_sessions (
  id                   TEXT PRIMARY KEY,
  token_hash           TEXT NOT NULL UNIQUE,
  admin_id             TEXT REFERENCES admins (id),
  actor                TEXT NOT NULL,
  ip                   TEXT NOT NULL,
  user_agent           TEXT NOT NULL,
  created_at           BIGINT NOT NULL,
  last_seen_at         BIGINT NOT NULL,
  idle_expires_at      BIGINT NOT NULL,
  absolute_expires_at  BIGINT NOT NULL,
  revoked_at           BIGINT,
  revoked_by           TEXT,
  revoke_reason        TEXT,
  ord                  BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id, created_at, ord);
CREATE INDEX admin_sessions_created ON admin_sessions (created_at, ord);

-- Audit search (SQLite AUDIT_SEARCH): the trigram index replaces audit_fts. The core's (type, seq) and
-- (session_id, seq) serve as they are; actor and user prefixes need byte order (COLLATE "C"), and a time
-- window's seq range is read from (at, seq) alone. Acknowledgements of reuse alerts, one per entry.
-- The audit is written often (every refresh, when refreshes are audited): new entries go to GIN's pending
-- list and are merged in batches (by autovacuum, or when the list fills); a search reads that list whole, so
-- it is kept at 1 MB instead of 4. The users' index likewise (an import of many users stays fast).
CREATE INDEX audit_text_trgm ON audit USING gin (${bare(AUDIT_TEXT, 'a')} gin_trgm_ops) WITH (gin_pending_list_limit = 1024);
CREATE INDEX audit_actor_c ON audit ((actor COLLATE "C"), seq);
CREATE INDEX audit_user_c ON audit ((user_id COLLATE "C"), seq) WHERE user_id IS NOT NULL;
CREATE INDEX audit_at_seq ON audit (at, seq);
CREATE TABLE audit_acknowledgements (
  seq              BIGINT PRIMARY KEY REFERENCES audit (seq),
  acknowledged_by  TEXT NOT NULL,
  acknowledged_at  BIGINT NOT NULL,
  note             TEXT NOT NULL
);

-- The users page (SQLite USERS_ADMIN): profile columns, the sort indexes (ord as the tie-breaker) and the
-- trigram index replacing users_search.
ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name TEXT;
ALTER TABLE users ADD COLUMN IF NOT EXISTS email TEXT;
ALTER TABLE users ADD COLUMN IF NOT EXISTS attributes JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object');
-- Sorted by name in byte order of the folded name (SQLite: NOCASE), which also serves short prefixes as a range.
CREATE INDEX users_text_trgm ON users USING gin (${bare(USER_TEXT, 'u')} gin_trgm_ops) WITH (gin_pending_list_limit = 1024);
CREATE INDEX users_name_c ON users ((${bare(USER_NAME, 'u')}));
CREATE INDEX users_last_login ON users (last_login_at ASC NULLS FIRST, ord);
CREATE INDEX users_locked ON users (locked_until) WHERE locked_until IS NOT NULL;

-- The Sessions view (SQLite SESSION_SEARCH): the core has the activity, user, cant-refresh and client-live
-- indexes; these three are on columns a session never changes (a refresh rewrites every index of a row in
-- PostgreSQL unless the update is HOT, so each one here costs every refresh an index entry: kept to three).
CREATE INDEX sessions_created ON sessions (created_at, ord);
CREATE INDEX sessions_client_created ON sessions (client_id, created_at, ord);
CREATE INDEX sessions_ip ON sessions ((ip COLLATE "C"));
`;

/**
 * Keys for servers (engineer D, ../key-secret-store.ts; SQLite migration 12): `--key-store database` keeps each
 * private JWK sealed with AES-256-GCM under the master key, and per master-key version a key-check record. The
 * partial unique index allows one current (unretired) version. Its own migration (./migrations.ts, version 3).
 */
export const KEY_SECRET_SCHEMA = `
CREATE TABLE key_encryption_keys (
  version          BIGINT PRIMARY KEY CHECK (version > 0),
  check_nonce      BYTEA NOT NULL,
  check_ciphertext BYTEA NOT NULL,
  created_at       BIGINT NOT NULL,
  retired_at       BIGINT
);
CREATE UNIQUE INDEX key_encryption_keys_current ON key_encryption_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;
CREATE TABLE key_secrets (
  kid         TEXT PRIMARY KEY,
  kek_version BIGINT NOT NULL REFERENCES key_encryption_keys (version),
  nonce       BYTEA NOT NULL,
  ciphertext  BYTEA NOT NULL,
  created_at  BIGINT NOT NULL
);
`;
