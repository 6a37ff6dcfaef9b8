// What a gateway tells those who listen to it (tests, npm start's checks, a future metrics
// exporter): one entry per event, with its arguments. Gateway is an EventEmitter of this map, and
// every emit and listener is checked against it.
import type { EventEmitter } from 'node:events';
import type { SessionBulkEvent, SessionEvent } from '@mqfleet/core';
import type { ProtocolError } from './errors';

export interface GatewayEvents {
  /** A CONNECT accepted (CONNACK sent). */
  connected: [clientName: string, connectionId: string];
  /** A CONNECT refused (refusing CONNACK sent). */
  connectRefused: [clientName: string, reason: string];
  /** A new client answered before its session was stored (docs/mqtt.md, "Answered first"). */
  answeredFirst: [clientName: string, connectionId: string];
  /** An answered open taken back before it was written: the connection ended first. */
  openWithdrawn: [clientName: string, connectionId: string];
  /** A persistent session's close held for a reconnect here (resume-hold.ts). */
  closeHeld: [clientName: string, connectionId: string];
  /** A held session taken back by a reconnect (nothing written). */
  resumedFromHold: [clientName: string, connectionId: string];
  /** The drain ended a batch of connections (`index`: 0 first; docs/mqtt.md "Graceful drain"). */
  drainBatch: [connections: number, index: number];
  /** A connection ended (its session's close follows, held or sent). */
  connectionClosed: [clientName: string, connectionId: string, reason: string];
  /** A connection lost its session to a newer one: here, elsewhere in the cluster, or as lost. */
  takeover: [clientName: string, connectionId: string, where: 'local' | 'cluster' | 'lost'];
  /**
   * A session state in force on a live connection, after its confirmation (`source`: open,
   * event:…, hold, reconcile, subscribe; session-sync.ts apply). For observers: tests, logs.
   */
  sessionApplied: [clientName: string, version: string, source: string, connectionId: string];
  /** A session event read from NATS, before it is applied. */
  sessionEvent: [event: SessionEvent | SessionBulkEvent];
  /** A session event read a second time (its JetStream copy), dropped. */
  sessionEventDuplicate: [eventId: string];
  /** The session-events consumer (re)attached. */
  eventsAttached: [];
  /** The sessions held here were fetched again (after a NATS reconnect, or an event's gap). */
  reconciled: [why: string];
  /** A client's packet broke the protocol: the connection ends with it. */
  protocolError: [clientName: string, error: ProtocolError];
  /** A PUBLISH not routed (banned, not authorized, too large for the bus, …). */
  publishRefused: [clientName: string, topic: string, reason: string];
  /** A SUBSCRIBE's filter refused by the authorization rules. */
  subscribeRefused: [clientName: string, filter: string];
  /** A message not delivered to a subscriber whose read rules deny its topic (Gateway.readDenied). */
  readDenied: [clientName: string, topic: string];
  /**
   * Stored subscriptions (restored at CONNECT, or added by subscribeToMq) that the authorization
   * rules in force refuse: not installed, and removed from the stored session.
   */
  subscriptionsDropped: [clientName: string, filters: string[]];
  /** A subscription the bus cannot carry, refused at SUBSCRIBE (reason code). */
  subscriptionRefused: [clientName: string, filter: string, reasonCode: number];
  /** A stored subscription the bus cannot carry, not installed on the connection. */
  subscriptionSkipped: [clientName: string, filter: string, problem: string];
  /** A delivery not sent: larger than the client's maximum packet size. */
  packetDropped: [clientName: string, reason: string, bytes: number];
  /** MQFLEET_QUEUE_FULL_POLICY=disconnect: the connection's queue was full. */
  quotaExceeded: [clientName: string, queued: number, inflight: number, heldBytes: number];
  /** A resumed session's saved and queued deliveries restored on its new connection. */
  queueRestored: [clientName: string, saved: number, queued: number];
  /** A session that outlives its connection parked (its offline queue in place). */
  sessionParked: [clientName: string, saved: number];
  /** A parked session's queue consumers changed to its new subscriptions. */
  parkedRefiltered: [clientName: string, filters: string[]];
  /** Offline queues of sessions that no longer exist removed. */
  queuesSwept: [clientNames: string[]];
  /** Retained messages sent for a subscription. */
  retainedDelivered: [clientName: string, filter: string, sent: number];
  /** A retained message stored. */
  retainedStored: [topic: string];
  /** A will published, refused by the bus, or cancelled (the client came back in time). */
  willPublished: [clientName: string, topic: string];
  willRefused: [clientName: string, topic: string, reason: string];
  willCancelled: [clientName: string];
  /** A delayed will handed to the session-service as the gateway stopped (KeepWills). */
  willHandedOver: [clientName: string];
  /** A lost gateway's session this gateway took care of: closed (parked or not), or skipped. */
  lostSessionClosed: [clientName: string, parked: boolean];
  lostSessionSkipped: [clientName: string, reason: string];
  /** EventEmitter's own: never emitted by the gateway (the fuzzer listens to prove it). */
  error: [err: unknown];
}

/** The emit of a gateway, for the parts that only emit. */
export type EmitGatewayEvent = EventEmitter<GatewayEvents>['emit'];
