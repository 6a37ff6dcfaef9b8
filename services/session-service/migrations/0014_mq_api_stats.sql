-- Statistics of MQ API sessions (docs/json-api.md, describeMqSessions includeStats): what they
-- published (publishMessagesToMq as themselves) and read (getMessagesFromMqApiSession, gRPC
-- GetMessages / Receive). Written in batches by the activity writer (sessions/mq-api.ts Activity,
-- at most about twice a second per session, never once per message), so that every
-- session-service instance reads the same numbers. Both tables go with their session.

-- Totals since the session was created.
CREATE TABLE mq_api_stats (
  client_key         bytea PRIMARY KEY REFERENCES sessions (client_key) ON DELETE CASCADE,
  published          bigint NOT NULL DEFAULT 0,
  received           bigint NOT NULL DEFAULT 0,
  first_published_at timestamptz,
  last_published_at  timestamptz,
  first_received_at  timestamptz,
  last_received_at   timestamptz
);

-- Per-minute counts (minute = the start of the minute), and the last backlog (messages kept and
-- not read) the session-service measured in that minute with its time: the rates of the last
-- minute, 10 minutes and hour, and the growth of the backlog. Rows older than two hours are
-- removed by the expiry sweep.
CREATE TABLE mq_api_stat_minutes (
  client_key bytea NOT NULL REFERENCES sessions (client_key) ON DELETE CASCADE,
  minute     timestamptz NOT NULL,
  published  integer NOT NULL DEFAULT 0,
  received   integer NOT NULL DEFAULT 0,
  backlog    bigint,
  backlog_at timestamptz,
  PRIMARY KEY (client_key, minute)
);
CREATE INDEX mq_api_stat_minutes_by_minute ON mq_api_stat_minutes (minute);

-- The MQ API sessions whose stored health is not "offline": the health sweep re-evaluates them
-- (rates change with time, the keep-alive window lapses) without reading the MQTT sessions.
CREATE INDEX sessions_mq_api_not_offline ON sessions (client_key)
  WHERE session_type = 'mqApi' AND health <> 'offline';
