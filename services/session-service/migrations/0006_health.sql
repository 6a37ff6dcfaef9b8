-- Session health (docs/json-api.md sessionHealth). The gateway holding a connection evaluates it and
-- reports changes (NATS <prefix>.health.<gatewayId>); a session that is not connected is offline.
ALTER TABLE sessions
  ADD COLUMN health text NOT NULL DEFAULT 'offline'
    CHECK (health IN ('healthy', 'unhealthy', 'offline'));
UPDATE sessions SET health = 'offline';
-- listMqSessions healthFilter.
CREATE INDEX sessions_by_health ON sessions (health, client_key);
