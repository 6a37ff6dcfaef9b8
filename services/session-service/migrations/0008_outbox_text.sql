-- The outbox payload is published byte for byte and never queried: text spares Postgres parsing
-- every event into jsonb on insert and the relay turning it back into text to publish it.
ALTER TABLE outbox ALTER COLUMN payload TYPE text USING payload::text;
