// The history of stored topics (MQFLEET_STORED_TOPICS; docs/json-api.md, getMessagesFromMqTopic):
// the gateway that receives a message on a topic matching one of the configured filters keeps a
// copy in JetStream (subjects().topicsStream, on topicMessage(topic)), which the session-service
// reads without any session's position moving. A QoS 1 publisher's acknowledgement waits for it,
// as for every other copy the broker keeps (confirmation.ts). With no stored topics (the default)
// a message costs one length check here.
import { MQ_HEADER_RECEIVED_AT, topicMatches, type Logger, type Subjects } from '@mqfleet/core';
import type { NatsConnection } from 'nats';
import type { StoreConfirmer } from './bus-confirm';
import type { Confirmation } from './confirmation';
import { toNatsHeaders, type RoutedMessage } from './message';

export class StoredTopics {
  /** Copies stored, and stores NATS refused at once. */
  readonly counts = { stored: 0, failed: 0 };

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly gatewayId: string,
    private readonly filters: readonly string[],
    private readonly confirmer: StoreConfirmer,
    private readonly logger: Logger,
  ) {}

  /** A message this gateway received (Gateway.route). */
  publish(message: RoutedMessage, confirmation: Confirmation | undefined): void {
    if (this.filters.length === 0) return;
    if (!this.filters.some((f) => topicMatches(f, message.topic))) return;
    try {
      const h = toNatsHeaders(message, this.gatewayId);
      h.set(MQ_HEADER_RECEIVED_AT, String(Date.now()));
      const subject = this.s.topicMessage(message.topic);
      this.counts.stored++;
      if (confirmation) this.confirmer.publish(subject, message.payload, h, confirmation);
      else this.nc.publish(subject, message.payload, { headers: h });
    } catch (err) {
      this.counts.failed++;
      this.logger.warn('message of a stored topic not kept', { topic: message.topic.slice(0, 200), err });
    }
  }
}
