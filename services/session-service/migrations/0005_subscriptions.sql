-- Subscriptions belong to the session (MQTT-3.1.2-4: they are part of the Session State), so a
-- client that reconnects with Clean Start 0 on any gateway gets them back. A topic filter can be
-- 65,535 bytes, more than a btree entry holds, so the key is its SHA-256 digest. Removing the
-- session (delete, expiry, temporary session ending) removes its subscriptions.
CREATE TABLE session_subscriptions (
  client_key              bytea NOT NULL REFERENCES sessions (client_key) ON DELETE CASCADE,
  filter_key              bytea NOT NULL,
  topic_filter            text NOT NULL,
  qos                     smallint NOT NULL CHECK (qos BETWEEN 0 AND 2),
  no_local                boolean NOT NULL DEFAULT false,
  retain_as_published     boolean NOT NULL DEFAULT false,
  retain_handling         smallint NOT NULL DEFAULT 0 CHECK (retain_handling BETWEEN 0 AND 2),
  -- 0 = none; otherwise 1..268,435,455 [MQTT-3.8.2.1.2].
  subscription_identifier integer NOT NULL DEFAULT 0 CHECK (subscription_identifier BETWEEN 0 AND 268435455),
  created_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_key, filter_key)
);
