-- Client ids belong to someone (docs/mqtt.md, "Client ids belong to someone"): an MQTT session
-- remembers the user name that created it, as its account key (lower case; '' for an anonymous
-- client). A CONNECT with another user name does not inherit it (MQFLEET_CLIENT_ID_OWNERSHIP).
-- MQ API sessions keep their owner in `owner` (0011) and leave this NULL.
ALTER TABLE sessions ADD COLUMN mqtt_owner text;

-- Sessions stored before this migration belong to the user name of their last connection, the
-- best knowledge there is of who made them.
UPDATE sessions SET mqtt_owner = lower(coalesce(username, '')) WHERE session_type = 'mqtt';
