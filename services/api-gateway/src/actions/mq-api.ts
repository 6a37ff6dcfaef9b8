// api "mq": the MQ API session actions (docs/json-api.md): createMqApiSession, a session for a
// program or browser that uses the JSON API instead of MQTT (one client-name space with MQTT
// sessions; every property alterMqSession takes), and publishMessagesToMq, messages published as
// a session to MQTT and MQ API subscribers on every gateway, and getMessagesFromMqApiSession, the
// messages kept for an MQ API session's subscriptions.
import {
  binaryFromString,
  jsonValueBytes,
  MAX_CLIENT_NAME_BYTES,
  MAX_MQTT_STRING_BYTES,
  PAYLOAD_TYPES,
  UINT32_MAX,
  parseClientName,
  parseSettingsParams,
} from '@mqfleet/core';
import type {
  CreateMqApiSessionResponse__Output,
  GetMessagesResponse__Output,
  GetTopicMessagesResponse__Output,
  PublishMessage,
  StoredMessage__Output,
  PublishResponse__Output,
} from '@mqfleet/proto';
import { unary } from '../backend';
import { renderSession } from '../render';
import {
  anyJson,
  bool,
  clientName,
  int,
  object,
  openObject,
  ref,
  SETTINGS_PROPERTIES,
  str,
} from '../schemas';
import type { ActionDef } from './types';

const createMqApiSession: ActionDef = {
  api: 'mq',
  name: 'createMqApiSession',
  tokenRequired: true,
  summary:
    'Creates an MQ API session (permanent unless temporarySession is true) owned by the calling account; a name any session holds → 12020',
  params: object({
    clientName: {
      ...str(
        MAX_CLIENT_NAME_BYTES,
        'The new session\'s name; "", null or omitted: a unique name is generated',
      ),
      type: ['string', 'null'],
    },
    ...SETTINGS_PROPERTIES,
  }),
  result: ref('MqSession'),
  async run({ params, authToken, backend, options }) {
    const { clientName, ...settings } = params;
    const patch = parseSettingsParams(settings, 'createMqApiSession');
    const created = await unary<CreateMqApiSessionResponse__Output>((cb) =>
      backend.session.createMqApiSession(
        { clientName: typeof clientName === 'string' ? clientName : '', patch },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    if (!created.session) throw new Error('CreateMqApiSession answered without a session');
    return { result: renderSession(created.session, options) };
  },
};

/** Messages per publishMessagesToMq call. */
const MAX_MESSAGES = 1000;
/** Messages per getMessagesFromMqApiSession call (the session-service's bound), and by default. */
const MAX_READ = 10_000;
const DEFAULT_MAX_READ = 100;
const FORMATS = ['utf8', 'json', 'hex', 'base64'];
/** One messages[] entry → the gRPC message: the payload's bytes per binaryFormat / mqttPayloadType. */
function toPublishMessage(m: Record<string, unknown>, at: string): PublishMessage {
  const format = (m.binaryFormat as string | undefined) ?? 'utf8';
  const binary = format === 'hex' || format === 'base64' || m.mqttPayloadType === 'binary';
  const payload =
    binary && typeof m.payload === 'string'
      ? binaryFromString(`${at}.payload`, m.payload, format === 'utf8' ? 'hex' : format)
      : jsonValueBytes(`${at}.payload`, m.payload ?? '');
  const text =
    format === 'utf8' || format === 'json' || m.mqttPayloadType === 'utf8' || m.mqttPayloadType === 'json';
  return {
    payload,
    qos: (m.qos as number | undefined) ?? 0,
    retain: (m.retain as boolean | undefined) ?? false,
    contentType: (m.contentType as string | undefined) ?? '',
    correlationData:
      m.correlationData === undefined || m.correlationData === null
        ? Buffer.alloc(0)
        : jsonValueBytes(`${at}.correlationData`, m.correlationData),
    responseTopic: (m.responseTopic as string | undefined) ?? '',
    expirySeconds: (m.expirySeconds as number | undefined) ?? 0,
    payloadUtf8: text && !binary,
    userProperties: ((m.userProperties as { key: string; value: unknown }[] | null | undefined) ?? []).map(
      (p) => ({ key: p.key, value: p.value === null ? '' : String(p.value) }),
    ),
  };
}

const publishMessagesToMq: ActionDef = {
  api: 'mq',
  name: 'publishMessagesToMq',
  tokenRequired: true,
  summary:
    'Publishes messages as a session (MQTT or MQ API) to every subscriber on every gateway; a banned session → 12040',
  params: object(
    {
      clientName: clientName('The publishing session (its owner or an administrator may publish as it)'),
      topic: str(MAX_MQTT_STRING_BYTES, 'Topic name (no wildcards)', 1),
      messages: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_MESSAGES,
        items: object({
          payload: anyJson(
            'The payload: a string as its UTF-8 text (hex or base64 per binaryFormat), anything else as JSON',
          ),
          binaryFormat: {
            type: 'string',
            enum: FORMATS,
            default: 'utf8',
            description: 'How a string payload is written',
          },
          mqttPayloadType: {
            type: 'string',
            enum: PAYLOAD_TYPES,
            description: 'utf8 and json mark the payload as UTF-8',
          },
          qos: int(0, 1, 'QoS of the message', { default: 0 }),
          retain: bool('Retain the message', { default: false }),
          contentType: str(MAX_MQTT_STRING_BYTES, 'MQTT 5 Content Type'),
          correlationData: anyJson('MQTT 5 Correlation Data'),
          responseTopic: str(MAX_MQTT_STRING_BYTES, 'MQTT 5 Response Topic'),
          expirySeconds: int(0, UINT32_MAX, 'MQTT 5 Message Expiry Interval; 0 = none', { default: 0 }),
          // As a session's user properties (numbers and booleans become text, null "").
          userProperties: SETTINGS_PROPERTIES.userProperties!,
        }),
      },
    },
    ['clientName', 'topic', 'messages'],
  ),
  result: openObject({
    clientName: { type: 'string' },
    topic: { type: 'string' },
    messages: {
      type: 'array',
      items: openObject({
        reasonCode: {
          type: 'integer',
          description: 'MQTT 5 reason code: 0 routed (QoS 1: stored), 0x87 not authorized, …',
        },
      }),
    },
    published: { type: 'integer', description: 'Messages with reason code 0' },
  }),
  async run({ params, authToken, backend }) {
    const name = parseClientName(params.clientName);
    const topic = params.topic as string;
    const messages = (params.messages as Record<string, unknown>[]).map((m, i) =>
      toPublishMessage(m, `messages[${i}]`),
    );
    const res = await unary<PublishResponse__Output>((cb) =>
      backend.session.publish(
        { clientName: name, topic, messages },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    return {
      result: {
        clientName: name,
        topic,
        messages: res.reasonCodes.map((reasonCode) => ({ reasonCode })),
        published: res.reasonCodes.filter((c) => c === 0).length,
      },
    };
  },
};

/** A payload (or correlation data) in the asked format; what cannot be shown so says which it is. */
function renderBytes(bytes: Buffer, format: string): { value: unknown; format: string } {
  if (format === 'hex' || format === 'base64') return { value: bytes.toString(format), format };
  const text = new TextDecoder('utf-8', { fatal: true });
  let decoded: string;
  try {
    decoded = text.decode(bytes);
  } catch {
    // Not UTF-8: shown as base64, and the message says so.
    return { value: bytes.toString('base64'), format: 'base64' };
  }
  if (format === 'json') {
    try {
      return { value: JSON.parse(decoded) as unknown, format: 'json' };
    } catch {
      return { value: decoded, format: 'utf8' };
    }
  }
  return { value: decoded, format: 'utf8' };
}

/** One kept message as the JSON API shows it. */
export function renderStoredMessage(m: StoredMessage__Output, format: string): Record<string, unknown> {
  const payload = renderBytes(Buffer.from(m.payload, 'base64'), format);
  const out: Record<string, unknown> = {
    topic: m.topic,
    payload: payload.value,
    binaryFormat: payload.format,
    mqttPayloadType: m.payloadUtf8 ? 'utf8' : 'binary',
    qos: m.qos,
    retain: m.retain,
    userProperties: m.userProperties.map((p) => ({ key: p.key, value: p.value })),
    subscriptionIdentifiers: m.subscriptionIdentifiers,
    receivedAt: m.receivedAt,
    sequence: Number(m.sequence),
  };
  if (m.contentType) out.contentType = m.contentType;
  if (m.correlationData.length > 0)
    out.correlationData = renderBytes(Buffer.from(m.correlationData, 'base64'), 'json').value;
  if (m.responseTopic) out.responseTopic = m.responseTopic;
  if (m.expirySeconds > 0) out.expirySeconds = m.expirySeconds;
  return out;
}

const getMessagesFromMqApiSession: ActionDef = {
  api: 'mq',
  name: 'getMessagesFromMqApiSession',
  tokenRequired: true,
  summary:
    "Takes the oldest messages kept for an MQ API session's subscriptions (each is returned once; the next call resumes after them); a banned session → 12040",
  params: object(
    {
      clientName: clientName('An MQ API session (its owner or an administrator may read it)'),
      maxMessages: int(1, MAX_READ, 'Messages to return at most', { default: DEFAULT_MAX_READ }),
      topic: str(
        MAX_MQTT_STRING_BYTES,
        'Only messages of this topic name (no wildcards); others stay kept',
        1,
      ),
      binaryFormat: {
        type: 'string',
        enum: FORMATS,
        default: 'utf8',
        description:
          'How payloads are shown: utf8 text, json (parsed; utf8 text when it does not parse), hex or base64. A payload that is not UTF-8 is shown as base64 whatever is asked; each message names the format used.',
      },
    },
    ['clientName'],
  ),
  result: openObject({
    clientName: { type: 'string' },
    data: {
      type: 'array',
      items: openObject({
        topic: { type: 'string' },
        payload: {},
        binaryFormat: { type: 'string', enum: FORMATS },
        mqttPayloadType: { type: 'string', enum: ['utf8', 'binary'] },
        qos: { type: 'integer' },
        retain: { type: 'boolean' },
        contentType: { type: 'string' },
        correlationData: {},
        responseTopic: { type: 'string' },
        expirySeconds: { type: 'integer', description: 'Message Expiry Interval left' },
        userProperties: {
          type: 'array',
          items: openObject({ key: { type: 'string' }, value: { type: 'string' } }),
        },
        subscriptionIdentifiers: { type: 'array', items: { type: 'integer' } },
        receivedAt: { type: 'string', description: 'When a gateway received it (ISO 8601, UTC)' },
        sequence: { type: 'integer', description: 'Position in the store; grows with every message' },
      }),
    },
    messageCount: { type: 'integer' },
    remainingMessages: { type: 'integer', description: 'Messages still kept (of topic, when given)' },
  }),
  async run({ params, authToken, backend }) {
    const name = parseClientName(params.clientName);
    const format = (params.binaryFormat as string | undefined) ?? 'utf8';
    const res = await unary<GetMessagesResponse__Output>((cb) =>
      backend.session.getMessages(
        {
          clientName: name,
          maxMessages: (params.maxMessages as number | undefined) ?? DEFAULT_MAX_READ,
          topic: (params.topic as string | undefined) ?? '',
        },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    return {
      result: {
        clientName: name,
        data: res.messages.map((m) => renderStoredMessage(m, format)),
        messageCount: res.messages.length,
        remainingMessages: Number(res.remaining),
      },
    };
  },
};

const getMessagesFromMqTopic: ActionDef = {
  api: 'mq',
  name: 'getMessagesFromMqTopic',
  tokenRequired: true,
  summary:
    "Reads a stored topic's history (MQFLEET_STORED_TOPICS) from its tail, head, a time or a position, without moving or removing anything; administrators only",
  params: object(
    {
      topic: str(MAX_MQTT_STRING_BYTES, 'A topic name (no wildcards)', 1),
      startFrom: {
        description:
          '"tail" (default: the newest maxMessages), "head" (the oldest), an ISO 8601 date or date-time (the first at or after it; UTC when no zone is given) or a position (a message\'s sequence: from it on); also as a one-element array, as FairCom writes it',
        anyOf: [
          { type: 'string', maxLength: 64 },
          { type: 'integer', minimum: 0 },
          {
            type: 'array',
            minItems: 1,
            maxItems: 1,
            items: {
              anyOf: [
                { type: 'string', maxLength: 64 },
                { type: 'integer', minimum: 0 },
              ],
            },
          },
        ],
      },
      maxMessages: int(1, MAX_READ, 'Messages to return at most', { default: DEFAULT_MAX_READ }),
      binaryFormat: {
        type: 'string',
        enum: FORMATS,
        default: 'utf8',
        description: 'How payloads are shown (as in getMessagesFromMqApiSession)',
      },
    },
    ['topic'],
  ),
  result: openObject({
    topic: { type: 'string' },
    data: { type: 'array', items: openObject({ topic: { type: 'string' }, sequence: { type: 'integer' } }) },
    messageCount: { type: 'integer' },
    keptMessages: { type: 'integer', description: 'Messages of the topic kept now' },
    stored: { type: 'boolean', description: 'The topic matches MQFLEET_STORED_TOPICS' },
  }),
  async run({ params, authToken, backend }) {
    const topic = params.topic as string;
    const raw = Array.isArray(params.startFrom) ? (params.startFrom[0] as unknown) : params.startFrom;
    const format = (params.binaryFormat as string | undefined) ?? 'utf8';
    const res = await unary<GetTopicMessagesResponse__Output>((cb) =>
      backend.session.getTopicMessages(
        {
          topic,
          startFrom: raw === undefined || raw === null ? '' : String(raw),
          maxMessages: (params.maxMessages as number | undefined) ?? DEFAULT_MAX_READ,
        },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    return {
      result: {
        topic,
        data: res.messages.map((m) => {
          const { subscriptionIdentifiers: _ids, ...rest } = renderStoredMessage(m, format);
          return rest;
        }),
        messageCount: res.messages.length,
        keptMessages: Number(res.kept),
        stored: res.stored,
      },
    };
  },
};

export const MQ_API_ACTIONS: ActionDef[] = [
  getMessagesFromMqTopic,
  createMqApiSession,
  publishMessagesToMq,
  getMessagesFromMqApiSession,
];
