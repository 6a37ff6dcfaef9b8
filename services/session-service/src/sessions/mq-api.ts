// MQ API sessions (docs/json-api.md, createMqApiSession): sessions of programs and browsers that
// use the JSON API instead of MQTT. They live in the sessions table beside MQTT sessions (one
// client-name space), with session_type 'mqApi' and the creating account as owner. A CONNECT with
// such a name is refused unless MQFLEET_MQTT_MAY_USE_MQ_API_NAMES says otherwise (store.ts open,
// connect-batch.ts).
import { randomUUID } from 'node:crypto';
import {
  applyPatch,
  DEFAULT_SETTINGS,
  MqfleetError,
  parseClientName,
  patchFields,
  statusName,
  validatePatch,
} from '@mqfleet/core';
import type { SessionPatch__Output, Session__Output } from '@mqfleet/proto';
import { checkPatchFits, type StoreLimits } from '../bus-fit';
import { inTransaction, type Db } from '../db';
import { enqueue, type EventSink } from '../outbox/writer';
import { clientKey, MQ_API_SESSION_TYPE, rowToSession, type SessionRow } from './rows';
import { audit } from './store';

/** Prefix of the names generated for an MQ API session created without one. */
export const GENERATED_NAME_PREFIX = 'mqapi-';

/**
 * Creates an MQ API session: permanent by default (keep alive 0, never expires, as FairCom
 * describes it), the patch on top (its label already resolved to an id: labels.ts
 * resolveSessionLabel). The settings it sets are pinned, as an administrator's alteration pins
 * them. A name that any session holds is refused with ALREADY_EXISTS (12020); "" gets a generated
 * one. A temporary session starts its expiry clock at creation (disconnected_at = now).
 */
export async function createMqApiSession(
  db: Db,
  sink: EventSink,
  limits: StoreLimits,
  request: { clientName: string; patch: SessionPatch__Output | null },
  owner: string,
): Promise<Session__Output> {
  const patch = request.patch ?? {};
  validatePatch(patch);
  checkPatchFits(patch, limits);
  const clientName =
    request.clientName === '' ? `${GENERATED_NAME_PREFIX}${randomUUID()}` : request.clientName;
  parseClientName(clientName);
  // The defaults are a permanent session's: temporarySession false, keep alive 0, never expires.
  const { settings, changes } = applyPatch(DEFAULT_SETTINGS, patch);
  const pinned = patchFields(patch).filter((f) => f !== 'sessionStatus');
  return inTransaction(db, async (tx) => {
    const { rows } = await tx.query<SessionRow>(
      `INSERT INTO sessions (client_key, client_name, session_type, owner, session_status, settings, pinned,
                             disconnected_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (client_key) DO NOTHING RETURNING *`,
      [
        clientKey(clientName),
        clientName,
        MQ_API_SESSION_TYPE,
        owner,
        statusName(settings.sessionStatus),
        JSON.stringify(settings),
        pinned,
      ],
    );
    if (rows.length === 0) {
      throw new MqfleetError(
        'ALREADY_EXISTS',
        `a session named "${clientName.slice(0, 200)}" exists (MQTT and MQ API sessions share one name space)`,
        'clientName',
      );
    }
    const session = rowToSession(rows[0]!);
    await audit(tx, session, owner, 'create', changes);
    await enqueue(tx, sink, 'created', session, owner);
    return session;
  });
}

/**
 * MQ API sessions acting as themselves (they published): each is "connectedTemporarily" for 1.5 ×
 * its keep alive from its last action (rows.ts activeRecently), and a temporary one expires its
 * sessionExpiryInterval after that window (disconnected_at marks the window's end; keep alive 0
 * has no end, so it does not expire while it keeps that setting). No version, no event: as for
 * health, activity is not a change of the session. Written at most once a second per session: a
 * write per published message made Postgres the bottleneck of bench/mq-api-publish.ts.
 */
export class Activity {
  private readonly written = new Map<string, number>();

  constructor(private readonly db: Db) {}

  async note(clientName: string, now = Date.now()): Promise<void> {
    if (now - (this.written.get(clientName) ?? 0) < ACTIVITY_WRITE_MS) return;
    if (this.written.size >= MAX_REMEMBERED) this.written.clear();
    this.written.set(clientName, now);
    await this.db.query(
      `UPDATE sessions SET last_active_at = now(),
              disconnected_at = CASE WHEN coalesce((settings ->> 'keepAliveSeconds')::int, 0) = 0 THEN NULL
                                     ELSE now() + make_interval(secs => 1.5 * (settings ->> 'keepAliveSeconds')::int) END
        WHERE client_key = $1 AND session_type = $2`,
      [clientKey(clientName), MQ_API_SESSION_TYPE],
    );
  }
}

/** How often one session's activity is written at most (a keep alive of 1 s still shows it). */
const ACTIVITY_WRITE_MS = 500;
/** Sessions whose last write is remembered; beyond it the memory starts again. */
const MAX_REMEMBERED = 10_000;

/** What publishing as a session needs to know of it (one small query, no subscriptions). */
export interface Publisher {
  type: string;
  status: string;
  owner: string | null;
  username: string | null;
  userProperties: [string, string][];
}

export async function publisherOf(db: Db, clientName: string): Promise<Publisher | undefined> {
  const { rows } = await db.query<{
    session_type: string;
    session_status: string;
    owner: string | null;
    username: string | null;
    user_properties: { key: string; value: string }[] | null;
  }>(
    `SELECT session_type, session_status, owner, username, settings -> 'userProperties' AS user_properties
       FROM sessions WHERE client_key = $1`,
    [clientKey(clientName)],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    type: row.session_type,
    status: row.session_status,
    owner: row.owner,
    username: row.username,
    userProperties: (row.user_properties ?? []).map((p) => [p.key, p.value]),
  };
}

/** The shared subscriptions ($share/<group>/<filter>) of a session: its reads take their copies too. */
export async function sharedFiltersOf(db: Db, clientName: string): Promise<string[]> {
  const { rows } = await db.query<{ topic_filter: string }>(
    `SELECT topic_filter FROM session_subscriptions
      WHERE client_key = $1 AND starts_with(topic_filter, '$share/') ORDER BY topic_filter`,
    [clientKey(clientName)],
  );
  return rows.map((r) => r.topic_filter);
}
