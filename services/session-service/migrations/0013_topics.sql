-- Topics seen (docs/json-api.md, listTopics and describeTopics): every topic a message was
-- published to, as the connection-gateways report their counts (core subjects topicReport). At
-- most MQFLEET_MAX_TOPICS rows: topics beyond it are not recorded. A topic name can be 65,535
-- bytes, more than a btree entry holds, so the key is its SHA-256 digest; names sort by their
-- first 512 characters in byte order, as client names do (0004), with the key breaking ties.
-- IF NOT EXISTS: the file may be renumbered when branches merge, and then runs once more.
CREATE TABLE IF NOT EXISTS topics (
  topic_key       bytea PRIMARY KEY,
  name            text NOT NULL,
  -- When a gateway received the first message recorded for the topic.
  created_at      timestamptz NOT NULL,
  last_message_at timestamptz NOT NULL,
  message_count   bigint NOT NULL DEFAULT 0 CHECK (message_count >= 0)
-- Every report updates the counts of its topics (no indexed column): room on each page keeps those
-- updates HOT, as 0009 does for sessions.
) WITH (fillfactor = 70);
CREATE INDEX IF NOT EXISTS topics_by_name ON topics ((left(name, 512) COLLATE "C"), topic_key);
