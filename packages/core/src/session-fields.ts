// The session field table: every property alterMqSession takes and describeMqSessions shows,
// declared once with its JSON schema (type, limits), the stored SessionSettings fields it maps to
// with their defaults, its live effect and its description. Request validation (Ajv, with the
// JSON API's error codes), the defaults, the proto mapping of a patch, the checks of gRPC patches,
// the rendering of a session and the OpenAPI document all derive from this table
// (docs/architecture.md, "Adding a session setting"). Adding a setting touches the proto
// (proto/mqfleet/v1/session.proto: SessionSettings and SessionPatch) and this table.
// One entry per setting: the file is long because it is the whole table, read top to bottom.
import type { SessionPatch, SessionSettings__Output } from '@mqfleet/proto';
import { invalidValue, MqfleetError, tooLarge } from './errors';
import { boolean, check, integer, rate, T, text, type TSchema } from './json-schema';
import {
  anyJson,
  binaryFromString,
  bytesValue,
  checkStoredBytes,
  checkStoredUserProperties,
  checkTopic,
  jsonValueBytes,
  keyValues,
  LABEL_ID,
  LABEL_TEXT,
  labelIdSchema,
  labelIdValue,
  labelObject,
  MAX_JSON_VALUE_BYTES,
  MAX_PACKET_SIZE,
  parseJsonText,
  PAYLOAD_TYPES,
  readUserProperties,
  renderBytes,
  renderLabelRef,
  REQUEST_BINARY_FORMATS,
  SEED_NEVER_EXPIRES,
  SESSION_STATUS_NAMES,
  statusFromName,
  statusName,
  textPayload,
  topicName,
  UINT16_MAX,
  UINT32_MAX,
  userPropertiesSchema,
  type BinaryFormat,
} from './session-values';
import { MAX_MQTT_STRING_BYTES } from './topics';

type Settings = SessionSettings__Output;

// ---------------------------------------------------------------------------------------------
// The table

/** What a field's reader gets besides its own (schema-checked) value. */
export interface ReadContext {
  /** Every settings property of the request. */
  params: Record<string, unknown>;
  /** The patch being built; readers run in table order. */
  patch: SessionPatch;
  has(name: string): boolean;
}

export interface SessionField {
  /** The JSON API property (alterMqSession params, describeMqSessions results). */
  name: string;
  description: string;
  /** What changes on the session's live connection (docs/live-effects.md). */
  live: string;
  /** The JSON value alterMqSession accepts. */
  schema: TSchema;
  /** The value describeMqSessions shows; absent for request-only properties. */
  result?: TSchema;
  /** The SessionSettings (and SessionPatch) fields it is stored in, with their defaults. */
  stores: Partial<Settings>;
  /** JSON value (valid per `schema`) → patch; by default stored as it is in the one field it stores. */
  read?(value: unknown, ctx: ReadContext): void;
  /** Checks of a patch that did not come through `read` (gRPC callers), beyond `storedSchema`. */
  checkStored?(patch: SessionPatch): void;
  /** The stored value's schema where it differs from `schema` (null: checkStored does it all). */
  storedSchema?: TSchema | null;
  /** Stored settings → the describeMqSessions value; by default the stored field as it is. */
  render?(settings: Settings, binaryFormat: BinaryFormat): unknown;
}

/** temporarySession (or cleanSession) also sets sessionExpiryInterval: 0 when temporary, "never" when not. */
function readTemporary(value: unknown, { patch, has }: ReadContext): void {
  patch.temporarySession = value as boolean;
  if (!has('sessionExpiryInterval')) patch.sessionExpiryInterval = value ? 0 : UINT32_MAX;
}

/** A UTF-8 mqttPayloadType or binaryFormat marks the will payload as UTF-8 unless told otherwise. */
function markTextPayload(_value: unknown, { patch, params, has }: ReadContext): void {
  if (textPayload(params) && !has('willPayloadFormatIndicator')) patch.willPayloadUtf8 = true;
}

const HEALTH_LIVE =
  'evaluated by the gateway holding the connection at once, then every MQFLEET_HEALTH_INTERVAL_MS';

export const SESSION_FIELDS: readonly SessionField[] = [
  {
    name: 'temporarySession',
    description:
      'true: the session ends with the connection (sets sessionExpiryInterval to 0; false sets it to never)',
    live: 'used when the connection ends (with sessionExpiryInterval)',
    schema: boolean(),
    result: T.Boolean(),
    stores: { temporarySession: false },
    read: readTemporary,
  },
  {
    name: 'cleanSession',
    description: 'MQTT 3.1.1 name of temporarySession; disagreeing with temporarySession → 12012',
    live: 'as temporarySession',
    schema: boolean(),
    result: T.Boolean(),
    stores: {},
    read(value, ctx) {
      if (ctx.patch.temporarySession !== undefined && ctx.patch.temporarySession !== value) {
        throw new MqfleetError(
          'INVALID_VALUE',
          '"temporarySession" and "cleanSession" disagree; send only "temporarySession"',
          'cleanSession',
        );
      }
      readTemporary(value, ctx);
    },
    render: (s) => s.temporarySession,
  },
  {
    name: 'sessionStatus',
    description: 'normal, hidden, banned or inactive (FairCom\'s "hide" and "ban" are accepted too)',
    live: 'banned: publishes and subscribes refused, nothing delivered, no will, next CONNECT refused; hidden: left out of listings; inactive: normal again at the next CONNECT',
    schema: T.Unsafe({
      type: 'string',
      enum: [...SESSION_STATUS_NAMES, 'hide', 'ban'],
      expects: '"normal", "hidden", "banned" or "inactive"',
    }),
    result: T.Unsafe({ type: 'string', enum: [...SESSION_STATUS_NAMES] }),
    stores: { sessionStatus: 'SESSION_STATUS_NORMAL' },
    read(value, { patch }) {
      patch.sessionStatus = statusFromName(value as string);
    },
    storedSchema: null,
    checkStored(patch) {
      const status = patch.sessionStatus;
      if (status === undefined || status === null) return;
      if (status === 'SESSION_STATUS_UNSPECIFIED' || status === 0) {
        throw invalidValue('sessionStatus', '"normal", "hidden", "banned" or "inactive"');
      }
    },
    render: (s) => statusName(s.sessionStatus),
  },
  {
    name: 'keepAliveSeconds',
    description: 'MQTT keep alive in seconds; 0 = no timeout',
    live: "the broker's idle timer restarts at 1.5 × the new value; MQTT 5 clients learn it as Server Keep Alive at their next CONNACK",
    schema: integer(0, UINT16_MAX),
    result: T.Integer(),
    stores: { keepAliveSeconds: 0 },
  },
  {
    name: 'userProperties',
    description: 'MQTT 5 user properties of the session',
    live: 'appended to the user properties of every message the session publishes from then on',
    schema: userPropertiesSchema(),
    result: keyValues,
    stores: { userProperties: [] },
    read(value, { patch }) {
      patch.userProperties = readUserProperties(value);
    },
    storedSchema: null,
    checkStored: (patch) => checkStoredUserProperties('userProperties', patch),
    render: (s) => s.userProperties.map((p) => ({ key: p.key, value: p.value })),
  },
  {
    name: 'sessionExpiryInterval',
    description: 'Seconds the session outlives its connection; 4,294,967,295 or more = never',
    live: 'used when the connection ends: 0 removes the session at once, N seconds after it disconnected',
    schema: integer(0, SEED_NEVER_EXPIRES),
    result: T.Integer(),
    stores: { sessionExpiryInterval: UINT32_MAX },
    read(value, { patch }) {
      patch.sessionExpiryInterval = Math.min(value as number, UINT32_MAX);
    },
    storedSchema: integer(0, UINT32_MAX, 'Stored session expiry interval'),
  },
  {
    name: 'receiveMaximum',
    description: 'MQTT 5 receive maximum',
    live: "caps the broker's outbound QoS 1/2 window to min(new value, what the client declared)",
    schema: integer(1, UINT16_MAX),
    result: T.Integer(),
    stores: { receiveMaximum: UINT16_MAX },
  },
  {
    name: 'maximumPacketSize',
    description: 'MQTT 5 maximum packet size in bytes',
    live: "larger deliveries than min(new value, the client's maximum) are dropped and counted",
    schema: integer(1, MAX_PACKET_SIZE),
    result: T.Integer(),
    stores: { maximumPacketSize: MAX_PACKET_SIZE },
  },
  {
    name: 'topicAliasMaximum',
    description: 'MQTT 5 topic alias maximum',
    live: "caps the alias numbers the broker assigns on deliveries (never above the client's own maximum)",
    schema: integer(0, UINT16_MAX),
    result: T.Integer(),
    stores: { topicAliasMaximum: 0 },
  },
  {
    name: 'requestProblemInformation',
    description: 'MQTT 5 request problem information',
    live: 'stored and shown',
    schema: boolean(),
    result: T.Boolean(),
    stores: { requestProblemInformation: true },
  },
  {
    name: 'requestResponseInformation',
    description: 'MQTT 5 request response information',
    live: 'stored and shown',
    schema: boolean(),
    result: T.Boolean(),
    stores: { requestResponseInformation: false },
  },
  {
    name: 'willTopic',
    description: 'Will topic: a topic name without wildcards; "" or null removes the will',
    live: 'replaces the will published when the connection ends without a clean DISCONNECT',
    schema: topicName(true),
    result: T.String(),
    stores: { willTopic: '' },
    read(value, { patch }) {
      const topic = (value ?? '') as string;
      checkTopic('willTopic', topic);
      patch.willTopic = topic;
    },
    // A gRPC caller's over-long topic is an invalid topic name (topicNameProblem says why).
    storedSchema: T.String(),
    checkStored: (patch) => checkTopic('willTopic', patch.willTopic),
  },
  {
    name: 'willQoS',
    description: 'Will QoS (2 for a new will when omitted)',
    live: 'the QoS of the will',
    schema: integer(0, 2),
    result: T.Integer(),
    stores: { willQos: 0 },
  },
  {
    name: 'mqttPayloadType',
    description:
      'Type of willPayload; utf8 and json set willPayloadFormatIndicator to utf8; with binary or jpeg a string willPayload is decoded per binaryFormat',
    live: 'how willPayload is read',
    schema: T.Unsafe({
      type: 'string',
      enum: PAYLOAD_TYPES,
      expects: `one of ${PAYLOAD_TYPES.map((t) => `"${t}"`).join(', ')}`,
    }),
    stores: {},
    read: markTextPayload,
  },
  {
    name: 'binaryFormat',
    description: 'How a binary willPayload string is encoded; utf8 marks the payload as UTF-8',
    live: 'how willPayload is read',
    schema: T.Unsafe({
      type: 'string',
      enum: REQUEST_BINARY_FORMATS,
      default: 'hex',
      expects: '"hex", "base64" or "utf8"',
    }),
    stores: {},
    read: markTextPayload,
  },
  {
    name: 'willPayload',
    description:
      'Will payload: a string is sent as its UTF-8 text (or decoded per binaryFormat with mqttPayloadType binary), anything else as its JSON text',
    live: 'the payload of the will',
    schema: anyJson(),
    result: bytesValue('Will payload'),
    stores: { willPayload: '' },
    read(value, { patch, params }) {
      const binary = params.mqttPayloadType === 'binary' || params.mqttPayloadType === 'jpeg';
      const payload =
        binary && typeof value === 'string'
          ? binaryFromString('willPayload', value, (params.binaryFormat as string | undefined) ?? 'hex')
          : jsonValueBytes('willPayload', value);
      if (payload.length > MAX_JSON_VALUE_BYTES)
        throw tooLarge('willPayload', `${MAX_JSON_VALUE_BYTES} bytes`);
      patch.willPayload = payload.toString('base64');
    },
    storedSchema: null,
    checkStored: (patch) => checkStoredBytes('willPayload', patch.willPayload),
    render: (s, format) => renderBytes(s.willPayload, format),
  },
  {
    name: 'willRetain',
    description: 'Whether the will is retained',
    live: 'the RETAIN flag of the will',
    schema: boolean(),
    result: T.Boolean(),
    stores: { willRetain: false },
  },
  {
    name: 'willContentType',
    description: 'Will content type',
    live: 'the Content Type of the will',
    schema: text(MAX_MQTT_STRING_BYTES),
    result: T.String(),
    stores: { willContentType: '' },
  },
  {
    name: 'willCorrelationData',
    description: 'Will correlation data: a string as its UTF-8 text, anything else as JSON',
    live: 'the Correlation Data of the will',
    schema: anyJson(),
    result: bytesValue('Will correlation data'),
    stores: { willCorrelationData: '' },
    read(value, { patch }) {
      patch.willCorrelationData = jsonValueBytes('willCorrelationData', value).toString('base64');
    },
    storedSchema: null,
    checkStored: (patch) => checkStoredBytes('willCorrelationData', patch.willCorrelationData),
    render: (s, format) => renderBytes(s.willCorrelationData, format),
  },
  {
    name: 'willPayloadFormatIndicator',
    description: 'none or utf8; none contradicts a UTF-8 mqttPayloadType (→ 12012)',
    live: 'the Payload Format Indicator of the will',
    schema: T.Unsafe({
      type: 'string',
      enum: ['none', 'utf8'],
      expects: '"none" or "utf8"',
    }),
    result: T.Unsafe({ type: 'string', enum: ['none', 'utf8'] }),
    stores: { willPayloadUtf8: false },
    read(value, { patch, params }) {
      if (value === 'none' && textPayload(params)) {
        throw new MqfleetError(
          'INVALID_VALUE',
          '"willPayloadFormatIndicator" "none" contradicts a UTF-8 "mqttPayloadType"; omit one of them',
          'willPayloadFormatIndicator',
        );
      }
      patch.willPayloadUtf8 = value === 'utf8';
    },
    storedSchema: null,
    render: (s) => (s.willPayloadUtf8 ? 'utf8' : 'none'),
  },
  {
    name: 'willExpirySeconds',
    description: 'Will message expiry in seconds',
    live: 'the Message Expiry Interval of the will',
    schema: integer(0, UINT32_MAX),
    result: T.Integer(),
    stores: { willExpirySeconds: 0 },
  },
  {
    name: 'willDelaySeconds',
    description: 'Will delay in seconds',
    live: 'how long after the connection ends the will is published',
    schema: integer(0, UINT32_MAX),
    result: T.Integer(),
    stores: { willDelaySeconds: 0 },
  },
  {
    name: 'willResponseTopic',
    description: 'Will response topic: a topic name without wildcards',
    live: 'the Response Topic of the will',
    schema: topicName(false),
    result: T.String(),
    stores: { willResponseTopic: '' },
    read(value, { patch }) {
      checkTopic('willResponseTopic', value as string);
      patch.willResponseTopic = value as string;
    },
    checkStored: (patch) => checkTopic('willResponseTopic', patch.willResponseTopic),
  },
  {
    name: 'willUserProperties',
    description: 'MQTT 5 user properties of the will',
    live: 'the user properties of the will',
    schema: userPropertiesSchema(),
    result: keyValues,
    stores: { willUserProperties: [] },
    read(value, { patch }) {
      patch.willUserProperties = readUserProperties(value);
    },
    storedSchema: null,
    checkStored: (patch) => checkStoredUserProperties('willUserProperties', patch),
    render: (s) => s.willUserProperties.map((p) => ({ key: p.key, value: p.value })),
  },
  {
    name: 'label',
    description:
      "The session's label by group + name: it must exist (createLabel), else 12012; the session stores its id. null removes it. Not with labelId",
    live: 'stored and shown',
    schema: labelObject(),
    result: T.Unsafe({
      type: ['object', 'null'],
      description:
        "The session's label with its current group and name (a renamed label shows its new name); null when none",
      properties: { id: { type: 'integer' }, group: { type: 'string' }, name: { type: 'string' } },
    }),
    // labelId too: a change of any of the three is a change of "label" in changedFields.
    stores: { labelGroup: '', labelName: '', labelId: 0 },
    read(value, { patch, has }) {
      if (has('labelId'))
        throw invalidValue('labelId', 'absent when "label" is given (name the label one way)');
      if (value === null) {
        patch.labelId = 0;
        return;
      }
      const label = value as { group?: string; name: string };
      patch.labelGroup = label.group ?? '';
      patch.labelName = label.name;
    },
    storedSchema: null,
    checkStored(patch) {
      const { labelGroup: group, labelName: name } = patch;
      if ((group !== undefined && group !== null) !== (name !== undefined && name !== null)) {
        throw invalidValue('label', 'given with both "group" and "name"');
      }
      const id = patch.labelId;
      if (id !== undefined && id !== null) {
        if (group !== undefined && group !== null)
          throw invalidValue('labelId', 'absent when "label" is given');
        check('labelId', LABEL_ID, Number(id));
      }
      if (group === undefined || group === null) return;
      check('label.group', LABEL_TEXT, group);
      check('label.name', LABEL_TEXT, name);
    },
    render: (s) => renderLabelRef(s).label,
  },
  {
    name: 'labelId',
    description:
      "The session's label by id (a numeric string is accepted): it must exist, else 12012. 0 or null removes it. Not with label",
    live: 'stored and shown',
    schema: labelIdSchema(),
    result: T.Unsafe({ type: ['integer', 'null'], description: 'The id of the label; null when none' }),
    stores: {}, // stored by "label"
    read(value, { patch }) {
      patch.labelId = value === null ? 0 : labelIdValue('labelId', value);
    },
    render: (s) => renderLabelRef(s).labelId,
  },
  {
    name: 'minHealthySendRatePerMinute',
    description: 'Fewest messages per minute a healthy session publishes; 0 = no bound',
    live: HEALTH_LIVE,
    schema: rate(),
    result: T.Number(),
    stores: { minHealthySendRatePerMinute: 0 },
  },
  {
    name: 'maxHealthySendRatePerMinute',
    description: 'Most messages per minute a healthy session publishes; 0 = no bound',
    live: HEALTH_LIVE,
    schema: rate(),
    result: T.Number(),
    stores: { maxHealthySendRatePerMinute: 0 },
  },
  {
    name: 'maxHealthyBacklogRatePerMinute',
    description: 'Most growth per minute of the messages waiting for a healthy session; 0 = no bound',
    live: HEALTH_LIVE,
    schema: rate(),
    result: T.Number(),
    stores: { maxHealthyBacklogRatePerMinute: 0 },
  },
  {
    name: 'minHealthySubscribedTopicFiltersCount',
    description: 'Fewest subscriptions of a healthy session; 0 = no bound',
    live: HEALTH_LIVE,
    schema: integer(0, UINT32_MAX),
    result: T.Integer(),
    stores: { minHealthySubscribedTopicFiltersCount: 0 },
  },
  {
    name: 'maxHealthySubscribedTopicFiltersCount',
    description: 'Most subscriptions of a healthy session; 0 = no bound',
    live: HEALTH_LIVE,
    schema: integer(0, UINT32_MAX),
    result: T.Integer(),
    stores: { maxHealthySubscribedTopicFiltersCount: 0 },
  },
  {
    name: 'metadata',
    description: 'Your own data about the session',
    live: 'stored and shown',
    schema: anyJson(),
    result: T.Unknown({ description: 'The JSON value set by alterMqSession' }),
    stores: { metadataJson: '{}' },
    read(value, { patch }) {
      const json = JSON.stringify(value);
      if (Buffer.byteLength(json, 'utf8') > MAX_JSON_VALUE_BYTES) {
        throw tooLarge('metadata', `${MAX_JSON_VALUE_BYTES} bytes`);
      }
      patch.metadataJson = json;
    },
    storedSchema: null,
    checkStored(patch) {
      if (patch.metadataJson === undefined || patch.metadataJson === null) return;
      try {
        JSON.parse(patch.metadataJson);
      } catch {
        throw invalidValue('metadata', 'JSON text');
      }
    },
    render: (s) => parseJsonText(s.metadataJson || '{}'),
  },
];

// ---------------------------------------------------------------------------------------------
// Derived: defaults, names, validation

/**
 * Every stored settings field with its default, from the table. Copied once more with a spread:
 * the object Object.assign builds from thirty sources is a dictionary-mode object in V8, and
 * `{ ...DEFAULT_SETTINGS, ...stored }` copied it 80 times slower (settingsFromStored took 3 % of
 * the session-service's CPU in bench/alter-throughput.ts). Not frozen, for the same reason.
 */
export const DEFAULT_SETTINGS: Settings = {
  ...(Object.assign({}, ...SESSION_FIELDS.map((f) => f.stores)) as Settings),
};

/** Names of every settings field, in a stable order. */
export const SETTINGS_FIELDS = Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[];

/** The JSON property of every stored field (changedFields of alterMqSession speak JSON names). */
export const JSON_NAME_OF_STORED: Readonly<Record<string, string>> = Object.fromEntries(
  SESSION_FIELDS.flatMap((f) => Object.keys(f.stores).map((stored) => [stored, f.name])),
);

/** Every settings property alterMqSession (and alterMqSessions' changes) accepts. */
export const SETTINGS_PARAMS: readonly string[] = SESSION_FIELDS.map((f) => f.name);
