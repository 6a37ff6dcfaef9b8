// api "mq": the MQ API session actions (docs/json-api.md): createMqApiSession, a session for a
// program or browser that uses the JSON API instead of MQTT (one client-name space with MQTT
// sessions; every property alterMqSession takes), and publishMessagesToMq, messages published as
// a session to MQTT and MQ API subscribers on every gateway.
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
  PublishMessage,
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

export const MQ_API_ACTIONS: ActionDef[] = [createMqApiSession, publishMessagesToMq];
