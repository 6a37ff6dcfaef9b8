// NATS subjects and JetStream names used between mqfleet services, and the session events.
import { hash } from 'node:crypto';
import type { Label__Output, Session__Output } from '@mqfleet/proto';
import type { PropagationReport } from './propagation';
import { topicToSubject } from './topics';

/**
 * A fixed-length token for a client id. Client ids are arbitrary UTF-8 up to 65,535 bytes and
 * never go raw into a subject: 22 base64url characters of SHA-256 (132 bits).
 */
export function clientToken(clientName: string): string {
  let token = tokens.get(clientName);
  if (token === undefined) {
    // The digest is not kept for this (a gateway never needs it again: about 200 bytes per
    // client id it holds, bench/mqtt-load.ts idle-memory), and the token is a string of its own,
    // not a slice that would keep the whole base64 text alive.
    // The first 22 base64url characters of the whole digest are those of its first 17 bytes.
    // crypto.hash straight to base64url is about 8 times cheaper than createHash().digest()
    // (a gateway computes one per CONNECT of a new client id).
    const digest = digests.get(clientName);
    token = ownString(
      digest
        ? digest.toString('base64url', 0, 17).slice(0, 22)
        : hash('sha256', clientName, 'base64url').slice(0, 22),
    );
    tokens.set(clientName, token);
  }
  return token;
}

/**
 * A copy of an ASCII string that shares no memory with it: V8 makes a slice of a longer string a
 * view that keeps the whole of it alive, so a short string kept for long (a map key, a token)
 * should not be one.
 */
export function ownString(ascii: string): string {
  return Buffer.from(ascii, 'latin1').toString('latin1');
}

/**
 * The SHA-256 of a client id (the session-service's row key; clientToken is its first 132 bits).
 * Every alteration, event and confirmation hashes its client id several times, so the digests of
 * the last few thousand client ids are kept. The Buffer is shared: read it, never change it.
 */
export function clientDigest(clientName: string): Buffer {
  let digest = digests.get(clientName);
  if (digest === undefined) {
    digest = hash('sha256', clientName, 'buffer');
    digests.set(clientName, digest);
  }
  return digest;
}

/** Client ids whose digest and token are kept: 4,096 to 8,192, the most recently computed. */
const MEMO_GENERATION = 4096;
/** Longer client ids are not kept. */
const MEMO_NAME_MAX = 256;

/**
 * The values of the last MEMO_GENERATION to 2 × MEMO_GENERATION keys in two generations: when
 * the current one is full it becomes the previous one, and the previous one is dropped. (Evicting
 * the oldest key of one Map on every insert made each insert slower, as a Map deletes by leaving
 * a hole its iteration walks over: the gateway spent 3 % of its CPU in clientToken when every
 * CONNECT brought a new client id.)
 */
class Memo<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();

  get(key: string): V | undefined {
    return this.current.get(key) ?? this.previous.get(key);
  }

  set(key: string, value: V): void {
    if (key.length > MEMO_NAME_MAX) return;
    if (this.current.size >= MEMO_GENERATION) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}

const digests = new Memo<Buffer>();
const tokens = new Memo<string>();

/**
 * NATS header of a session event published right after its commit: the event's actor, so that a
 * gateway can leave events it has nothing to do with unread (docs/events.md).
 */
export const SESSION_EVENT_ACTOR_HEADER = 'Mqfleet-Actor';

export type SessionEventType =
  'created' | 'altered' | 'connected' | 'disconnected' | 'deactivated' | 'deleted' | 'health';

export interface Subjects {
  /** JetStream stream holding every session event. */
  eventsStream: string;
  /** Subject filter of that stream. */
  eventsAll: string;
  /** Session events only (what gateways consume). */
  sessionEventsAll: string;
  sessionEvent(type: SessionEventType, clientName: string): string;
  /**
   * Subject of one part of a bulk alteration (SessionBulkEvent): keyed by the part's eventId, as
   * it names many clients.
   */
  sessionBulkEvent(eventId: string): string;
  /** JetStream stream holding the retained message of every topic (one per subject). */
  retainedStream: string;
  /** Subject filter of that stream. */
  retainedAll: string;
  /** Prefix of every retained subject (subject filters are built on it). */
  retainedPrefix: string;
  /** Subject the retained message of `topic` is stored on. */
  retained(topic: string): string;
  /**
   * JetStream stream (interest retention) of the offline queues: QoS 1/2 messages on
   * queueMessage(topic), kept only while an offline session's consumer wants them, and each
   * parked session's own saved deliveries on queueSession(clientName).
   */
  queueStream: string;
  queueAll: string;
  /** Prefix of every queued-message subject (consumer filters are built on it). */
  queueMessagePrefix: string;
  queueMessage(topic: string): string;
  queueSession(clientName: string): string;
  /**
   * JetStream stream of parked sessions' records (client id, filter consumers' subjects): the
   * last message of queueParkedPrefix.<client token> (connection-gateway parked-records.ts).
   */
  queueParkedStream: string;
  queueParkedPrefix: string;
  /** Core NATS: a session's saved deliveries were parked for the connection that took it over. */
  queueReady(clientName: string): string;
  queueReadyAll: string;
  /**
   * Core NATS request: a gateway is about to create queue consumers on these subjects; every
   * gateway adds them to what it publishes to the queue stream, then answers (parked-interest.ts).
   */
  queueParking: string;
  /**
   * JetStream stream (work-queue retention) of the cluster's work: the sessions of a lost gateway
   * to park and close (ClusterWork "lost"), and wills that are due ("will"). One durable pull
   * consumer shared by every gateway: each item goes to one gateway and is removed once it is done.
   */
  workStream: string;
  workAll: string;
  work(type: ClusterWork['type'], clientName: string): string;
  /** Core NATS subject an MQTT message on `topic` crosses gateways on. */
  message(topic: string): string;
  /** Prefix of every message subject (subject filters are built on it). */
  messagePrefix: string;
  /**
   * Core NATS: a message of a shared subscription handed on to the gateways with members of its
   * group (NATS queue group `queueGroup`) by a gateway that had none left (connection-gateway
   * router.ts); the topic follows as on message subjects.
   */
  shareRedirect(queueGroup: string, topic: string): string;
  shareRedirectPrefix(queueGroup: string): string;
  /** A gateway confirms here that a session version is in force on its live connection. */
  sessionApplied(clientName: string): string;
  sessionAppliedAll: string;
  /** Gateways announce themselves here every few seconds. */
  gatewayHeartbeat(gatewayId: string): string;
  gatewayHeartbeatAll: string;
  /** Core NATS: a gateway reports changes of its connections' health here (HealthReport[]). */
  healthReport(gatewayId: string): string;
  healthReportAll: string;
  /** Core NATS request/reply: a gateway answers live stats of its connections (GatewayStatsRequest). */
  gatewayStats(gatewayId: string): string;
  /**
   * Core NATS: the session-service tells the gateway holding an MQTT session's connection what
   * that session published through the API (ApiPublishedNote), for its live statistics.
   */
  gatewayApiPublished(gatewayId: string): string;
  /**
   * Core NATS request/reply, queue group "gateways": one gateway routes messages published through
   * the API (ApiPublishRequest; the reply is ApiPublishReply).
   */
  apiPublish: string;
  /**
   * JetStream stream (limits retention, direct get) of the messages kept for MQ API sessions
   * until they read them (docs/json-api.md, "Messages of MQ API sessions"): each session's copies
   * on mqApiMessage(clientName, topic); a read removes what it returns.
   */
  mqApiStream: string;
  mqApiAll: string;
  /** Subject of a copy of a message on `topic` kept for one MQ API session. */
  mqApiMessage(clientName: string, topic: string): string;
  /** Subject filter of every message kept for one MQ API session. */
  mqApiSessionAll(clientName: string): string;
  /**
   * Subject of a copy kept for the MQ API members of a shared subscription `$share/<group>/<filter>`
   * (the whole shared filter is hashed into the token); each member's read takes some of them.
   */
  mqApiShared(sharedFilter: string, topic: string): string;
  mqApiSharedAll(sharedFilter: string): string;
  /**
   * JetStream stream (limits retention, direct get) of the history of stored topics
   * (MQFLEET_STORED_TOPICS): every message on such a topic, on topicMessage(topic).
   */
  topicsStream: string;
  topicsAll: string;
  topicMessage(topic: string): string;
  /**
   * Core NATS request the session-service sends after an MQ API session's subscriptions changed
   * (MqApiSync); every live gateway answers once it stores messages by the new ones.
   */
  mqApiSync: string;
  /**
   * Core NATS request/reply, queue group "gateways": one gateway stores the retained messages of
   * new MQ API subscriptions for their session (MqApiRetainedRequest).
   */
  mqApiRetained: string;
  /**
   * Core NATS: a gateway reports the messages it received per topic since its last report
   * (TopicReport); the session-service adds them to its topics table (listTopics, describeTopics).
   */
  topicReport(gatewayId: string): string;
  topicReportAll: string;
  /** Subject of a label event (labels are keyed by their numeric id). */
  labelEvent(type: LabelEventType, id: number): string;
  /**
   * Core NATS: a session-service tells the others of a failed or successful password check, so
   * that replicas throttle guessing as one (session-service login-throttle.ts).
   */
  loginThrottle: string;
}

export function subjects(prefix: string): Subjects {
  const stem = prefix.toUpperCase().replace(/-/g, '_');
  return {
    eventsStream: `${stem}_EVENTS`,
    eventsAll: `${prefix}.events.>`,
    sessionEventsAll: `${prefix}.events.session.>`,
    sessionEvent: (type, clientName) => `${prefix}.events.session.${type}.${clientToken(clientName)}`,
    sessionBulkEvent: (eventId) => `${prefix}.events.session.bulkAltered.${eventId}`,
    retainedStream: `${stem}_RETAINED`,
    retainedAll: `${prefix}.retained.>`,
    retainedPrefix: `${prefix}.retained`,
    retained: (topic) => `${prefix}.retained.${topicToSubject(topic)}`,
    queueStream: `${stem}_QUEUE`,
    queueAll: `${prefix}.queue.>`,
    queueMessagePrefix: `${prefix}.queue.m`,
    queueMessage: (topic) => `${prefix}.queue.m.${topicToSubject(topic)}`,
    queueSession: (clientName) => `${prefix}.queue.s.${clientToken(clientName)}`,
    queueParkedStream: `${stem}_QUEUE_PARKED`,
    queueParkedPrefix: `${prefix}.queueparked`,
    queueReady: (clientName) => `${prefix}.queueready.${clientToken(clientName)}`,
    queueReadyAll: `${prefix}.queueready.*`,
    queueParking: `${prefix}.queueparking`,
    loginThrottle: `${prefix}.loginthrottle`,
    workStream: `${stem}_WORK`,
    workAll: `${prefix}.work.>`,
    work: (type, clientName) => `${prefix}.work.${type}.${clientToken(clientName)}`,
    message: (topic) => `${prefix}.msg.${topicToSubject(topic)}`,
    messagePrefix: `${prefix}.msg`,
    shareRedirect: (queueGroup, topic) => `${prefix}.share.${queueGroup}.${topicToSubject(topic)}`,
    shareRedirectPrefix: (queueGroup) => `${prefix}.share.${queueGroup}`,
    sessionApplied: (clientName) => `${prefix}.applied.${clientToken(clientName)}`,
    sessionAppliedAll: `${prefix}.applied.>`,
    gatewayHeartbeat: (gatewayId) => `${prefix}.gateway.heartbeat.${gatewayId}`,
    gatewayHeartbeatAll: `${prefix}.gateway.heartbeat.*`,
    healthReport: (gatewayId) => `${prefix}.health.${gatewayId}`,
    healthReportAll: `${prefix}.health.*`,
    gatewayStats: (gatewayId) => `${prefix}.gateway.stats.${gatewayId}`,
    gatewayApiPublished: (gatewayId) => `${prefix}.gateway.apipublished.${gatewayId}`,
    apiPublish: `${prefix}.gateway.publish`,
    mqApiStream: `${stem}_MQAPI`,
    mqApiAll: `${prefix}.mqapi.>`,
    mqApiMessage: (clientName, topic) =>
      `${prefix}.mqapi.${clientToken(clientName)}.${topicToSubject(topic)}`,
    mqApiSessionAll: (clientName) => `${prefix}.mqapi.${clientToken(clientName)}.>`,
    // "g" cannot be a client token (those have 22 characters).
    mqApiShared: (sharedFilter, topic) =>
      `${prefix}.mqapi.g.${clientToken(sharedFilter)}.${topicToSubject(topic)}`,
    mqApiSharedAll: (sharedFilter) => `${prefix}.mqapi.g.${clientToken(sharedFilter)}.>`,
    topicsStream: `${stem}_TOPICS`,
    topicsAll: `${prefix}.topic.>`,
    topicMessage: (topic) => `${prefix}.topic.${topicToSubject(topic)}`,
    mqApiSync: `${prefix}.gateway.mqapisync`,
    mqApiRetained: `${prefix}.gateway.mqapiretained`,
    topicReport: (gatewayId) => `${prefix}.topics.${gatewayId}`,
    topicReportAll: `${prefix}.topics.*`,
    labelEvent: (type, id) => `${prefix}.events.label.${type}.${id}`,
  };
}

/** One field's change, as carried by an altered event and kept in the audit trail. */
export interface FieldChange {
  before: unknown;
  after: unknown;
}

/** Payload of every session event (JSON). */
export interface SessionEvent {
  eventId: string;
  type: SessionEventType;
  clientName: string;
  /** The session row's version after the change. */
  version: string;
  at: string;
  /** Who made the change: an account name, or "gateway:<id>" for connection changes. */
  actor: string;
  /**
   * The request id of the administrator's request that made the change (x-request-id of the JSON
   * API, docs/operations.md), for the log lines of each service it passes; absent otherwise.
   */
  requestId?: string;
  /** For altered events: the fields that changed; for health events: {health: {before, after}}. */
  changes?: Record<string, FieldChange>;
  /** The whole session after the change (absent for deleted). */
  session?: Session__Output;
  /** Health events reported by a gateway: the connection's statistics when it was evaluated. */
  stats?: ConnectionStats;
  /**
   * Present when the event is a reference (event-size.ts): these parts were too large for the bus
   * and are left out; a consumer that needs them fetches the session (DescribeSessions).
   */
  omitted?: ('session' | 'changes')[];
  /** With omitted changes: the names of the fields that changed. */
  changedFields?: string[];
}

/** One session in a bulk alteration: its new version and what changed (as in an altered event). */
export interface BulkAlteredSession {
  clientName: string;
  version: string;
  /** Empty with `omitted` (too large for the bus): fetch the session instead. */
  changes: Record<string, FieldChange>;
  /** The changes were too large for the bus and are left out (event-size.ts). */
  omitted?: true;
}

/**
 * Payload of a bulkAltered event: one part of one bulk alteration (alterMqSessions). A bulk
 * alteration of many sessions is published as parts of a bounded size rather than as one altered
 * event with a whole-session snapshot per session. Every session appears in exactly one part.
 */
export interface SessionBulkEvent {
  eventId: string;
  type: 'bulkAltered';
  /** Shared by the parts of one bulk alteration. */
  bulkId: string;
  /** 1-based; parts of one bulk alteration go out in order. */
  part: number;
  parts: number;
  at: string;
  actor: string;
  sessions: BulkAlteredSession[];
  /**
   * The request id of the alterMqSessions request that made it (the JSON API's x-request-id,
   * docs/operations.md "Request ids"); absent when there was none.
   */
  requestId?: string;
}

export interface GatewayHeartbeat {
  gatewayId: string;
  /**
   * This run of the gateway (random at each start). Every connection id it hands out starts with
   * `<instance>.`, so the sessions of an earlier run of the same gateway id are told apart.
   */
  instance?: string;
  host: string;
  mqttPort: number;
  connections: number;
  /**
   * Connections refused since the gateway started because they were over a connection limit
   * (services/connection-gateway/src/connection-limits.ts); absent from older gateways.
   */
  refusedConnections?: number;
  /**
   * The gateway is stopping (docs/mqtt.md, "Graceful drain"): it accepts no connection and ends
   * its own over the drain window. It keeps announcing itself until every close is written, so
   * the cluster does not take it for lost meanwhile.
   */
  draining?: boolean;
  /**
   * The alteration propagation measured since the previous heartbeat (propagation.ts); absent
   * when nothing was measured, and from older gateways.
   */
  propagation?: PropagationReport;
  /** Its last heartbeat: the run has ended; peers need not wait for its answers any more. */
  left?: boolean;
}

/** The instance part of a connection id (`<instance>.<random>`); "" for ids without one. */
export function connectionInstance(connectionId: string): string {
  const dot = connectionId.indexOf('.');
  return dot < 0 ? '' : connectionId.slice(0, dot);
}

/** Disconnection reason of the sessions of a lost gateway (docs/mqtt.md). */
export const GATEWAY_LOST_REASON = 'gateway lost';
/** Actor of the changes the session-service makes to a lost gateway's sessions itself. */
export const GATEWAY_WATCH_ACTOR = 'session-service:gateway-watch';

/**
 * A connection of a lost gateway (its session outlives it and has QoS 1/2 subscriptions): a
 * gateway parks the session's offline queue, then closes the session (CloseSession with this
 * connection id and GATEWAY_LOST_REASON).
 */
export interface LostConnectionWork {
  type: 'lost';
  clientName: string;
  connectionId: string;
  /** The gateway that held it. */
  gatewayId: string;
  /** When the cluster noticed the loss (ISO 8601). */
  noticedAt: string;
}

/** A will that is due: a gateway publishes it. `will` holds the will* fields of the session's settings. */
export interface WillWork {
  type: 'will';
  clientName: string;
  connectionId: string;
  will: Record<string, unknown>;
  /** When it became due (ISO 8601). */
  dueAt: string;
}

export type ClusterWork = LostConnectionWork | WillWork;

export type LabelEventType = 'created' | 'altered' | 'deleted';

/** Payload of every label event (JSON), on subjects().labelEvent(type, id). */
export interface LabelEvent {
  eventId: string;
  type: LabelEventType;
  /** The label's id. */
  id: number;
  at: string;
  /** The account that made the change. */
  actor: string;
  /** For altered events: the fields that changed (JSON API names: group, name, value, enum, …). */
  changes?: Record<string, FieldChange>;
  /** The label after the change; for deleted events, the label as it was. */
  label: Label__Output;
}

/** Payload of a sessionApplied confirmation (JSON). */
export interface SessionApplied {
  clientName: string;
  version: string;
  gatewayId: string;
  connectionId: string;
}

/** Live statistics of one connection (describeMqSessions includeStats, as docs/json-api.md names them). */
export interface ConnectionStats {
  totalMessagesPublished: number;
  publishRatePerMinute: number;
  publishRatePerMinuteLast10Minutes: number;
  publishRatePerMinuteInSession: number;
  publishRatePerHour: number;
  totalMessagesReceived: number;
  receiveMessagesPerMinute: number;
  receiveMessagesPerMinuteLast10Minutes: number;
  receiveMessagesPerMinuteSinceInSession: number;
  receiveMessagesPerHour: number;
  currentDeliveryBacklogged: number;
  deliveryBacklogRatePerMinute: number;
  deliveryBacklogRatePerMinuteLast10Minutes: number;
  deliveryBacklogRatePerMinuteInSession: number;
  deliveryBacklogRatePerHour: number;
  deliveryBacklogRatePerDay: number;
  subscribedTopicFiltersCount: number;
  /** Messages this connection did not deliver, whatever the reason (the sum of messagesDropped). */
  totalMessagesDropped: number;
  messagesDropped: MessagesDropped;
  /**
   * outboundBudget + queueFull drops in the last 60 s: the client does not read fast enough; above 0
   * the session is unhealthy.
   */
  slowConsumerDropsPerMinute: number;
  /** Bytes written to the client's socket and not sent yet (bounded by MQFLEET_MAX_OUTBOUND_BYTES). */
  currentOutboundBytes: number;
  /** QoS 1/2 deliveries waiting for the in-flight window or the outbound budget. */
  currentQueuedMessages: number;
  /** Payload + topic bytes of the QoS 1/2 deliveries held: in flight and queued. */
  currentQueuedBytes: number;
  /** ISO 8601 (UTC), or null before the first message. */
  firstMessagePublishedOn: string | null;
  lastMessagePublishedOn: string | null;
  firstMessageReceivedOn: string | null;
  lastMessageReceivedOn: string | null;
  /** When the connection these statistics cover started (ISO 8601). */
  connectedSince: string;
}

/** Messages a connection did not deliver, by reason (docs/mqtt.md "Slow consumers"). */
export interface MessagesDropped {
  /** QoS 0: the socket held MQFLEET_MAX_OUTBOUND_BYTES unsent. */
  outboundBudget: number;
  /** QoS 1/2 (and anything held while the session was being opened): the queue was full. */
  queueFull: number;
  /** Larger than the client's Maximum Packet Size [MQTT-3.1.2-24]. */
  packetTooLarge: number;
  /** Its Message Expiry Interval ran out before it could be sent [MQTT-3.3.2-5]. */
  expired: number;
}

/** One entry of a gateway's health report (JSON array on subjects().healthReport(gatewayId)). */
export interface HealthReport {
  clientName: string;
  connectionId: string;
  health: 'healthy' | 'unhealthy' | 'offline';
  stats: ConnectionStats;
}

/** One message of an ApiPublishRequest; binary values in base64. */
export interface ApiPublishMessage {
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  contentType?: string;
  correlationData?: string;
  responseTopic?: string;
  /** Message Expiry Interval in seconds; absent: none. */
  expirySeconds?: number;
  /** Payload Format Indicator UTF-8. */
  utf8?: boolean;
  userProperties?: [string, string][];
}

/**
 * Request on subjects().apiPublish: messages a session publishes through the JSON API or gRPC
 * (publishMessagesToMq, Publish), checked by the session-service (the session exists, is not
 * banned, the caller may act on it) and routed by a gateway as that session's PUBLISH packets.
 */
export interface ApiPublishRequest {
  clientName: string;
  /** Whose authorization rules apply (the session's owner or its last MQTT user name). */
  username: string;
  topic: string;
  /** The session's user properties, appended to each message's own. */
  sessionUserProperties: [string, string][];
  messages: ApiPublishMessage[];
}

/** One MQTT 5 reason code per message: 0 routed (and, for QoS 1, stored where it must be). */
export interface ApiPublishReply {
  reasonCodes: number[];
}

/**
 * Request on subjects().mqApiSync: an MQ API session's subscriptions as stored at `version`
 * (none once it is deleted). Each gateway applies it unless it knows a newer version, then
 * answers MqApiSyncReply.
 */
export interface MqApiSync {
  clientName: string;
  /** When the session was created (a session made again under its name starts its versions again). */
  createdAt?: string;
  version: string;
  deleted?: true;
  subscriptions: Session__Output['subscriptions'];
}

export interface MqApiSyncReply {
  gatewayId: string;
}

/**
 * Request on subjects().mqApiRetained: the retained messages matching these subscriptions of an
 * MQ API session are stored for it (one gateway of the queue group "gateways" does it).
 */
export interface MqApiRetainedRequest {
  clientName: string;
  subscriptions: Session__Output['subscriptions'];
}

/** How many retained messages were stored for the session. */
export interface MqApiRetainedReply {
  stored: number;
}

/**
 * Payload of subjects().topicReport(gatewayId): the messages one gateway received from its
 * publishers (PUBLISH, wills, API publishes) per topic since its previous report. Each entry is
 * [topic, messages, first, last], the times in epoch milliseconds of the gateway's clock.
 */
export interface TopicReport {
  gatewayId: string;
  topics: [topic: string, messages: number, first: number, last: number][];
  /** Messages to topics the gateway could not count (its bound of distinct topics was reached). */
  uncounted?: number;
}

/**
 * Message on subjects().gatewayApiPublished(gatewayId): a connected MQTT session published
 * `count` messages to `topic` through the API (publishMessagesToMq); the gateway counts them in
 * that connection's statistics as PUBLISH packets, if it still holds `connectionId`.
 */
export interface ApiPublishedNote {
  clientName: string;
  connectionId: string;
  topic: string;
  count: number;
}

/** Request on subjects().gatewayStats(gatewayId); the reply is GatewayStatsReply. */
export interface GatewayStatsRequest {
  clientNames: string[];
  /** Also answer each connection's publishedTopics (describeMqSessions includePublishedTopics). */
  includePublishedTopics?: boolean;
}

/** One topic a live connection published to (describeMqSessions publishedTopics). */
export interface PublishedTopic {
  topic: string;
  /** PUBLISH packets to this topic on this connection. */
  totalMessagesPublished: number;
  /** ISO 8601 (UTC). */
  lastMessagePublishedOn: string;
}

export interface GatewayStatsReply {
  gatewayId: string;
  /** Only clients connected to that gateway; absent names are not connected there. */
  connections: {
    clientName: string;
    connectionId: string;
    health: HealthReport['health'];
    stats: ConnectionStats;
    /** Only when the request asked for them; most recent first. */
    publishedTopics?: PublishedTopic[];
  }[];
}
