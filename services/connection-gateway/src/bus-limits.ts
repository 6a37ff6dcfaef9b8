// What the gateway refuses at the MQTT boundary so that no client input can break its link to
// NATS or make it acknowledge what NATS will not carry (core bus-limits.ts; docs/mqtt.md "Limits
// of the message bus"): topics, filters and wills whose subjects would not fit nats-server's
// control line, messages above its max_payload, and subscriptions beyond a session's bound.
import {
  busMaxPacketSize,
  busMessageBytes,
  filterSubjectProblem,
  subjectBudget,
  SubscriptionBudget,
  topicSubjectProblem,
  type Config,
} from '@mqfleet/core';
import type { IConnectPacket, IPublishPacket } from 'mqtt-packet';
import type { Connection } from './connection';
import { ProtocolError } from './errors';
import type { RoutedMessage } from './message';
import { ReasonCode, SUBACK_FAILURE_V4 } from './reason-codes';

/** Why something is refused, and the MQTT 5 reason code that says so. */
export interface Refusal {
  reasonCode: number;
  reason: string;
}

export class BusLimits {
  /** Bytes a mapped topic or filter subject may have. */
  readonly subjectBudget: number;

  constructor(
    private readonly config: Pick<
      Config,
      'natsPrefix' | 'natsMaxControlLine' | 'maxPacketSize' | 'maxSubscriptions' | 'maxSubscriptionBytes'
    >,
    /** The NATS server's max_payload (its INFO), once connected. */
    private readonly maxPayload: () => number | undefined,
  ) {
    this.subjectBudget = subjectBudget(config.natsPrefix, config.natsMaxControlLine);
  }

  /**
   * The Maximum Packet Size announced in MQTT 5 CONNACK and enforced on every client: the
   * configured maximum, never above what one NATS message can carry [MQTT-3.2.2.3.6].
   */
  get maxPacketSize(): number {
    const maxPayload = this.maxPayload();
    if (maxPayload === undefined) return this.config.maxPacketSize;
    return Math.min(this.config.maxPacketSize, busMaxPacketSize(maxPayload, this.config.natsMaxControlLine));
  }

  topicProblem(topic: string): string | undefined {
    return topicSubjectProblem(topic, this.subjectBudget);
  }

  filterProblem(filter: string): string | undefined {
    return filterSubjectProblem(filter, this.subjectBudget);
  }

  /** Why a message cannot go on the bus: its topic (0x90) or its size (0x97 Quota exceeded). */
  messageRefusal(message: Pick<RoutedMessage, 'topic' | 'payload' | 'properties'>): Refusal | undefined {
    const topic = this.topicProblem(message.topic);
    if (topic) return { reasonCode: ReasonCode.TOPIC_NAME_INVALID, reason: topic };
    const maxPayload = this.maxPayload();
    if (maxPayload === undefined) return undefined;
    const bytes = busMessageBytes(message.topic, message.payload.length, message.properties, maxPayload);
    if (bytes <= maxPayload) return undefined;
    return {
      reasonCode: ReasonCode.QUOTA_EXCEEDED,
      reason: `the message needs ${bytes} bytes on the bus (payload, properties, headers); NATS carries at most ${maxPayload}`,
    };
  }

  /**
   * For one SUBSCRIBE: the SUBACK code refusing a filter that does not fit the bus (0x8F) or the
   * session's bound (0x97 Quota exceeded), 0x80 for MQTT 3.1.1 [MQTT-3.9.3]; undefined admits it.
   */
  subscribeChecker(conn: Connection): (filter: string) => number | undefined {
    const budget = new SubscriptionBudget(
      {
        maxCount: this.config.maxSubscriptions,
        maxBytes: this.config.maxSubscriptionBytes,
      },
      conn.subscriptions.keys(),
    );
    const v5 = conn.protocolVersion === 5;
    return (filter) => {
      const unfit = this.filterProblem(filter);
      const refusal: Refusal | undefined = unfit
        ? { reasonCode: ReasonCode.TOPIC_FILTER_INVALID, reason: unfit }
        : mapReason(budget.admit(filter), ReasonCode.QUOTA_EXCEEDED);
      if (!refusal) return undefined;
      conn.log.info('subscription refused', {
        clientName: conn.clientName,
        reason: refusal.reason,
        bytes: filter.length,
      });
      conn.ctx.emit('subscriptionRefused', conn.clientName, filter, refusal.reasonCode);
      return v5 ? refusal.reasonCode : SUBACK_FAILURE_V4;
    };
  }

  /** A CONNECT's will that the bus could not publish (CONNACK 0x90 / 0x97). */
  willRefusal(will: IConnectPacket['will']): Refusal | undefined {
    if (!will) return undefined;
    const p = will.properties ?? {};
    const payload = typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload;
    const userProperties: [string, string][] = [];
    for (const [k, v] of Object.entries(p.userProperties ?? {}))
      for (const value of Array.isArray(v) ? v : [v]) userProperties.push([k, String(value)]);
    return this.messageRefusal({
      topic: will.topic,
      payload: payload ?? Buffer.alloc(0),
      properties: {
        userProperties,
        contentType: p.contentType,
        correlationData: p.correlationData,
        responseTopic: p.responseTopic,
      },
    });
  }
}

const mapReason = (reason: string | undefined, reasonCode: number): Refusal | undefined =>
  reason === undefined ? undefined : { reasonCode, reason };

/**
 * A PUBLISH whose message the bus cannot carry is refused, never acknowledged as a success: MQTT 5
 * QoS 1/2 get PUBACK/PUBREC with the reason code (a PUBREC code of 0x80 or more ends the exchange
 * [MQTT-4.3.3]); MQTT 5 QoS 0 gets DISCONNECT with it, and an MQTT 3.1.1 connection is closed, as
 * neither can be told otherwise. Returns true when the message was refused.
 */
export function refuseOffBus(conn: Connection, packet: IPublishPacket, message: RoutedMessage): boolean {
  const refusal = conn.ctx.bus.messageRefusal(message);
  if (!refusal) return false;
  conn.ctx.emit('publishRefused', conn.clientName, message.topic, refusal.reason);
  if (conn.protocolVersion !== 5 || packet.qos === 0) {
    throw new ProtocolError(`PUBLISH refused: ${refusal.reason}`, refusal.reasonCode);
  }
  conn.log.info('PUBLISH refused', { clientName: conn.clientName, reason: refusal.reason });
  const messageId = packet.messageId!;
  const { reasonCode } = refusal;
  // In the order of the PUBLISH packets [MQTT-4.6.0-2].
  conn.reply(undefined, () =>
    conn.send(
      packet.qos === 1 ? { cmd: 'puback', messageId, reasonCode } : { cmd: 'pubrec', messageId, reasonCode },
    ),
  );
  return true;
}

/**
 * A stored subscription the bus cannot carry (stored before these limits, or under a larger
 * MQFLEET_NATS_MAX_CONTROL_LINE) is never installed on a connection: it stays in the session's
 * stored list, where describeMqSessions shows it and subscribeToMq (action "remove") removes it,
 * and it is logged each time a session state bringing it is applied. Returns true to skip it.
 */
export function skipOffBus(conn: Connection, filter: string): boolean {
  const problem = conn.ctx.bus.filterProblem(filter);
  if (!problem) return false;
  conn.log.warn('stored subscription not installed: the message bus cannot carry it', {
    clientName: conn.clientName,
    problem,
  });
  conn.ctx.emit('subscriptionSkipped', conn.clientName, filter, problem);
  return true;
}
