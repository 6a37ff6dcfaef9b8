-- A lost gateway's sessions (docs/mqtt.md, "A gateway that dies"). When the session-service finds
-- that the gateway (or the run of it) holding a connected session has stopped announcing itself,
-- it records the connection here; a surviving gateway parks the session's offline queue and closes
-- it (CloseSession with that connection id), which removes the row. A session whose loss nobody
-- took care of in time is closed by the session-service itself. One row per session: a session
-- has one connection at a time. Removed with the session.
CREATE TABLE session_losses (
  client_key    bytea PRIMARY KEY REFERENCES sessions (client_key) ON DELETE CASCADE,
  client_name   text NOT NULL,
  connection_id text NOT NULL,
  gateway_id    text NOT NULL,
  noticed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_losses_noticed ON session_losses (noticed_at);

-- Wills of lost connections waiting for min(Will Delay Interval, Session Expiry Interval)
-- [MQTT-3.1.3-9]. A new connection of the session deletes its row (the will is not sent); when it
-- is due, the session-service deletes it and hands the will to the gateways (work stream) in the
-- same transaction, so each will is handed over once. Not tied to the session row: a session that
-- ends (expiry, deletion) makes its will due at once.
CREATE TABLE pending_wills (
  client_key    bytea PRIMARY KEY,
  client_name   text NOT NULL,
  connection_id text NOT NULL,
  due_at        timestamptz NOT NULL,
  -- The will* fields of the session's settings when the connection was lost.
  will          jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_wills_due ON pending_wills (due_at);
