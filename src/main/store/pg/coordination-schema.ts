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
