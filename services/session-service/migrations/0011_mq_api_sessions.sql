-- MQ API sessions (docs/json-api.md, createMqApiSession): programs and browsers that use the JSON
-- API instead of MQTT. They share the sessions table, and so the client-name space, with MQTT
-- sessions; session_type tells them apart and owner is the account that created one (NULL for
-- sessions a CONNECT made).
ALTER TABLE sessions ADD COLUMN owner text;
ALTER TABLE sessions ADD CONSTRAINT sessions_session_type CHECK (session_type IN ('mqtt', 'mqApi'));
