// What a connection needs from its gateway. Connections and packet handlers depend on this
// interface only, never on the Gateway class itself.
import type { ClientAuthorization, Config, Logger, Settings } from '@mqfleet/core';
import type { Session__Output } from '@mqfleet/proto';
import type { BusLimits } from './bus-limits';
import type { Connection, Handoff } from './connection';
import type { RoutedMessage } from './message';
import type { Resumed } from './queue';
import type { HeldSession } from './resume-hold';
import type { Confirmation } from './confirmation';
import type { SessionClient } from './session-client';
import type { SessionWriter } from './writer';
import type { Will } from './settings';
import type { EmitGatewayEvent } from './events';
import type { GatewayTraffic } from './stats';

/**
 * EndInfo.reason of a connection whose session moved to a newer connection (index.ts and
 * packets/connect.ts write this text).
 */
export const TAKEN_OVER = 'session taken over';

export interface EndInfo {
  /** Human-readable reason, stored by the session-service as the disconnection reason. */
  reason: string;
  /** The client sent DISCONNECT [MQTT-3.14]: no will, unless reason code 0x04. */
  clean: boolean;
  publishWill: boolean;
  /** MQTT 5 DISCONNECT Session Expiry Interval [MQTT-3.14.2.2.2]. */
  sessionExpiryInterval?: number;
  /**
   * Ended by this gateway's drain (index.ts close): the session-service keeps the will for the
   * client to come back elsewhere (CloseSession drain_will_grace_ms).
   */
  drained?: boolean;
}

export interface GatewayContext {
  readonly gatewayId: string;
  /** This run of the gateway (random at start): the prefix of its connection ids. */
  readonly instance: string;
  readonly logger: Logger;
  readonly sessions: SessionClient;
  /** The writes this gateway owes the session-service, retried until they land. */
  readonly writer: SessionWriter;
  /** Topic aliases the gateway accepts from each MQTT 5 client (CONNACK Topic Alias Maximum). */
  readonly inboundTopicAliasMaximum: number;
  /** Largest packet accepted from a client (MQTT 5 CONNACK Maximum Packet Size). */
  readonly maxPacketSize: number;
  /** What the message bus can carry (bus-limits.ts). */
  readonly bus: BusLimits;
  /** Messages and bytes of the connections here, for /metrics (stats.ts). */
  readonly traffic: GatewayTraffic;
  /**
   * Broker limits of the MQFLEET_CONFIG file / environment (the first four announced in CONNACK;
   * the others bound what a connection holds for a slow client, docs/mqtt.md "Slow consumers").
   */
  readonly limits: Pick<
    Config,
    | 'maxKeepAlive'
    | 'receiveMaximum'
    | 'maximumQos'
    | 'retainAvailable'
    | 'maxOutboundBytes'
    | 'maxQueuedMessages'
    | 'maxQueuedBytes'
    | 'queueFullPolicy'
    | 'grpcDeadlineMs'
    | 'gatewayTimeoutMs'
    | 'maxSessionExpiry'
  >;
  /**
   * Whether a CONNECT of this client id may be answered before its OpenSession is written
   * (docs/mqtt.md, "Connects at scale"): `plain` (no user name, password or will), no stored
   * session known for it, nothing owed or held for it here, and MQFLEET_ANSWER_FIRST
   * allows it now.
   */
  mayAnswerFirst(clientName: string, plain: boolean): boolean;
  /**
   * The session of this client id held after its connection ended here (resume-hold.ts), taken
   * for a CONNECT that resumes it as it is (`resumable`: Clean Start 0, no user name, password or
   * will; same protocol level; the settings `declared` computes change nothing); otherwise its
   * close is sent now. A promise while the session's last subscription change is being stored.
   */
  takeHeld(
    clientName: string,
    protocolVersion: number,
    resumable: boolean,
    declared: () => Partial<Settings>,
  ): HeldSession | undefined | Promise<HeldSession | undefined>;
  /** What an OpenSession / CloseSession reply said: whether the client id has a stored session. */
  sessionStored(clientName: string, stored: boolean): void;
  /** What this client may publish and subscribe to (the "authorization" rules). */
  authorizationFor(clientName: string, username: string): ClientAuthorization;
  /** A message not delivered to the connection: its read rules deny the topic (counted). */
  readDenied(connection: Connection, topic: string): void;
  /**
   * Applies a session state to a live connection if it is newer (always with `force`), and
   * confirms it once in force (session-sync.ts). Returns whether it was applied.
   */
  applySession(conn: Connection, session: Session__Output, source: string, force?: boolean): boolean;
  /** Makes the connection the holder of its client id here; takes over a previous one. */
  register(connection: Connection): boolean;
  /**
   * Routes a message to local subscribers, to the other gateways and to the offline queues; with
   * a confirmation, each copy that must be confirmed adds a part to it (confirmation.ts).
   */
  route(message: RoutedMessage, confirmation?: Confirmation): void;
  /**
   * Stores (empty payload: removes) the retained message of the message's topic in JetStream;
   * resolves with the reason code for the publisher: 0x00 once JetStream acknowledged it, 0x97
   * when the retained store is full, 0x80 when it could not be stored otherwise (retained.ts).
   */
  storeRetained(message: RoutedMessage): Promise<number>;
  /** The unexpired retained messages matching a topic filter. */
  readRetained(filter: string): Promise<RoutedMessage[]>;
  /**
   * The connection subscribes the filter: local routing sends it matching messages (filter
   * index), and the gateway holds ref-counted NATS interest in it; resolves once the NATS server
   * has it.
   */
  addFilter(filter: string, connection: Connection): Promise<void>;
  removeFilter(filter: string, connection: Connection): void;
  /**
   * While a connection holds deliveries back (from opening its session until its offline queue
   * is restored) it is offered every local message, whatever its filters, as it buffers them.
   */
  holdingDeliveries(connection: Connection, holding: boolean): void;
  /** The connection's socket closed (before the connection is finalized). */
  socketClosed(connection: Connection): void;
  /**
   * A connection ended (after its socket closed). The gateway parks a persistent session's
   * queue (queue.ts), releases the subscriptions' NATS interest and closes the session.
   */
  connectionEnded(connection: Connection, info: EndInfo, will: Will | undefined, handoff: Handoff): void;
  /**
   * At CONNECT: a present session's offline queue, taken from JetStream (undefined when there is
   * none); a session that is not present has its queue discarded [MQTT-3.1.2-4].
   */
  resumeQueue(clientName: string, sessionPresent: boolean): Promise<Resumed | undefined>;
  /** A delayed will of this client id is pending here: cancel it [MQTT-3.1.3-9]. */
  cancelWill(clientName: string): void;
  nextMessageId(): string;
  emit: EmitGatewayEvent;
}
