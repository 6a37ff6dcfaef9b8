// Subscriptions belong to the session, which the session-service stores (DESIGN.md: it owns
// subscriptions). A connection keeps a local table of them for matching, and that table follows
// the session's stored list: the gateway changes the list through ChangeSubscriptions (the
// client's SUBSCRIBE/UNSUBSCRIBE) and every newer session state (CONNACK of a resumed session,
// events, reconciliation) brings the table and the NATS interest in line with it.
import type { Subscription, Subscription__Output } from '@mqfleet/proto';
import type { QoS } from './message';

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
