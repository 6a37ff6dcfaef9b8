// SQL for session filters (listMqSessions, bulk alteration) and keyset paging.
import {
  invalidValue,
  MAX_LABEL_BYTES,
  MAX_LABEL_ID,
  SESSION_STATUS_NAMES,
  SESSION_TYPES,
} from '@mqfleet/core';
import type { ListSessionsRequest__Output, SessionFilter__Output } from '@mqfleet/proto';

export const DEFAULT_MAX_RECORDS = 1000;
export const MAX_MAX_RECORDS = 10000;

const CONNECTION_STATUSES = ['connected', 'connectedTemporarily', 'disconnected'];
/** An MQ API session that acted within 1.5 × its keep alive (rows.ts activeRecently). */
export const ACTIVE_RECENTLY = `(session_type = 'mqApi' AND last_active_at IS NOT NULL AND (
  coalesce((settings ->> 'keepAliveSeconds')::int, 0) = 0
  OR last_active_at + make_interval(secs => 1.5 * (settings ->> 'keepAliveSeconds')::int) > now()))`;
/** connectionStatusFilter values as SQL. */
const CONNECTION_CONDITIONS: Record<string, string> = {
  connected: `connection_status = 'connected'`,
  connectedTemporarily: `(connection_status = 'disconnected' AND ${ACTIVE_RECENTLY})`,
  disconnected: `(connection_status = 'disconnected' AND NOT ${ACTIVE_RECENTLY})`,
};
const HEALTH_VALUES = ['healthy', 'unhealthy', 'offline'];
/** A session without health thresholds: all five are 0 (or absent from the stored settings). */
export const NO_THRESHOLDS = `(${[
  'minHealthySendRatePerMinute',
  'maxHealthySendRatePerMinute',
  'maxHealthyBacklogRatePerMinute',
  'minHealthySubscribedTopicFiltersCount',
  'maxHealthySubscribedTopicFiltersCount',
]
  .map((f) => `coalesce((settings ->> '${f}')::float8, 0) = 0`)
  .join(' AND ')})`;

/**
 * The sort keys: SQL expression (matching an index of (key, client_key), so that keyset paging
 * walks it: the 0004 indexes, and 0006's sessions_by_health) and the cast a cursor value needs.
 * A sort without such an index would read and sort every matching row for each page; one with a
 * new index would cost every connect and disconnect a write to it.
 */
const SORTS = {
  clientName: { expr: `(left(client_name, 512) COLLATE "C")`, cast: 'text' },
  lastConnect: { expr: `coalesce(connected_at, '-infinity'::timestamptz)`, cast: 'timestamptz' },
  lastDisconnect: { expr: `coalesce(disconnected_at, '-infinity'::timestamptz)`, cast: 'timestamptz' },
  ipAddress: { expr: `(coalesce(ip_address, '') COLLATE "C")`, cast: 'text' },
  // Our extension: healthy < offline < unhealthy, so descending puts the unhealthy first.
  sessionHealth: { expr: `health`, cast: 'text' },
} as const;
export type SortKey = keyof typeof SORTS;

export class Sql {
  readonly params: unknown[] = [];
  readonly where: string[] = [];
  add(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

function oneOf(property: string, values: string[], allowed: string[]): string[] {
  for (const v of values) {
    if (!allowed.includes(v))
      throw invalidValue(property, `a list of ${allowed.map((a) => `"${a}"`).join(', ')}`, v);
  }
  return values;
}

const likePrefix = (text: string): string => `${text.slice(0, 512).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Adds the filter's conditions to sql.where. Hidden sessions only when asked for by status. */
export function applyFilter(sql: Sql, filter: SessionFilter__Output | null | undefined): void {
  const f = filter ?? ({} as Partial<SessionFilter__Output>);
  if (f.partialClientName) {
    sql.where.push(`(left(client_name, 512) COLLATE "C") LIKE ${sql.add(likePrefix(f.partialClientName))}`);
    if (f.partialClientName.length > 512)
      sql.where.push(`starts_with(client_name, ${sql.add(f.partialClientName)})`);
  }
  const connection = oneOf('connectionStatusFilter', f.connectionStatusFilter ?? [], CONNECTION_STATUSES);
  if (connection.length) sql.where.push(`(${connection.map((c) => CONNECTION_CONDITIONS[c]).join(' OR ')})`);
  const statuses = oneOf('sessionStatusFilter', f.sessionStatusFilter ?? [], [...SESSION_STATUS_NAMES]);
  sql.where.push(
    statuses.length ? `session_status = ANY(${sql.add(statuses)})` : `session_status <> 'hidden'`,
  );
  const types = oneOf('sessionTypeFilter', f.sessionTypeFilter ?? [], [...SESSION_TYPES]);
  if (types.length) sql.where.push(`session_type = ANY(${sql.add(types)})`);
  const health = oneOf('healthFilter', f.healthFilter ?? [], HEALTH_VALUES);
  if (health.length) {
    // health is kept 'offline' whenever the session is not connected (0006_health.sql).
    const matches = `health = ANY(${sql.add(health)})`;
    sql.where.push(f.unsetHealthMeasures ? `(${matches} OR ${NO_THRESHOLDS})` : matches);
  }
  // The label (0007_session_labels.sql: sessions.label_id references labels.id). A label that does
  // not exist matches no session.
  const group = f.labelGroup ?? undefined;
  const name = f.labelName ?? undefined;
  const labelId = f.labelId ?? undefined;
  if (labelId !== undefined) {
    if (name !== undefined || group !== undefined) {
      throw invalidValue('labelId', 'absent when "label" is given (name the label one way)');
    }
    if (!Number.isInteger(labelId) || labelId < 0 || labelId > MAX_LABEL_ID) {
      throw invalidValue('labelId', `an integer from 0 to ${MAX_LABEL_ID}`, labelId);
    }
    sql.where.push(`label_id = ${sql.add(labelId)}`);
  } else if (name !== undefined) {
    if (Buffer.byteLength(name) > MAX_LABEL_BYTES || Buffer.byteLength(group ?? '') > MAX_LABEL_BYTES) {
      throw invalidValue('label', 'a group and name of at most 64 bytes each');
    }
    sql.where.push(
      `label_id = (SELECT id FROM labels WHERE "group" = ${sql.add(group ?? '')} AND name = ${sql.add(name)})`,
    );
  } else if (group !== undefined) {
    throw invalidValue('label.name', 'given with the label group');
  }
}

interface Cursor {
  s: SortKey;
  d: boolean;
  v: string;
  k: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string, sort: SortKey, descending: boolean): Cursor {
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw invalidValue('cursor', 'a cursor returned by a previous page');
  }
  if (c.s !== sort || c.d !== descending || typeof c.v !== 'string' || typeof c.k !== 'string') {
    throw invalidValue('cursor', 'a cursor of the same sort order as this request');
  }
  return c;
}

export interface ListQuery {
  text: string;
  params: unknown[];
  sort: SortKey;
  descending: boolean;
  limit: number;
}

/**
 * What a listed session is built from (rowToSession), not `*`: a page reads up to 10,001 rows
 * and parsing columns nobody uses (pinned, an array; label_id) is time spent per row.
 * `subscribed` tells which rows need their subscriptions loaded (most sessions of a page may
 * have none, and the lookup of 1,000 keys was a round trip of its own).
 */
/** The timestamps of a listed session, each read as isoText gives it. */
export const LISTED_TIMESTAMPS = [
  'connected_at',
  'last_active_at',
  'disconnected_at',
  'last_failed_at',
  'created_at',
  'updated_at',
] as const;

/**
 * A timestamp as the ISO text a session carries (Date#toISOString: UTC, milliseconds truncated),
 * formatted by Postgres: parsing 5,000 timestamps per page in JavaScript (a regular expression
 * and string building each) was a third of the memory a listing allocated, and to_char costs
 * Postgres what sending the plain text does. Years outside 1-9999 (toISOString writes them
 * differently), infinity and NULL come as before (the timestamp's text; SessionStore.list
 * converts any value that is not ISO text already).
 */
const isoText = (column: string): string =>
  `CASE WHEN ${column} >= '0001-01-01 00:00:00+00' AND ${column} < '10000-01-01 00:00:00+00'
     THEN to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
     ELSE ${column}::text END AS ${column}`;

const LISTED_COLUMNS = `client_key, client_name, version, session_type, session_status, settings,
  connection_status, gateway_id, connection_id, ip_address, port, mqtt_protocol, username,
  disconnection_reason, last_failed_reason, health, ${LISTED_TIMESTAMPS.map(isoText).join(', ')},
  EXISTS (SELECT 1 FROM session_subscriptions ss WHERE ss.client_key = sessions.client_key) AS subscribed`;

/** SELECT for one page; each row also has sort_key (text) for the next cursor. */
export function listQuery(req: ListSessionsRequest__Output): ListQuery {
  const sort = (req.sortBy || 'clientName') as SortKey;
  if (!Object.hasOwn(SORTS, sort)) {
    throw invalidValue(
      'sortAscending',
      '"lastConnect", "lastDisconnect", "clientName", "ipAddress" or "sessionHealth"',
      req.sortBy,
    );
  }
  const max = req.maxRecords || DEFAULT_MAX_RECORDS;
  if (max > MAX_MAX_RECORDS) throw invalidValue('maxRecords', `an integer from 1 to ${MAX_MAX_RECORDS}`, max);
  const descending = req.descending;
  const { expr, cast } = SORTS[sort];
  const sql = new Sql();
  applyFilter(sql, req.filter);
  if (req.cursor) {
    const c = decodeCursor(req.cursor, sort, descending);
    const op = descending ? '<' : '>';
    sql.where.push(
      `(${expr}, client_key) ${op} (${sql.add(c.v)}::${cast}, ${sql.add(Buffer.from(c.k, 'hex'))})`,
    );
  }
  const dir = descending ? 'DESC' : 'ASC';
  const where = sql.where.join(' AND ');
  const order = `ORDER BY ${expr} ${dir}, client_key ${dir}`;
  let text: string;
  if (req.skipRecords > 0) {
    // Skipped rows are found by their keys alone, then the page is read from the first kept row
    // on: OFFSET over the page's own SELECT built every skipped row in full (its sort_key
    // included) only to drop it, a third of the time of skipRecords 50,000. An offset past the
    // end finds no first row, so no page.
    const op = descending ? '<=' : '>=';
    text = `WITH start AS (SELECT ${expr} AS v, client_key AS k FROM sessions WHERE ${where}
                      ${order} OFFSET ${sql.add(req.skipRecords)} LIMIT 1)
      SELECT ${LISTED_COLUMNS}, (${expr})::text AS sort_key FROM sessions
       WHERE ${where} AND (${expr}, client_key) ${op} (SELECT v, k FROM start)
       ${order} LIMIT ${sql.add(max + 1)}`;
  } else {
    // One row more than asked tells whether there is a next page.
    text = `SELECT ${LISTED_COLUMNS}, (${expr})::text AS sort_key FROM sessions
      WHERE ${where} ${order} LIMIT ${sql.add(max + 1)}`;
  }
  return { text, params: sql.params, sort, descending, limit: max };
}
