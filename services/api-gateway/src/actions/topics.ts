// api "mq": the topic actions (docs/json-api.md, listTopics and describeTopics): the topics
// messages were published to, as the connection-gateways count them and the session-service
// records them (at most MQFLEET_MAX_TOPICS), and each topic's subscribers from the sessions'
// stored subscriptions. Administrators only (12030 otherwise), as listMqSessions.
import { invalidValue, MAX_MQTT_STRING_BYTES, tooLarge } from '@mqfleet/core';
import type {
  DescribeTopicsResponse__Output,
  ListTopicsResponse__Output,
  TopicInfo__Output,
  TopicSubscriber__Output,
} from '@mqfleet/proto';
import { unary } from '../backend';
import { apiTimestamp } from '../render';
import { int, labelRef, object, openObject, str, timestamp } from '../schemas';
import type { ActionDef } from './types';

/** FairCom's limit of partialName (and ours of search). */
const MAX_PARTIAL_BYTES = 64;
const MAX_LIST_RECORDS = 10_000;
const DEFAULT_LIST_RECORDS = 20;
const MAX_DESCRIBE_TOPICS = 1000;
const MAX_SUBSCRIBERS = 10_000;
const DEFAULT_SUBSCRIBERS = 1000;

const tooLong = (params: Record<string, unknown>, name: string): void => {
  const value = params[name];
  if (typeof value === 'string' && Buffer.byteLength(value, 'utf8') > MAX_PARTIAL_BYTES) {
    // The schema counts characters; the limit is bytes (the session-service checks it too).
    throw tooLarge(name, `${MAX_PARTIAL_BYTES} bytes`);
  }
};

const listTopics: ActionDef = {
  api: 'mq',
  name: 'listTopics',
  tokenRequired: true,
  summary:
    'Names of the topics messages were published to, in byte order, filtered by partialName (begins with) and search (contains)',
  params: object({
    partialName: str(MAX_PARTIAL_BYTES, 'Topics whose name begins with this; "" or omitted: every topic'),
    search: str(
      MAX_PARTIAL_BYTES,
      'Topics whose name contains this, ignoring case (mqfleet\'s meaning); "" or omitted: every topic',
    ),
    skipRecords: int(0, 2_147_483_647, 'Topics to skip before the first one answered', { default: 0 }),
    maxRecords: int(1, MAX_LIST_RECORDS, 'Topics answered at most', { default: DEFAULT_LIST_RECORDS }),
    label: labelRef(
      'Refused unless null: topics carry no labels in mqfleet, so no label can select them (12012)',
      true,
    ),
    dataFormat: {
      type: 'string',
      enum: ['arrays', 'objects'],
      description: 'Accepted; no effect: result.data is an array of topic names either way',
    },
  }),
  result: openObject({
    data: { type: 'array', items: { type: 'string' }, description: 'Topic names' },
  }),
  async run({ params, authToken, backend }) {
    if (params.label !== undefined && params.label !== null) {
      throw invalidValue(
        'label',
        'null or absent: topics carry no labels in mqfleet (docs/json-api.md, listTopics)',
      );
    }
    tooLong(params, 'partialName');
    tooLong(params, 'search');
    const listed = await unary<ListTopicsResponse__Output>((cb) =>
      backend.topics.listTopics(
        {
          partialName: (params.partialName as string | null | undefined) ?? '',
          search: (params.search as string | null | undefined) ?? '',
          skipRecords: (params.skipRecords as number | null | undefined) ?? 0,
          maxRecords: (params.maxRecords as number | null | undefined) ?? DEFAULT_LIST_RECORDS,
        },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    return { result: { data: listed.names } };
  },
};

/** The JSON API's mqttProtocol of a connection: FairCom's number (4 = 3.1.1, 5 = 5.0). */
function protocolNumber(protocol: string): number | null {
  if (protocol === '3.1.1') return 4;
  if (protocol === '5.0') return 5;
  return null;
}

const STATUS_TEXT: Record<string, string> = {
  connected: 'Connected',
  connectedTemporarily: 'Connected temporarily',
  disconnected: 'Disconnected',
};

function renderSubscriber(s: TopicSubscriber__Output): Record<string, unknown> {
  return {
    connection: {
      clientId: s.clientName,
      ipaddress: s.ipAddress || null,
      port: s.port || null,
      mqttProtocol: protocolNumber(s.mqttProtocol),
      keepAliveSeconds: s.keepAliveSeconds,
      status: `${STATUS_TEXT[s.connectionStatus] ?? 'Disconnected'} with clean flag = ${s.clean ? 1 : 0}`,
      connectionTime: apiTimestamp(s.connectedAt),
    },
    qos: s.qos,
  };
}

export function renderTopic(t: TopicInfo__Output): Record<string, unknown> {
  return {
    name: t.name,
    creationTime: apiTimestamp(t.createdAt),
    messageCount: Number(t.messageCount),
    lastMessageTime: apiTimestamp(t.lastMessageAt),
    averageMessagesPerMinute: t.averageMessagesPerMinute,
    averageMessagesPerHour: t.averageMessagesPerHour,
    averageMessagesPerDay: t.averageMessagesPerDay,
    subscriberList: t.subscriptions.map((g) => ({
      topicExpression: g.topicFilter,
      connectionList: g.subscribers.map(renderSubscriber),
    })),
    subscriberCount: t.subscriberCount,
  };
}

const describeTopics: ActionDef = {
  api: 'mq',
  name: 'describeTopics',
  tokenRequired: true,
  summary:
    'The named topics (never published to: left out) with message counts, averages and the sessions subscribed to them',
  params: object(
    {
      topics: {
        type: 'array',
        maxItems: MAX_DESCRIBE_TOPICS,
        items: str(MAX_MQTT_STRING_BYTES, 'A topic name (no wildcards)', 1),
        description: `Topic names, at most ${MAX_DESCRIBE_TOPICS.toLocaleString('en-US')}`,
      },
      maxSubscribers: int(
        1,
        MAX_SUBSCRIBERS,
        "mqfleet's extension: subscriptions listed per topic (subscriberCount counts them all)",
        { default: DEFAULT_SUBSCRIBERS },
      ),
    },
    ['topics'],
  ),
  result: openObject({
    data: {
      type: 'array',
      items: openObject({
        name: { type: 'string' },
        creationTime: timestamp('When a gateway received the first recorded message'),
        messageCount: { type: 'integer' },
        lastMessageTime: timestamp('When a gateway received the last recorded message'),
        averageMessagesPerMinute: { type: 'number' },
        averageMessagesPerHour: { type: 'number' },
        averageMessagesPerDay: { type: 'number' },
        subscriberList: {
          type: 'array',
          items: openObject({
            topicExpression: { type: 'string', description: 'The subscription topic filter' },
            connectionList: {
              type: 'array',
              items: openObject({
                connection: openObject({
                  clientId: { type: 'string' },
                  ipaddress: { type: ['string', 'null'] },
                  port: { type: ['integer', 'null'] },
                  mqttProtocol: { type: ['integer', 'null'], description: '4 = MQTT 3.1.1, 5 = MQTT 5.0' },
                  keepAliveSeconds: { type: 'integer' },
                  status: { type: 'string', description: 'e.g. "Connected with clean flag = 1"' },
                  connectionTime: timestamp('The last connection'),
                }),
                qos: { type: 'integer', minimum: 0, maximum: 2 },
              }),
            },
          }),
        },
        subscriberCount: {
          type: 'integer',
          description: "mqfleet's extension: matching subscriptions, also those beyond maxSubscribers",
        },
      }),
    },
  }),
  async run({ params, authToken, backend }) {
    const described = await unary<DescribeTopicsResponse__Output>((cb) =>
      backend.topics.describeTopics(
        {
          topics: params.topics as string[],
          maxSubscribers: (params.maxSubscribers as number | null | undefined) ?? DEFAULT_SUBSCRIBERS,
        },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    return { result: { data: described.topics.map(renderTopic) } };
  },
};

export const TOPIC_ACTIONS: ActionDef[] = [listTopics, describeTopics];
