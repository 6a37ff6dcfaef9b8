// Subscriptions belong to the session, which the session-service stores (DESIGN.md: it owns
// subscriptions). A connection keeps a local table of them for matching, and that table follows
// the session's stored list: the gateway changes the list through ChangeSubscriptions (the
// client's SUBSCRIBE/UNSUBSCRIBE) and every newer session state (CONNACK of a resumed session,
// events, reconciliation) brings the table and the NATS interest in line with it.
import type { Subscription, Subscription__Output } from '@mqfleet/proto';
import type { QoS } from './message';

/** Highest QoS granted on a subscription: outbound QoS 2 is not implemented yet. */
export const MAX_GRANTED_QOS: QoS = 1;

export interface SubscriptionOptions {
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
  identifier?: number;
}

/**
 * A stored subscription as the connection uses it: the maximum QoS is capped at what the gateway
 * delivers (an administrator may store QoS 2) [MQTT-3.8.4-5: the server may grant a lower QoS].
 */
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
