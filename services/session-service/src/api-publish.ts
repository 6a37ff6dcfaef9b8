// Messages a session publishes through the API (Publish, publishMessagesToMq) go to one
// connection-gateway of the queue group "gateways" (core subjects apiPublish), which routes them as
// that session's PUBLISH packets (services/connection-gateway/src/api-publish.ts).
import { MqfleetError, type ApiPublishReply, type ApiPublishRequest, type Subjects } from '@mqfleet/core';
import { ErrorCode as NatsErrorCode, type NatsConnection } from 'nats';

/** The reason code of each message; UNAVAILABLE when no gateway runs, TIMEOUT past `timeoutMs`. */
export async function publishThroughGateway(
  nc: NatsConnection,
  subjects: Subjects,
  request: ApiPublishRequest,
  timeoutMs: number,
): Promise<number[]> {
  try {
    // A QoS 1 message waits for its copies to be stored (at most the gateway's publish timeout).
    const reply = await nc.request(subjects.apiPublish, JSON.stringify(request), {
      timeout: timeoutMs + 1000,
    });
    return reply.json<ApiPublishReply>().reasonCodes;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === NatsErrorCode.NoResponders) {
      throw new MqfleetError('UNAVAILABLE', 'no connection-gateway is running to route the messages');
    }
    if (code === NatsErrorCode.Timeout) {
      throw new MqfleetError('TIMEOUT', 'no connection-gateway answered the publish in time');
    }
    throw err;
  }
}
