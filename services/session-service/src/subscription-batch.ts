// Subscription changes of gateways in groups (group commit, as connect-batch.ts does for opens
// and closes). A gateway stores its clients' SUBSCRIBE/UNSUBSCRIBE behind their SUBACK
// (connection-gateway writer.ts); one transaction each made a fleet that subscribes at once wait
// on Postgres one commit at a time: in the persistent connect benchmark, 200 clients subscribing
// right after their CONNACK saw their changes land 0.3 to 1.3 s later, and the opens of the next
// CONNECTs queued behind them for the pool.
import type { ChangeSubscriptionsRequest__Output, Subscription__Output } from '@mqfleet/proto';
import { MqfleetError, type FieldChange } from '@mqfleet/core';
import { KeyedBatcher, ONE_BY_ONE } from './connect-batch';
import type { Db, Tx } from './db';
import {
  clientKey,
  filterKey,
  loadSubscriptions,
  planSubscriptionChange,
  rowToSession,
  upsertSubscriptions,
  type SessionRow,
  type SessionStore,
  type SubscriptionChange,
  type SubscriptionPlan,
} from './sessions';
import { enqueueMany, eventFor, type OutboxEvent } from './outbox/writer';

/** A gateway's subscription change, with the gateway it comes from (the actor of its event). */
export interface GatewayChange {
  req: ChangeSubscriptionsRequest__Output;
  gatewayId: string;
}

/** Stores gateways' subscription changes in groups (changeMany below). */
export function subscriptionBatcher(
  db: Db,
  store: SessionStore,
): KeyedBatcher<GatewayChange, SubscriptionChange> {
  return new KeyedBatcher(
    db,
    ({ req }) => clientKey(req.clientName).toString('hex'),
    (tx, changes) => changeMany(tx, store, changes),
    ({ req, gatewayId }) => store.changeSubscriptions(req, `gateway:${gatewayId}`, false),
    // Two at a time, like opens: nobody waits for them (the SUBACK went out before), but a change
    // queued behind a batch's commit lands after an administrator's read of the session made in
    // the meantime (e2e subscriptions.test.ts, one at a time: the client's own subscription was
    // missing from subscribeToMq's answer in one CI run).
  );
}

/**
 * The changes of a batch (distinct client ids) in the caller's transaction, by the rules of
 * SessionStore.changeSubscriptions, in a fixed number of statements: lock the rows (in key order,
 * as the open and close batches lock theirs), read their subscriptions, delete, upsert, bump the
 * versions, write the events. A change that would be refused (not valid, its session gone or held
 * by another connection) is left to the single call (ONE_BY_ONE), which refuses it with its own
 * error; nothing of it is written here.
 */
async function changeMany(
  tx: Tx,
  store: SessionStore,
  changes: GatewayChange[],
): Promise<(SubscriptionChange | typeof ONE_BY_ONE)[]> {
  const keys = changes.map(({ req }) => clientKey(req.clientName));
  const { rows } = await tx.query<SessionRow>(
    'SELECT * FROM sessions WHERE client_key = ANY($1) ORDER BY client_key FOR UPDATE',
    [keys],
  );
  const byHex = new Map(rows.map((row) => [row.client_key.toString('hex'), row]));
  const stored = await loadSubscriptions(
    tx,
    rows.map((row) => row.client_key),
  );
  const results: (SubscriptionChange | typeof ONE_BY_ONE)[] = [];
  const changed: { i: number; before: Subscription__Output[]; plan: SubscriptionPlan }[] = [];
  const deleteKeys: Buffer[] = [];
  const deleteFilters: Buffer[] = [];
  const upsertKeys: Buffer[] = [];
  const upserts: Subscription__Output[] = [];
  for (const [i, { req }] of changes.entries()) {
    const hex = keys[i]!.toString('hex');
    const existing = byHex.get(hex);
    const before = stored.get(hex) ?? [];
    let plan: SubscriptionPlan;
    try {
      plan = planSubscriptionChange(req, store.subscriptionsAdded(req, false), existing, before);
    } catch (err) {
      if (!(err instanceof MqfleetError)) throw err;
      results.push(ONE_BY_ONE);
      continue;
    }
    if (!plan.changed) {
      results.push({ session: rowToSession(existing!, before), changed: false });
      continue;
    }
    results.push(ONE_BY_ONE); // replaced below
    changed.push({ i, before, plan });
    for (const filter of plan.deletes) {
      deleteKeys.push(keys[i]!);
      deleteFilters.push(filterKey(filter));
    }
    for (const sub of plan.upserts) {
      upsertKeys.push(keys[i]!);
      upserts.push(sub);
    }
  }
  if (changed.length === 0) return results;
  if (deleteKeys.length > 0) {
    await tx.query(
      `DELETE FROM session_subscriptions d
        USING unnest($1::bytea[], $2::bytea[]) AS x(client_key, filter_key)
        WHERE d.client_key = x.client_key AND d.filter_key = x.filter_key`,
      [deleteKeys, deleteFilters],
    );
  }
  await upsertSubscriptions(tx, upsertKeys, upserts);
  const { rows: bumped } = await tx.query<SessionRow>(
    `UPDATE sessions s SET version = s.version + 1, updated_at = now()
       FROM unnest($1::bytea[]) AS x(client_key)
      WHERE s.client_key = x.client_key RETURNING s.*`,
    [changed.map(({ i }) => keys[i]!)],
  );
  const after = new Map(bumped.map((row) => [row.client_key.toString('hex'), row]));
  const events: OutboxEvent[] = [];
  for (const { i, before, plan } of changed) {
    const session = rowToSession(after.get(keys[i]!.toString('hex'))!, plan.after);
    results[i] = { session, changed: true };
    const fieldChanges: Record<string, FieldChange> = { subscriptions: { before, after: plan.after } };
    events.push(
      eventFor(store.subjects, 'altered', session, `gateway:${changes[i]!.gatewayId}`, fieldChanges),
    );
  }
  await enqueueMany(tx, store, events);
  return results;
}
