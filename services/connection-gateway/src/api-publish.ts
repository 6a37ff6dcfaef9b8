// Messages published through the API (publishMessagesToMq, gRPC Publish): the session-service
// checks the session and the caller, then one gateway of the queue group "gateways" routes each
// message as that session's PUBLISH packet would be: the same topic, authorization, QoS, retain and
// bus checks (packets/publish.ts), to local subscribers, the other gateways and offline queues, and
// answers once QoS 1 copies are stored (confirmation.ts). One MQTT 5 reason code per message.
import { topicNameProblem, type ApiPublishReply, type ApiPublishRequest, type Logger } from '@mqfleet/core';
import type { NatsConnection, Subscription } from 'nats';
import { Confirmation, confirmCode } from './confirmation';
import type { GatewayContext } from './context';
import type { MessageProperties, RoutedMessage } from './message';
import { ReasonCode } from './reason-codes';

/** The gateway parts an API publish uses. */
export type ApiPublishHost = Pick<
  GatewayContext,
  'authorizationFor' | 'limits' | 'bus' | 'route' | 'storeRetained' | 'nextMessageId'
>;

/** Routes one request's messages in order; resolves with their reason codes. */
export async function publishFromApi(host: ApiPublishHost, req: ApiPublishRequest): Promise<number[]> {
  const codes: (number | Promise<number>)[] = [];
  const problem = topicNameProblem(req.topic);
  const authorized = host.authorizationFor(req.clientName, req.username).mayPublish(req.topic);
  for (const m of req.messages) {
    if (problem) {
      codes.push(ReasonCode.TOPIC_NAME_INVALID);
      continue;
    }
    if (!authorized) {
      codes.push(ReasonCode.NOT_AUTHORIZED);
      continue;
    }
    if (m.qos > host.limits.maximumQos) {
      codes.push(ReasonCode.QOS_NOT_SUPPORTED);
      continue;
    }
    if (m.retain && !host.limits.retainAvailable) {
      codes.push(ReasonCode.RETAIN_NOT_SUPPORTED);
      continue;
    }
    const properties: MessageProperties = {
      userProperties: [...(m.userProperties ?? []), ...req.sessionUserProperties],
    };
    if (m.contentType) properties.contentType = m.contentType;
    if (m.correlationData) properties.correlationData = Buffer.from(m.correlationData, 'base64');
    if (m.responseTopic) properties.responseTopic = m.responseTopic;
    if (m.utf8) properties.payloadFormatIndicator = true;
    if (m.expirySeconds) properties.messageExpiryInterval = m.expirySeconds;
    const message: RoutedMessage = {
      id: host.nextMessageId(),
      topic: req.topic,
      payload: Buffer.from(m.payload, 'base64'),
      qos: m.qos,
      retain: m.retain,
      properties,
      receivedAt: Date.now(),
      originClient: req.clientName,
    };
    const refusal = host.bus.messageRefusal(message);
    if (refusal) {
      codes.push(refusal.reasonCode);
      continue;
    }
    // Routed in order at once; each QoS 1 message's code is known when its copies are stored.
    const [confirmation, code] = m.qos > 0 ? withCode() : [undefined, 0];
    if (m.retain) confirmCode(confirmation, host.storeRetained(message));
    host.route(message, confirmation);
    confirmation?.seal();
    codes.push(code);
  }
  return Promise.all(codes);
}

/** A confirmation, and its reason code once every part is done (after seal()). */
function withCode(): [Confirmation, Promise<number>] {
  let settle!: (code: number) => void;
  const code = new Promise<number>((resolve) => (settle = resolve));
  const confirmation: Confirmation = new Confirmation(() => settle(confirmation.code));
  return [confirmation, code];
}

/** Serves subjects().apiPublish in the queue group "gateways" until stopped. */
export function serveApiPublish(
  nc: NatsConnection,
  subject: string,
  host: ApiPublishHost,
  logger: Logger,
): Subscription {
  return nc.subscribe(subject, {
    queue: 'gateways',
    callback: (err, msg) => {
      if (err) return;
      let req: ApiPublishRequest;
      try {
        req = msg.json<ApiPublishRequest>();
      } catch (e) {
        logger.warn('API publish request not understood', { err: e });
        return;
      }
      void publishFromApi(host, req).then(
        (reasonCodes) => msg.respond(JSON.stringify({ reasonCodes } satisfies ApiPublishReply)),
        (e: unknown) => {
          logger.error('API publish failed', { clientName: req.clientName, err: e });
          msg.respond(
            JSON.stringify({
              reasonCodes: req.messages.map(() => ReasonCode.UNSPECIFIED_ERROR),
            } satisfies ApiPublishReply),
          );
        },
      );
    },
  });
}
