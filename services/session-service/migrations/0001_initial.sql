-- Accounts: the JSON API's createSession and MQTT username/password both authenticate here.
-- User names are not case-sensitive (FairCom behaviour); username_key is the lower-cased key.
CREATE TABLE accounts (
  username_key  text PRIMARY KEY,
  username      text NOT NULL,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'user')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- API tokens, stored only as SHA-256 hashes of the random token.
CREATE TABLE api_tokens (
  token_hash           bytea PRIMARY KEY,
  username_key         text NOT NULL REFERENCES accounts (username_key) ON DELETE CASCADE,
  description          text NOT NULL DEFAULT '',
  idle_timeout_seconds integer NOT NULL CHECK (idle_timeout_seconds >= 0),
  created_at           timestamptz NOT NULL DEFAULT now(),
  last_used_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_username ON api_tokens (username_key);

-- MQTT sessions. A client id may be up to 65,535 bytes, more than a btree entry holds, so the
-- key is its SHA-256 digest. Every change to a row increments version.
CREATE TABLE sessions (
  client_key            bytea PRIMARY KEY,
  client_name           text NOT NULL,
  version               bigint NOT NULL DEFAULT 1,
  session_type          text NOT NULL DEFAULT 'mqtt',
  session_status        text NOT NULL DEFAULT 'normal'
                        CHECK (session_status IN ('normal', 'hidden', 'banned', 'inactive')),
  settings              jsonb NOT NULL,
  -- Settings an administrator set; a reconnecting client's CONNECT does not override them.
  pinned                text[] NOT NULL DEFAULT '{}',
  connection_status     text NOT NULL DEFAULT 'disconnected'
                        CHECK (connection_status IN ('connected', 'disconnected')),
  gateway_id            text,
  connection_id         text,
  ip_address            text,
  port                  integer,
  mqtt_protocol         text,
  username              text,
  connected_at          timestamptz,
  disconnected_at       timestamptz,
  disconnection_reason  text,
  last_failed_at        timestamptz,
  last_failed_reason    text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_gateway ON sessions (gateway_id) WHERE connection_status = 'connected';

-- Transactional outbox: a row commits with each change; the relay publishes it to JetStream
-- and deletes it. NOTIFY wakes the relay at commit.
CREATE TABLE outbox (
  id         bigserial PRIMARY KEY,
  subject    text NOT NULL,
  msg_id     text NOT NULL,
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Audit trail: who changed which fields of a session, before and after, at which version.
CREATE TABLE session_audit (
  id          bigserial PRIMARY KEY,
  client_key  bytea NOT NULL,
  client_name text NOT NULL,
  version     bigint NOT NULL,
  actor       text NOT NULL,
  action      text NOT NULL,
  changes     jsonb NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_audit_client ON session_audit (client_key, version);
