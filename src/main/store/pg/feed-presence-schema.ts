/**
 * PostgreSQL migration 5, area H7 (the console's receipt across instances): each instance's feed subscribers,
 * one row per (instance, client), alive until `expires_at` (ms, the database's clock). Written by heartbeats
 * (../feed-presence-store.ts, ./pg-feed-presence-store.ts); an instance that dies stops refreshing its rows.
 */
export const FEED_PRESENCE_SCHEMA = `
CREATE TABLE feed_presence (
  instance       TEXT NOT NULL,
  client_id      TEXT NOT NULL,
  connections    INTEGER NOT NULL,
  connected_at   BIGINT NOT NULL,
  last_event_id  BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  PRIMARY KEY (instance, client_id)
);
CREATE INDEX feed_presence_expiry ON feed_presence (expires_at);
`;
