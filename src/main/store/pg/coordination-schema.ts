/**
 * PostgreSQL migration 4, area H2b (several instances act as one service): attempt leases, the login
 * throttles' attempts in flight counted across instances (./pg-coordination-store.ts). The periodic jobs' last
 * runs are rows of `meta` (`job:<name>`) and need no table.
 */
export const COORDINATION_SCHEMA = `
CREATE TABLE attempt_leases (
  id          TEXT PRIMARY KEY,
  key         TEXT NOT NULL,
  expires_at  BIGINT NOT NULL
);
CREATE INDEX attempt_leases_key ON attempt_leases (key, expires_at);
CREATE INDEX attempt_leases_expiry ON attempt_leases (expires_at);
`;

/**
 * PostgreSQL migration 6, area H2b: failures on usernames that do not exist (the hosted sign-in page locks them
 * like real accounts, src/main/engine/sign-in.ts), kept for the whole deployment so that every instance locks an
 * unknown name after the same failures as a real one. By the SHA-256 of the folded name (the audit keeps what
 * was typed; this table needs only to tell names apart).
 */
export const UNKNOWN_NAME_SCHEMA = `
CREATE TABLE unknown_login_names (
  name_hash      TEXT PRIMARY KEY,
  failed_logins  INTEGER NOT NULL,
  locked_until   BIGINT,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX unknown_login_names_updated ON unknown_login_names (updated_at);
`;
