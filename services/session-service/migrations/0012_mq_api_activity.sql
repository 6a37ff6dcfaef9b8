-- When an MQ API session last acted as itself (publishMessagesToMq): it counts as
-- "connectedTemporarily" for 1.5 × its keep alive after that (docs/json-api.md). NULL: never, or
-- an MQTT session.
ALTER TABLE sessions ADD COLUMN last_active_at timestamptz;
