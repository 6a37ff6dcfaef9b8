// A session's stored subscriptions: reading them, checking a change, planning and writing it
// (SessionStore.changeSubscriptions, subscription-batch.ts).
import { MAX_SUBSCRIPTION_IDENTIFIER, invalidValue, notFound, topicFilterProblem } from '@mqfleet/core';
import type {
  Session__Output,
  ChangeSubscriptionsRequest__Output,
  Subscription__Output,
} from '@mqfleet/proto';
import { type Db, type Tx } from '../db';
import { SessionRow, filterKey, truncate } from './rows';

export interface SubscriptionRow {
  client_key: Buffer;
  topic_filter: string;
  qos: number;
  no_local: boolean;
  retain_as_published: boolean;
  retain_handling: number;
  subscription_identifier: number;
}

export const byFilter = (a: Subscription__Output, b: Subscription__Output): number =>
  a.topicFilter < b.topicFilter ? -1 : a.topicFilter > b.topicFilter ? 1 : 0;

/** The subscriptions of many sessions in one query, by client_key (hex), each list by filter. */
export async function loadSubscriptions(
  q: Db | Tx,
  keys: Buffer[],
): Promise<Map<string, Subscription__Output[]>> {
  const out = new Map<string, Subscription__Output[]>();
  if (keys.length === 0) return out;
  const { rows } = await q.query<SubscriptionRow>(
    `SELECT client_key, topic_filter, qos, no_local, retain_as_published, retain_handling, subscription_identifier
       FROM session_subscriptions WHERE client_key = ANY($1)`,
    [keys],
  );
  for (const r of rows) {
    const key = r.client_key.toString('hex');
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push({
      topicFilter: r.topic_filter,
      qos: r.qos,
      noLocal: r.no_local,
      retainAsPublished: r.retain_as_published,
      retainHandling: r.retain_handling,
      subscriptionIdentifier: r.subscription_identifier,
    });
  }
  for (const list of out.values()) list.sort(byFilter);
  return out;
}

/** What a subscription change stored: the session after it, and whether anything changed. */
export interface SubscriptionChange {
  session: Session__Output;
  changed: boolean;
  /**
   * Added subscriptions whose retained messages are due: Retain Handling 0, or 1 for a filter the
   * session did not have (used for MQ API sessions, whose gateway-side delivery is mq-api-messages.ts).
   */
  retainedFor?: Subscription__Output[];
}

/** Checks one subscription of a ChangeSubscriptions request; returns it normalised. */
export function validSubscription(sub: Subscription__Output, property: string): Subscription__Output {
  const problem = topicFilterProblem(sub.topicFilter ?? '');
  if (problem) throw invalidValue(`${property}.topicFilter`, `a valid topic filter (${problem})`);
  if (!Number.isInteger(sub.qos) || sub.qos < 0 || sub.qos > 2)
    throw invalidValue(`${property}.qos`, '0, 1 or 2', sub.qos);
  if (!Number.isInteger(sub.retainHandling) || sub.retainHandling < 0 || sub.retainHandling > 2)
    throw invalidValue(`${property}.retainHandling`, '0, 1 or 2', sub.retainHandling);
  const id = sub.subscriptionIdentifier;
  if (!Number.isInteger(id) || id < 0 || id > MAX_SUBSCRIPTION_IDENTIFIER)
    throw invalidValue(
      `${property}.subscriptionIdentifier`,
      `0 (none) or an integer from 1 to ${MAX_SUBSCRIPTION_IDENTIFIER}`,
      id,
    );
  return {
    topicFilter: sub.topicFilter,
    qos: sub.qos,
    noLocal: sub.noLocal === true,
    retainAsPublished: sub.retainAsPublished === true,
    retainHandling: sub.retainHandling,
    subscriptionIdentifier: id,
  };
}

export const sameSubscription = (a: Subscription__Output, b: Subscription__Output): boolean =>
  a.topicFilter === b.topicFilter &&
  a.qos === b.qos &&
  a.noLocal === b.noLocal &&
  a.retainAsPublished === b.retainAsPublished &&
  a.retainHandling === b.retainHandling &&
  a.subscriptionIdentifier === b.subscriptionIdentifier;

/** What a subscription change does to a session's stored list. */
export interface SubscriptionPlan {
  after: Subscription__Output[];
  /** Added or replaced subscriptions. */
  upserts: Subscription__Output[];
  /** Topic filters removed. */
  deletes: string[];
  changed: boolean;
}

/**
 * Plans a subscription change on a locked session row and its stored subscriptions (`before`):
 * add first, then remove. Refused (NOT_FOUND) when the session is gone or, for a gateway's call,
 * no longer held by the connection it names.
 */
export function planSubscriptionChange(
  req: ChangeSubscriptionsRequest__Output,
  add: Subscription__Output[],
  existing: SessionRow | undefined,
  before: Subscription__Output[],
): SubscriptionPlan {
  if (!existing) throw notFound(`session "${truncate(req.clientName)}"`);
  if (
    req.connectionId &&
    (existing.connection_id !== req.connectionId || existing.connection_status !== 'connected')
  ) {
    throw notFound(`connection "${req.connectionId}" of session "${truncate(req.clientName)}"`);
  }
  const next = new Map(before.map((sub) => [sub.topicFilter, sub]));
  for (const sub of add) next.set(sub.topicFilter, sub);
  for (const filter of req.remove) next.delete(filter);
  const after = [...next.values()].sort(byFilter);
  const oldByFilter = new Map(before.map((sub) => [sub.topicFilter, sub]));
  const upserts = after.filter((sub) => {
    const old = oldByFilter.get(sub.topicFilter);
    return !old || !sameSubscription(old, sub);
  });
  const deletes = before.filter((sub) => !next.has(sub.topicFilter)).map((sub) => sub.topicFilter);
  return { after, upserts, deletes, changed: upserts.length > 0 || deletes.length > 0 };
}

/** Inserts or replaces subscriptions (`keys[i]`: the session of `subs[i]`). */
export async function upsertSubscriptions(
  tx: Tx,
  keys: Buffer[],
  subs: Subscription__Output[],
): Promise<void> {
  if (subs.length === 0) return;
  await tx.query(
    `INSERT INTO session_subscriptions (client_key, filter_key, topic_filter, qos, no_local,
                                        retain_as_published, retain_handling, subscription_identifier)
     SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::text[], $4::smallint[], $5::bool[], $6::bool[],
                          $7::smallint[], $8::integer[])
     ON CONFLICT (client_key, filter_key) DO UPDATE SET
       qos = EXCLUDED.qos, no_local = EXCLUDED.no_local,
       retain_as_published = EXCLUDED.retain_as_published,
       retain_handling = EXCLUDED.retain_handling,
       subscription_identifier = EXCLUDED.subscription_identifier`,
    [
      keys,
      subs.map((sub) => filterKey(sub.topicFilter)),
      subs.map((sub) => sub.topicFilter),
      subs.map((sub) => sub.qos),
      subs.map((sub) => sub.noLocal),
      subs.map((sub) => sub.retainAsPublished),
      subs.map((sub) => sub.retainHandling),
      subs.map((sub) => sub.subscriptionIdentifier),
    ],
  );
}

/** A session's subscriptions as a JSON array (Subscription fields), in a SELECT of sessions s. */
export const SUBSCRIPTIONS_JSON = `(SELECT json_agg(json_build_object('topicFilter', ss.topic_filter, 'qos', ss.qos,
    'noLocal', ss.no_local, 'retainAsPublished', ss.retain_as_published,
    'retainHandling', ss.retain_handling, 'subscriptionIdentifier', ss.subscription_identifier))
    FROM session_subscriptions ss WHERE ss.client_key = s.client_key)`;
