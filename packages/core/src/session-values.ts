// The values of session settings: limits, status names, and the conversions between JSON API
// values and stored ones that the field table (session-fields.ts) uses to read and render them.
import { Type as T, type TSchema } from '@sinclair/typebox';
import type { SessionPatch, SessionSettings__Output, UserProperty } from '@mqfleet/proto';
import { invalidValue, tooLarge } from './errors';
import { check, count, integer, text } from './json-schema';
import { MAX_MQTT_STRING_BYTES, topicNameProblem } from './topics';

type Settings = SessionSettings__Output;

export const UINT16_MAX = 65535;
export const UINT32_MAX = 4294967295;
/**
 * "Never expires" as the JSON API writes it (2^32, docs/live-effects.md); stored as UINT32_MAX,
 * MQTT's own maximum.
 */
export const SEED_NEVER_EXPIRES = 4294967296;
/** Largest MQTT packet: 268,435,455 bytes of remaining length plus a 5-byte fixed header. */
export const MAX_PACKET_SIZE = 268435460;
/**
 * Largest JSON value for willPayload, willCorrelationData and metadata (the JSON API's limit,
 * docs/json-api.md).
 */
export const MAX_JSON_VALUE_BYTES = 65500;
export const MAX_USER_PROPERTY_KEY_BYTES = 128;
export const MAX_LABEL_BYTES = 64;
/** Label ids are 0–2,147,483,647 (docs/json-api.md); the labels table assigns them from 1. */
export const MAX_LABEL_ID = 2_147_483_647;

/** How bytes that are not UTF-8 are shown in results (responseOptions.binaryFormat). */
export type BinaryFormat = 'hex' | 'base64' | 'byteArray';

export const SESSION_STATUS_NAMES = ['normal', 'hidden', 'banned', 'inactive'] as const;
/** sessionType: made by an MQTT CONNECT, or by createMqApiSession (docs/json-api.md). */
export const SESSION_TYPES = ['mqtt', 'mqApi'] as const;
type StatusEnum = Settings['sessionStatus'];
const STATUS_BY_NAME: Record<string, StatusEnum> = {
  normal: 'SESSION_STATUS_NORMAL',
  hidden: 'SESSION_STATUS_HIDDEN',
  banned: 'SESSION_STATUS_BANNED',
  inactive: 'SESSION_STATUS_INACTIVE',
  // Names the JSON API uses (docs/json-api.md, alterMqSession).
  hide: 'SESSION_STATUS_HIDDEN',
  ban: 'SESSION_STATUS_BANNED',
};

export function statusFromName(name: string): StatusEnum | undefined {
  return Object.hasOwn(STATUS_BY_NAME, name) ? STATUS_BY_NAME[name] : undefined;
}

export function statusName(status: StatusEnum | undefined): (typeof SESSION_STATUS_NAMES)[number] {
  switch (status) {
    case 'SESSION_STATUS_HIDDEN':
      return 'hidden';
    case 'SESSION_STATUS_BANNED':
      return 'banned';
    case 'SESSION_STATUS_INACTIVE':
      return 'inactive';
    default:
      return 'normal';
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Stored bytes (base64, as the proto loader gives them) for the JSON API: UTF-8 text when they are
 * valid UTF-8, otherwise per binaryFormat (also when marked UTF-8 but not: text would lose bytes).
 */
export function renderBytes(base64: string, format: BinaryFormat): string | number[] {
  const bytes = Buffer.from(base64, 'base64');
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    // not UTF-8: binary
  }
  if (format === 'base64') return bytes.toString('base64');
  if (format === 'byteArray') return [...bytes];
  return bytes.toString('hex');
}

/**
 * The session's label: `label` {id, group, name} (its current group and name) and `labelId`,
 * the two ways alterMqSession names it; both null when the session has none.
 */
export function renderLabelRef(s: { labelId?: number; labelGroup: string; labelName: string }): {
  label: { id: number; group: string; name: string } | null;
  labelId: number | null;
} {
  if (!s.labelId) return { label: null, labelId: null };
  return { label: { id: s.labelId, group: s.labelGroup, name: s.labelName }, labelId: s.labelId };
}

export function parseJsonText(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export const PAYLOAD_TYPES = ['json', 'xml', 'binary', 'jpeg', 'siemensUdt', 'utf8', 'variantObject'];
export const REQUEST_BINARY_FORMATS = ['hex', 'base64', 'utf8'];

/** Any JSON value as bytes: a string is its UTF-8 text, anything else its JSON text. */
export function jsonValueBytes(name: string, value: unknown): Buffer {
  const buf = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
  if (buf.length > MAX_JSON_VALUE_BYTES) throw tooLarge(name, `${MAX_JSON_VALUE_BYTES} bytes`);
  return buf;
}

export function binaryFromString(name: string, value: string, format: string): Buffer {
  if (format === 'hex') {
    if (!/^([0-9a-fA-F]{2})*$/.test(value)) throw invalidValue(name, 'hexadecimal text (binaryFormat "hex")');
    return Buffer.from(value, 'hex');
  }
  if (format === 'base64') {
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(value))
      throw invalidValue(name, 'base64 text (binaryFormat "base64")');
    return Buffer.from(value, 'base64');
  }
  return Buffer.from(value, 'utf8');
}

export function checkTopic(name: string, topic: string | undefined | null): void {
  const problem = topic ? topicNameProblem(topic) : undefined;
  if (problem) throw invalidValue(name, `a valid topic name (${problem})`);
}

export function readUserProperties(value: unknown): { items: UserProperty[] } {
  const items = ((value ?? []) as { key: string; value: unknown }[]).map((item) => ({
    key: item.key,
    value: item.value === null ? '' : String(item.value),
  }));
  return { items };
}

export function checkStoredUserProperties(
  name: 'userProperties' | 'willUserProperties',
  patch: SessionPatch,
): void {
  const list = patch[name];
  (list?.items ?? []).forEach((item, i) => {
    check(`${name}[${i}].key`, PROPERTY_KEY, item.key ?? '');
    check(`${name}[${i}].value`, PROPERTY_VALUE, item.value ?? '');
  });
}
const PROPERTY_KEY = text(MAX_USER_PROPERTY_KEY_BYTES, 'Name', 1);
const PROPERTY_VALUE = text(MAX_MQTT_STRING_BYTES, 'Value');

/** A UTF-8 payload type (or binaryFormat utf8) marks the will payload as UTF-8 (docs/json-api.md). */
export function textPayload(params: Record<string, unknown>): boolean {
  return (
    params.mqttPayloadType === 'utf8' || params.mqttPayloadType === 'json' || params.binaryFormat === 'utf8'
  );
}

export const labelObject = (): TSchema =>
  T.Unsafe({
    type: ['object', 'null'],
    expects: 'an object with "group" and "name"',
    properties: {
      group: text(MAX_LABEL_BYTES, 'Label group; "" (default) is the default group'),
      name: text(MAX_LABEL_BYTES, 'Label name', 1),
    },
    required: ['name'],
    additionalProperties: false,
  });
export const labelIdSchema = (): TSchema =>
  T.Unsafe({
    type: ['integer', 'string', 'null'],
    minimum: 0,
    maximum: MAX_LABEL_ID,
    pattern: '^\\d{1,10}$',
    expects: `an integer from 0 to ${MAX_LABEL_ID}`,
  });

/** A label id: an integer 0–2,147,483,647, also as a numeric string (as the label actions take it). */
export function labelIdValue(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_LABEL_ID) {
    throw invalidValue(name, `an integer from 0 to ${MAX_LABEL_ID}`, value);
  }
  return n;
}

export const LABEL_TEXT = text(MAX_LABEL_BYTES, 'Label text');
export const LABEL_ID = integer(0, MAX_LABEL_ID, 'Label id');

export function checkStoredBytes(name: string, value: string | Uint8Array | null | undefined): void {
  if (value === undefined || value === null) return;
  const length = typeof value === 'string' ? Buffer.from(value, 'base64').length : value.length;
  if (length > MAX_JSON_VALUE_BYTES) throw tooLarge(name, `${MAX_JSON_VALUE_BYTES} bytes`);
}

// Schemas of session values.
export const anyJson = (): TSchema =>
  T.Unknown({ description: `Any JSON value up to ${count(MAX_JSON_VALUE_BYTES)} bytes` });
export const userPropertiesSchema = (): TSchema =>
  T.Unsafe({
    type: ['array', 'null'],
    expects: 'an array of {"key", "value"} objects',
    description: 'null or [] removes them all',
    items: T.Object(
      {
        key: text(MAX_USER_PROPERTY_KEY_BYTES, 'Name', 1),
        value: T.Unsafe({
          type: ['string', 'number', 'boolean', 'null'],
          maxBytes: MAX_MQTT_STRING_BYTES,
          expects: 'a string',
          description: 'Value; numbers and booleans are turned into text, null into ""',
        }),
      },
      { additionalProperties: false, expects: 'an object with "key" and "value"' },
    ),
  });
export const keyValues = T.Array(T.Object({ key: T.String(), value: T.String() }));
export const bytesValue = (description: string): TSchema =>
  T.Unsafe({
    type: ['string', 'array'],
    items: { type: 'integer', minimum: 0, maximum: 255 },
    description: `${description}: text when the bytes are UTF-8, else per responseOptions.binaryFormat (hex, base64 or byteArray)`,
  });
export const topicName = (nullable: boolean): TSchema =>
  T.Unsafe({
    type: nullable ? ['string', 'null'] : 'string',
    maxLength: MAX_MQTT_STRING_BYTES,
    maxBytes: MAX_MQTT_STRING_BYTES,
  });
