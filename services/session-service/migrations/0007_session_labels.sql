-- A session's label refers to a row of labels (docs/json-api.md: "label" names an existing label by
-- group + name, "labelId" by id). The session stores only the id, in settings.labelId (0 = none),
-- so renaming a label shows at once on every session that carries it. label_id is that id as a
-- real column: the foreign key refuses deleting a label in use (changeLabels reports 12026) and
-- never lets a session point at a label that is gone; the index serves the listMqSessions filter.

-- Free-text labels set before this migration become labels (the ones that do not exist yet).
INSERT INTO labels ("group", name)
SELECT DISTINCT coalesce(settings ->> 'labelGroup', ''), settings ->> 'labelName'
  FROM sessions
 WHERE coalesce(settings ->> 'labelName', '') <> ''
ON CONFLICT ("group", name) DO NOTHING;

UPDATE sessions
   SET settings = (settings - 'labelGroup' - 'labelName') || jsonb_build_object('labelId', coalesce(
         (SELECT l.id FROM labels l
           WHERE l."group" = coalesce(sessions.settings ->> 'labelGroup', '')
             AND l.name = sessions.settings ->> 'labelName'), 0))
 WHERE settings ? 'labelGroup' OR settings ? 'labelName';

DROP INDEX IF EXISTS sessions_by_label;

ALTER TABLE sessions
  ADD COLUMN label_id integer
    GENERATED ALWAYS AS (nullif((settings ->> 'labelId')::integer, 0)) STORED
    REFERENCES labels (id);

CREATE INDEX sessions_by_label ON sessions (label_id, client_key) WHERE label_id IS NOT NULL;
