// Session rows as Postgres stores them, and their conversion to the gRPC Session: keys, the
// row lock, timestamps, the rules of a close.
import { createHash } from 'node:crypto';
import {
  WILL_FIELDS,
  accountKey,
  clientDigest,
  settingsFromStored,
  statusFromName,
  type ClientIdOwnership,
  type Settings,
} from '@mqfleet/core';
import type {
  CloseSessionRequest__Output,
  OpenSessionRequest__Output,
  Session__Output,
  Subscription__Output,
} from '@mqfleet/proto';
import pg from 'pg';
import { type Db, type Tx } from '../db';
import { loadSubscriptions } from './subscriptions';

export interface SessionRow {
  client_key: Buffer;
  client_name: string;
  version: string;
  session_type: string;
  session_status: string;
  settings: Partial<Settings>;
  pinned: string[];
  connection_status: string;
  gateway_id: string | null;
  connection_id: string | null;
  ip_address: string | null;
  port: number | null;
  mqtt_protocol: string | null;
  username: string | null;
  /** The account that created an MQ API session (NULL for MQTT sessions; absent in listing rows). */
  owner?: string | null;
  /**
   * The account key (lower case) of the user name whose CONNECT created an MQTT session, '' for an
   * anonymous one (0015); NULL for MQ API sessions (their `owner`) and in listing rows.
   */
  mqtt_owner?: string | null;
  /** When an MQ API session last acted as itself (0012); NULL: never. */
  last_active_at?: Date | string | null;
  // Date, or already the ISO text in listing rows (listing.ts isoText).
  connected_at: Date | string | null;
  disconnected_at: Date | string | null;
  disconnection_reason: string | null;
  last_failed_at: Date | string | null;
  last_failed_reason: string | null;
  health: string;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The row key of a client id: its SHA-256 (shared Buffer, never changed). */
export const clientKey = (clientName: string): Buffer => clientDigest(clientName);

/**
 * Whether an MQ API session acted within 1.5 × its keep alive (keep alive 0: no timeout): it is
 * "connectedTemporarily" (docs/json-api.md). The listing filter says the same in SQL (listing.ts).
 */
export function activeRecently(
  row: Pick<SessionRow, 'session_type' | 'last_active_at'>,
  keepAliveSeconds: number,
  now = Date.now(),
): boolean {
  if (row.session_type !== MQ_API_SESSION_TYPE || !row.last_active_at) return false;
  if (keepAliveSeconds === 0) return true;
  return new Date(row.last_active_at).getTime() + keepAliveSeconds * 1500 > now;
}

/** The session_type of a session made by createMqApiSession (a CONNECT makes 'mqtt'; mq-api.ts). */
export const MQ_API_SESSION_TYPE = 'mqApi';

/** Why a CONNECT may not open a stored session, with the reason recorded as its last failure. */
export type OpenRefusal = 'banned' | 'mqApiSession' | 'notOwner';
export const OPEN_REFUSAL_REASONS: Record<OpenRefusal, string> = {
  banned: 'banned',
  mqApiSession: 'the client id names an MQ API session',
  notOwner: 'the client id belongs to another user',
};

/** The rules of the store that decide who may open a stored session (from the configuration). */
export interface OpenPolicy {
  /** MQFLEET_MQTT_MAY_USE_MQ_API_NAMES. */
  mqttMayUseMqApiNames: boolean;
  /** MQFLEET_CLIENT_ID_OWNERSHIP. */
  clientIdOwnership: ClientIdOwnership;
}

/**
 * The account key of whoever a stored session belongs to: an MQ API session's owner, or the user
 * name ('' anonymous) of the CONNECT that created an MQTT session. Undefined: nobody is recorded.
 */
function ownerKey(row: Pick<SessionRow, 'session_type' | 'owner' | 'mqtt_owner'>): string | undefined {
  if (row.session_type === MQ_API_SESSION_TYPE) return row.owner ? accountKey(row.owner) : undefined;
  return row.mqtt_owner ?? undefined;
}

/**
 * Whether a CONNECT with this user name comes from someone other than the session's owner (docs/mqtt.md,
 * "Client ids belong to someone"). User names compare as accounts do: case does not matter.
 */
export function foreignConnect(
  row: Pick<SessionRow, 'session_type' | 'owner' | 'mqtt_owner'>,
  username: string,
  policy: OpenPolicy,
): boolean {
  if (policy.clientIdOwnership === 'off') return false;
  const owner = ownerKey(row);
  return owner !== undefined && owner !== accountKey(username);
}

/**
 * Whether a CONNECT is refused the stored session: it is banned; it is an MQ API session and
 * MQFLEET_MQTT_MAY_USE_MQ_API_NAMES is false (docs/json-api.md, createMqApiSession); or it belongs
 * to another user and MQFLEET_CLIENT_ID_OWNERSHIP is `refuse` (an MQ API session of another
 * account is refused under `clean-start` too: it is that account's, not a device's).
 */
export function openRefusal(
  row: Pick<SessionRow, 'session_status' | 'session_type' | 'owner' | 'mqtt_owner'> | undefined,
  policy: OpenPolicy,
  username: string,
): OpenRefusal | undefined {
  if (!row) return undefined;
  if (row.session_status === 'banned') return 'banned';
  const mqApi = row.session_type === MQ_API_SESSION_TYPE;
  if (mqApi && !policy.mqttMayUseMqApiNames) return 'mqApiSession';
  if (foreignConnect(row, username, policy) && (mqApi || policy.clientIdOwnership === 'refuse'))
    return 'notOwner';
  return undefined;
}

/**
 * A CONNECT that opens a stored session another user created (MQFLEET_CLIENT_ID_OWNERSHIP
 * `clean-start`) gets it anew: no subscriptions, no offline queue, no will, and the settings its
 * CONNECT declares (an administrator's pinned settings were decisions about the old owner's
 * session and go too); it then belongs to the new user.
 */
export function disowned(
  row: Pick<SessionRow, 'session_type' | 'owner' | 'mqtt_owner'>,
  username: string,
  policy: OpenPolicy,
): boolean {
  return policy.clientIdOwnership === 'clean-start' && foreignConnect(row, username, policy);
}

/**
 * The mqtt_owner a session has after a CONNECT with this user name opened it: the new user's if
 * it was disowned or nobody was recorded (an MQTT session), otherwise as it was.
 */
export function ownerAfterOpen(
  row: Pick<SessionRow, 'session_type' | 'mqtt_owner'>,
  username: string,
  wasDisowned: boolean,
): string | null {
  if (row.session_type === MQ_API_SESSION_TYPE) return row.mqtt_owner ?? null;
  return wasDisowned || row.mqtt_owner == null ? accountKey(username) : row.mqtt_owner;
}

/** A topic filter can be 65,535 bytes: the table is keyed by its SHA-256 digest. */
export const filterKey = (topicFilter: string): Buffer =>
  createHash('sha256').update(topicFilter, 'utf8').digest();

/** Rows → sessions with their subscriptions (one query for all rows). */
export async function sessionsOf(q: Db | Tx, rows: SessionRow[]): Promise<Session__Output[]> {
  const subs = await loadSubscriptions(
    q,
    rows.map((r) => r.client_key),
  );
  return rows.map((r) => rowToSession(r, subs.get(r.client_key.toString('hex')) ?? []));
}

export async function sessionOf(q: Db | Tx, row: SessionRow): Promise<Session__Output> {
  return (await sessionsOf(q, [row]))[0]!;
}

export const iso = (d: Date | string | null): string =>
  d === null ? '' : typeof d === 'string' ? d : d.toISOString();

export const TIMESTAMPTZ_OID = 1184;

/** Postgres's text of a UTC timestamptz (DateStyle ISO): 2026-11-26 10:00:00.123456+00. */
export const UTC_TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamptz's text as the ISO text a session carries (what Date#toISOString gives:
 * milliseconds, truncated as pg's own parser does). Listing has Postgres format the timestamps
 * (listing.ts isoText); this converts the few it leaves as text (years outside 1-9999, infinity).
 * Text in any other form (another TimeZone, infinity) goes through pg's parser.
 */
export function isoTimestamp(text: string): string {
  const m = UTC_TIMESTAMP.exec(text);
  if (m) return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  const parsed: unknown = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text')(text);
  return parsed instanceof Date && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : '';
}

/** A row's complete settings; its status comes from the session_status column. */
export function settingsOfRow(row: Pick<SessionRow, 'settings' | 'session_status'>): Settings {
  const settings = settingsFromStored(row.settings);
  settings.sessionStatus = statusFromName(row.session_status) ?? 'SESSION_STATUS_NORMAL';
  return settings;
}

export function rowToSession(row: SessionRow, subscriptions: Subscription__Output[] = []): Session__Output {
  const settings = settingsOfRow(row);
  return {
    clientName: row.client_name,
    version: String(row.version),
    sessionType: row.session_type,
    settings,
    connection: {
      status:
        row.connection_status === 'connected'
          ? 'CONNECTION_STATUS_CONNECTED'
          : activeRecently(row, settings.keepAliveSeconds)
            ? 'CONNECTION_STATUS_CONNECTED_TEMPORARILY'
            : 'CONNECTION_STATUS_DISCONNECTED',
      gatewayId: row.gateway_id ?? '',
      connectionId: row.connection_id ?? '',
      ipAddress: row.ip_address ?? '',
      port: row.port ?? 0,
      mqttProtocol: row.mqtt_protocol ?? '',
      username: row.username ?? '',
      connectedAt: iso(row.connected_at ?? row.last_active_at ?? null),
      disconnectedAt: iso(row.disconnected_at),
      disconnectionReason: row.disconnection_reason ?? '',
      lastFailedConnectionAt: iso(row.last_failed_at),
      lastFailedConnectionReason: row.last_failed_reason ?? '',
    },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    subscriptions,
    health: row.health ?? 'offline',
    statsJson: '',
    publishedTopicsJson: '',
    owner: row.owner ?? '',
  };
}

/** Settings fields that describe the will; an administrator's will replaces the client's as a whole. */
/**
 * A stored session's settings after its client connects again: settings an administrator pinned
 * survive (a pinned will field keeps the whole will); the rest follow the CONNECT.
 */
export function settingsAtConnect(existing: SessionRow, declared: Partial<Settings>): Settings {
  const pinned = new Set(existing.pinned);
  const willPinned = WILL_FIELDS.some((f) => pinned.has(f));
  const settings = settingsFromStored(existing.settings);
  for (const [field, value] of Object.entries(declared) as [keyof Settings, unknown][]) {
    if (pinned.has(field) || (willPinned && WILL_FIELDS.includes(field))) continue;
    (settings as unknown as Record<string, unknown>)[field] = value;
  }
  return settings;
}

export async function lockRow(tx: Tx, clientName: string): Promise<SessionRow | undefined> {
  const { rows } = await tx.query<SessionRow>('SELECT * FROM sessions WHERE client_key = $1 FOR UPDATE', [
    clientKey(clientName),
  ]);
  return rows[0];
}

/**
 * A temporary session whose expiry is 0 ends with its connection. A status an administrator set
 * (banned, hidden, inactive) keeps the row: the decision and, for inactive sessions, the history
 * stay associated with the client.
 */
export function removedAtClose(existing: SessionRow, settings: Settings): boolean {
  return (
    settings.temporarySession && settings.sessionExpiryInterval === 0 && existing.session_status === 'normal'
  );
}

/** The disconnection reason a closed session records. */
export function disconnectionReason(req: CloseSessionRequest__Output): string {
  return req.reason || (req.clean ? 'client disconnected' : 'connection lost');
}

/**
 * Whether an open discards the stored subscriptions: Clean Start 1 [MQTT-3.1.2-4], or a CONNECT
 * the gateway already answered with Session Present 0 (OpenSessionRequest.answered).
 */
export function startsClean(req: OpenSessionRequest__Output): boolean {
  return req.declared!.cleanStart || req.answered;
}

export function truncate(name: string): string {
  return name.length > 64 ? `${name.slice(0, 61)}...` : name;
}
