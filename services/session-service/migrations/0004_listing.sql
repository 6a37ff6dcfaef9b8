-- Indexes for listMqSessions: each sort is (key, client_key) so keyset paging walks an index.
-- Client names sort by their first 512 characters in byte order (a btree entry cannot hold a
-- 65,535-byte name); client_key breaks ties.
CREATE INDEX sessions_by_name ON sessions ((left(client_name, 512) COLLATE "C"), client_key);
CREATE INDEX sessions_by_connect ON sessions ((coalesce(connected_at, '-infinity'::timestamptz)), client_key);
CREATE INDEX sessions_by_disconnect ON sessions ((coalesce(disconnected_at, '-infinity'::timestamptz)), client_key);
CREATE INDEX sessions_by_ip ON sessions ((coalesce(ip_address, '') COLLATE "C"), client_key);
CREATE INDEX sessions_by_label ON sessions ((settings ->> 'labelGroup'), (settings ->> 'labelName'));
