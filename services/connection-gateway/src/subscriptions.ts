// Subscriptions belong to the session, which the session-service stores (README, Architecture: it
// owns subscriptions). A connection keeps a local table of them for matching, and that table follows
// the session's stored list: the gateway changes the list through ChangeSubscriptions (the
// client's SUBSCRIBE/UNSUBSCRIBE) and every newer session state (CONNACK of a resumed session,
// events, reconciliation) brings the table and the NATS interest in line with it.
import type { Subscription, Subscription__Output } from '@mqfleet/proto';
import { topicMatches } from '@mqfleet/core';
import type { QoS } from './message';
import { isShared } from './shared';

/** Highest QoS granted on a subscription: every QoS is delivered [MQTT-4.3]. */
export const MAX_GRANTED_QOS: QoS = 2;

export interface SubscriptionOptions {
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
  identifier?: number;
}

/** A stored subscription as the connection uses it (QoS clamped to 0..MAX_GRANTED_QOS). */
export function optionsOf(stored: Subscription__Output): SubscriptionOptions {
  return {
    qos: Math.min(Math.max(stored.qos, 0), MAX_GRANTED_QOS) as QoS,
    noLocal: stored.noLocal,
    retainAsPublished: stored.retainAsPublished,
    retainHandling: stored.retainHandling,
    ...(stored.subscriptionIdentifier > 0 ? { identifier: stored.subscriptionIdentifier } : {}),
  };
}

export function toStored(topicFilter: string, options: SubscriptionOptions): Subscription {
  return {
    topicFilter,
    qos: options.qos,
    noLocal: options.noLocal,
    retainAsPublished: options.retainAsPublished,
    retainHandling: options.retainHandling,
    subscriptionIdentifier: options.identifier ?? 0,
  };
}

export const sameOptions = (a: SubscriptionOptions, b: SubscriptionOptions): boolean =>
  a.qos === b.qos &&
  a.noLocal === b.noLocal &&
  a.retainAsPublished === b.retainAsPublished &&
  a.retainHandling === b.retainHandling &&
  a.identifier === b.identifier;

/** How a message is delivered to one session: the union of its matching subscriptions. */
export interface Match {
  /** min(highest matching subscription QoS, message QoS) [MQTT-3.8.4-8, MQTT-4.3]. */
  qos: QoS;
  /** RETAIN flag of the delivery: 0 unless Retain As Published [MQTT-3.3.1-12, MQTT-3.3.1-13]. */
  retain: boolean;
  /** Identifiers of every matching subscription that has one [MQTT-3.3.4-3]. */
  subscriptionIds: number[];
}

/**
 * The delivery of a message to a session holding these subscriptions, or undefined when none
 * matches. One copy, whatever the number of overlapping subscriptions [MQTT-3.3.4-2].
 * `fromSelf`: the message was published by this same connection (No Local [MQTT-3.8.3-3]).
 */
export function match(
  subscriptions: ReadonlyMap<string, SubscriptionOptions>,
  topic: string,
  messageQos: QoS,
  messageRetain: boolean,
  fromSelf: boolean,
): Match | undefined {
  let qos = -1;
  let retainAsPublished = false;
  const subscriptionIds: number[] = [];
  for (const [filter, sub] of subscriptions) {
    // Shared subscriptions get their messages one member at a time (shared.ts).
    if (isShared(filter) || !topicMatches(filter, topic)) continue;
    // No Local: not to the connection that published it [MQTT-3.8.3-3].
    if (sub.noLocal && fromSelf) continue;
    qos = Math.max(qos, sub.qos);
    retainAsPublished ||= sub.retainAsPublished;
    if (sub.identifier !== undefined) subscriptionIds.push(sub.identifier);
  }
  if (qos < 0) return undefined;
  return {
    qos: Math.min(qos, messageQos) as QoS,
    retain: retainAsPublished && messageRetain,
    subscriptionIds,
  };
}
