// The session model: settings, their limits and defaults, the alterMqSession parameters of the
// JSON API turned into a typed patch, and the patch applied to stored settings.
import type { SessionPatch, SessionSettings__Output, UserProperty } from '@mqfleet/proto';
import { invalidValue, missingProperty, MqfleetError, tooLarge } from './errors';
import { readBool as bool, readString as str, readUint as uint } from './json-values';
import { MAX_MQTT_STRING_BYTES, topicNameProblem } from './topics';

export type Settings = SessionSettings__Output;
export type SessionStatusName = 'normal' | 'hidden' | 'banned' | 'inactive';
type StatusEnum = Settings['sessionStatus'];

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
/** Highest MQTT 5 Subscription Identifier [MQTT-3.8.2.1.2] (a Variable Byte Integer). */
export const MAX_SUBSCRIPTION_IDENTIFIER = 268_435_455;
export const MAX_CLIENT_NAME_BYTES = MAX_MQTT_STRING_BYTES;

export const DEFAULT_SETTINGS: Settings = {
  temporarySession: false,
  sessionStatus: 'SESSION_STATUS_NORMAL',
  keepAliveSeconds: 0,
  userProperties: [],
  sessionExpiryInterval: UINT32_MAX,
  receiveMaximum: UINT16_MAX,
  maximumPacketSize: MAX_PACKET_SIZE,
  topicAliasMaximum: 0,
  requestProblemInformation: true,
  requestResponseInformation: false,
  willTopic: '',
  willPayload: '',
  willQos: 0,
  willRetain: false,
  willContentType: '',
  willCorrelationData: '',
  willPayloadUtf8: false,
  willExpirySeconds: 0,
  willDelaySeconds: 0,
  willResponseTopic: '',
  willUserProperties: [],
  labelGroup: '',
  labelName: '',
  labelId: 0,
  minHealthySendRatePerMinute: 0,
  maxHealthySendRatePerMinute: 0,
  maxHealthyBacklogRatePerMinute: 0,
  minHealthySubscribedTopicFiltersCount: 0,
  maxHealthySubscribedTopicFiltersCount: 0,
  metadataJson: '{}',
};

/** Names of every settings field, in a stable order. */
export const SETTINGS_FIELDS = Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[];

const STATUS_BY_NAME: Record<string, StatusEnum> = {
  normal: 'SESSION_STATUS_NORMAL',
  hidden: 'SESSION_STATUS_HIDDEN',
  banned: 'SESSION_STATUS_BANNED',
  inactive: 'SESSION_STATUS_INACTIVE',
  // Names the JSON API uses (docs/json-api.md, alterMqSession).
  hide: 'SESSION_STATUS_HIDDEN',
  ban: 'SESSION_STATUS_BANNED',
};

export function statusName(status: StatusEnum | undefined): SessionStatusName {
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

export function statusFromName(name: string): StatusEnum | undefined {
  return STATUS_BY_NAME[name];
}

// ---------------------------------------------------------------------------------------------
// JSON API parameters → patch

export interface AlterRequest {
  clientName: string;
  patch: SessionPatch;
  expectedVersion?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rate(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidValue(name, 'a number of 0 or more', value);
  }
  return value;
}

function userProperties(name: string, value: unknown): UserProperty[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalidValue(name, 'an array of {"key", "value"} objects', value);
  return value.map((item, i) => {
    const at = `${name}[${i}]`;
    if (!isPlainObject(item)) throw invalidValue(at, 'an object with "key" and "value"', item);
    for (const k of Object.keys(item)) {
      if (k !== 'key' && k !== 'value')
        throw invalidValue(`${at}.${k}`, 'absent (only "key" and "value" are allowed)');
    }
    if (item.key === undefined) throw missingProperty(`${at}.key`);
    const key = str(`${at}.key`, item.key, MAX_USER_PROPERTY_KEY_BYTES);
    if (key.length === 0) throw invalidValue(`${at}.key`, 'from 1 to 128 bytes');
    let raw = item.value;
    if (raw === undefined) throw missingProperty(`${at}.value`);
    if (raw === null) raw = '';
    if (typeof raw === 'number' || typeof raw === 'boolean') raw = String(raw);
    const val = str(`${at}.value`, raw);
    return { key, value: val };
  });
}

/** Any JSON value as bytes: a string is its UTF-8 text, anything else its JSON text. */
function jsonValueBytes(name: string, value: unknown): Buffer {
  const text = typeof value === 'string' ? value : JSON.stringify(value as Json);
  const buf = Buffer.from(text, 'utf8');
  if (buf.length > MAX_JSON_VALUE_BYTES) throw tooLarge(name, `${MAX_JSON_VALUE_BYTES} bytes`);
  return buf;
}

function binaryFromString(name: string, value: string, format: string): Buffer {
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

const PAYLOAD_TYPES = ['json', 'xml', 'binary', 'jpeg', 'siemensUdt', 'utf8', 'variantObject'];
const BINARY_FORMATS = ['hex', 'base64', 'utf8'];

/** Every property alterMqSession accepts in "params". Anything else is refused by name. */
export const ALTER_PARAMS = [
  'clientName',
  'expectedVersion',
  'temporarySession',
  'cleanSession',
  'sessionStatus',
  'keepAliveSeconds',
  'userProperties',
  'mqttPayloadType',
  'binaryFormat',
  'sessionExpiryInterval',
  'receiveMaximum',
  'maximumPacketSize',
  'topicAliasMaximum',
  'requestProblemInformation',
  'requestResponseInformation',
  'willTopic',
  'willQoS',
  'willPayload',
  'willRetain',
  'willContentType',
  'willCorrelationData',
  'willPayloadFormatIndicator',
  'willExpirySeconds',
  'willDelaySeconds',
  'willResponseTopic',
  'willUserProperties',
  'label',
  'labelId',
  'minHealthySendRatePerMinute',
  'maxHealthySendRatePerMinute',
  'maxHealthyBacklogRatePerMinute',
  'minHealthySubscribedTopicFiltersCount',
  'maxHealthySubscribedTopicFiltersCount',
  'metadata',
] as const;

export function parseClientName(value: unknown, property = 'clientName'): string {
  if (value === undefined || value === null || value === '') throw missingProperty(property);
  return str(property, value, MAX_CLIENT_NAME_BYTES);
}

/** A label id: an integer 0–2,147,483,647, also as a numeric string (as the label actions take it). */
export function labelIdValue(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  return uint(name, n, 0, MAX_LABEL_ID);
}

/** Reads alterMqSession "params" into a patch. Omitted properties stay unchanged. */
export function parseAlterParams(params: unknown): AlterRequest {
  if (params === undefined || params === null) throw missingProperty('params');
  if (!isPlainObject(params)) throw invalidValue('params', 'an object', params);
  const { clientName: rawName, expectedVersion: rawVersion, ...settings } = params;
  const clientName = parseClientName(rawName);
  let expectedVersion: string | undefined;
  if (rawVersion !== undefined) {
    const v = rawVersion;
    if (
      !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1) &&
      !(typeof v === 'string' && /^[1-9]\d{0,18}$/.test(v))
    ) {
      throw invalidValue('expectedVersion', 'a positive integer (the session version you read)', v);
    }
    expectedVersion = String(v);
  }
  const patch = parseSettingsParams(settings, 'alterMqSession');
  return expectedVersion === undefined ? { clientName, patch } : { clientName, patch, expectedVersion };
}

/**
 * Reads the settings properties of alterMqSession (everything but clientName and
 * expectedVersion) into a patch; alterMqSessions (bulk) takes the same properties.
 */
export function parseSettingsParams(settings: Record<string, unknown>, action: string): SessionPatch {
  for (const key of Object.keys(settings)) {
    if (
      !(ALTER_PARAMS as readonly string[]).includes(key) ||
      key === 'clientName' ||
      key === 'expectedVersion'
    ) {
      throw invalidValue(key, `a property ${action} knows (see docs/json-api.md)`);
    }
  }
  const p = settings;
  const has = (key: string): boolean => p[key] !== undefined;
  const patch: SessionPatch = {};

  if (has('temporarySession')) patch.temporarySession = bool('temporarySession', p.temporarySession);
  if (has('cleanSession')) {
    const clean = bool('cleanSession', p.cleanSession);
    if (patch.temporarySession !== undefined && patch.temporarySession !== clean) {
      throw new MqfleetError(
        'INVALID_VALUE',
        '"temporarySession" and "cleanSession" disagree; send only "temporarySession"',
        'cleanSession',
      );
    }
    patch.temporarySession = clean;
  }
  if (has('sessionStatus')) {
    const status = typeof p.sessionStatus === 'string' ? statusFromName(p.sessionStatus) : undefined;
    if (!status)
      throw invalidValue('sessionStatus', '"normal", "hidden", "banned" or "inactive"', p.sessionStatus);
    patch.sessionStatus = status;
  }
  if (has('keepAliveSeconds'))
    patch.keepAliveSeconds = uint('keepAliveSeconds', p.keepAliveSeconds, 0, UINT16_MAX);
  if (has('userProperties'))
    patch.userProperties = { items: userProperties('userProperties', p.userProperties) };
  if (has('sessionExpiryInterval')) {
    const v = uint('sessionExpiryInterval', p.sessionExpiryInterval, 0, SEED_NEVER_EXPIRES);
    patch.sessionExpiryInterval = Math.min(v, UINT32_MAX);
  } else if (patch.temporarySession !== undefined) {
    // The seed: temporarySession sets sessionExpiryInterval (0 when temporary, "never" when not).
    patch.sessionExpiryInterval = patch.temporarySession ? 0 : UINT32_MAX;
  }
  if (has('receiveMaximum')) patch.receiveMaximum = uint('receiveMaximum', p.receiveMaximum, 1, UINT16_MAX);
  if (has('maximumPacketSize'))
    patch.maximumPacketSize = uint('maximumPacketSize', p.maximumPacketSize, 1, MAX_PACKET_SIZE);
  if (has('topicAliasMaximum'))
    patch.topicAliasMaximum = uint('topicAliasMaximum', p.topicAliasMaximum, 0, UINT16_MAX);
  if (has('requestProblemInformation'))
    patch.requestProblemInformation = bool('requestProblemInformation', p.requestProblemInformation);
  if (has('requestResponseInformation'))
    patch.requestResponseInformation = bool('requestResponseInformation', p.requestResponseInformation);

  // Will. A willTopic of "" or null removes the will.
  if (p.willTopic === null) patch.willTopic = '';
  else if (has('willTopic')) {
    const topic = str('willTopic', p.willTopic);
    const problem = topic === '' ? undefined : topicNameProblem(topic);
    if (problem) throw invalidValue('willTopic', `a valid topic name (${problem})`);
    patch.willTopic = topic;
  }
  if (has('willQoS')) patch.willQos = uint('willQoS', p.willQoS, 0, 2);
  if (has('mqttPayloadType') && !PAYLOAD_TYPES.includes(p.mqttPayloadType as string)) {
    throw invalidValue(
      'mqttPayloadType',
      `one of ${PAYLOAD_TYPES.map((t) => `"${t}"`).join(', ')}`,
      p.mqttPayloadType,
    );
  }
  if (has('binaryFormat') && !BINARY_FORMATS.includes(p.binaryFormat as string)) {
    throw invalidValue('binaryFormat', '"hex", "base64" or "utf8"', p.binaryFormat);
  }
  const binaryPayload = p.mqttPayloadType === 'binary' || p.mqttPayloadType === 'jpeg';
  if (has('willPayload')) {
    const payload =
      binaryPayload && typeof p.willPayload === 'string'
        ? binaryFromString('willPayload', p.willPayload, (p.binaryFormat as string | undefined) ?? 'hex')
        : jsonValueBytes('willPayload', p.willPayload);
    if (payload.length > MAX_JSON_VALUE_BYTES) throw tooLarge('willPayload', `${MAX_JSON_VALUE_BYTES} bytes`);
    patch.willPayload = payload.toString('base64');
  }
  if (has('willRetain')) patch.willRetain = bool('willRetain', p.willRetain);
  if (has('willContentType')) patch.willContentType = str('willContentType', p.willContentType);
  if (has('willCorrelationData')) {
    patch.willCorrelationData = jsonValueBytes('willCorrelationData', p.willCorrelationData).toString(
      'base64',
    );
  }
  const textPayload =
    p.mqttPayloadType === 'utf8' || p.mqttPayloadType === 'json' || p.binaryFormat === 'utf8';
  if (has('willPayloadFormatIndicator')) {
    const v = p.willPayloadFormatIndicator;
    if (v !== 'none' && v !== 'utf8') throw invalidValue('willPayloadFormatIndicator', '"none" or "utf8"', v);
    if (v === 'none' && textPayload) {
      throw new MqfleetError(
        'INVALID_VALUE',
        '"willPayloadFormatIndicator" "none" contradicts a UTF-8 "mqttPayloadType"; omit one of them',
        'willPayloadFormatIndicator',
      );
    }
    patch.willPayloadUtf8 = v === 'utf8';
  } else if (textPayload) {
    // The seed: a UTF-8 or JSON payload type marks the will payload as UTF-8.
    patch.willPayloadUtf8 = true;
  }
  if (has('willExpirySeconds'))
    patch.willExpirySeconds = uint('willExpirySeconds', p.willExpirySeconds, 0, UINT32_MAX);
  if (has('willDelaySeconds'))
    patch.willDelaySeconds = uint('willDelaySeconds', p.willDelaySeconds, 0, UINT32_MAX);
  if (has('willResponseTopic')) {
    const topic = str('willResponseTopic', p.willResponseTopic);
    const problem = topic === '' ? undefined : topicNameProblem(topic);
    if (problem) throw invalidValue('willResponseTopic', `a valid topic name (${problem})`);
    patch.willResponseTopic = topic;
  }
  if (has('willUserProperties')) {
    patch.willUserProperties = { items: userProperties('willUserProperties', p.willUserProperties) };
  }

  // The label: by group + name ("label") or by id ("labelId"), never both; null removes it. The
  // session-service checks that it exists and stores its id.
  if (has('label') && has('labelId')) {
    throw invalidValue('labelId', 'absent when "label" is given (name the label one way)');
  }
  if (p.label === null || p.labelId === null) {
    patch.labelId = 0;
  } else if (has('labelId')) {
    const id = labelIdValue('labelId', p.labelId);
    patch.labelId = id;
  } else if (has('label')) {
    if (!isPlainObject(p.label)) throw invalidValue('label', 'an object with "group" and "name"', p.label);
    for (const k of Object.keys(p.label)) {
      if (k !== 'group' && k !== 'name') {
        throw invalidValue(`label.${k}`, 'absent (only "group" and "name" are allowed; or use "labelId")');
      }
    }
    const group = p.label.group === undefined ? '' : str('label.group', p.label.group, MAX_LABEL_BYTES);
    if (p.label.name === undefined) throw missingProperty('label.name');
    const name = str('label.name', p.label.name, MAX_LABEL_BYTES);
    if (name.length === 0) throw invalidValue('label.name', 'from 1 to 64 bytes');
    patch.labelGroup = group;
    patch.labelName = name;
  }

  if (has('minHealthySendRatePerMinute'))
    patch.minHealthySendRatePerMinute = rate('minHealthySendRatePerMinute', p.minHealthySendRatePerMinute);
  if (has('maxHealthySendRatePerMinute'))
    patch.maxHealthySendRatePerMinute = rate('maxHealthySendRatePerMinute', p.maxHealthySendRatePerMinute);
  if (has('maxHealthyBacklogRatePerMinute'))
    patch.maxHealthyBacklogRatePerMinute = rate(
      'maxHealthyBacklogRatePerMinute',
      p.maxHealthyBacklogRatePerMinute,
    );
  if (has('minHealthySubscribedTopicFiltersCount'))
    patch.minHealthySubscribedTopicFiltersCount = uint(
      'minHealthySubscribedTopicFiltersCount',
      p.minHealthySubscribedTopicFiltersCount,
      0,
      UINT32_MAX,
    );
  if (has('maxHealthySubscribedTopicFiltersCount'))
    patch.maxHealthySubscribedTopicFiltersCount = uint(
      'maxHealthySubscribedTopicFiltersCount',
      p.maxHealthySubscribedTopicFiltersCount,
      0,
      UINT32_MAX,
    );
  if (has('metadata')) {
    const text = JSON.stringify(p.metadata as Json);
    if (bytes(text) > MAX_JSON_VALUE_BYTES) throw tooLarge('metadata', `${MAX_JSON_VALUE_BYTES} bytes`);
    patch.metadataJson = text;
  }

  validatePatch(patch);
  return patch;
}

// ---------------------------------------------------------------------------------------------
// Patch checks and application (the session-service runs these for every caller)

function patchValue<K extends keyof SessionPatch>(patch: SessionPatch, key: K): SessionPatch[K] | undefined {
  const value = patch[key];
  return value === null ? undefined : value;
}

/** The settings fields a patch sets. */
export function patchFields(patch: SessionPatch): (keyof Settings)[] {
  return SETTINGS_FIELDS.filter((field) => patchValue(patch, field as keyof SessionPatch) !== undefined);
}

/** Checks the ranges of a patch that may not have come through parseAlterParams (gRPC callers). */
export function validatePatch(patch: SessionPatch): void {
  const check = (field: keyof SessionPatch, jsonName: string, min: number, max: number): void => {
    const v = patchValue(patch, field);
    if (v !== undefined) uint(jsonName, Number(v), min, max);
  };
  check('keepAliveSeconds', 'keepAliveSeconds', 0, UINT16_MAX);
  check('sessionExpiryInterval', 'sessionExpiryInterval', 0, UINT32_MAX);
  check('receiveMaximum', 'receiveMaximum', 1, UINT16_MAX);
  check('maximumPacketSize', 'maximumPacketSize', 1, MAX_PACKET_SIZE);
  check('topicAliasMaximum', 'topicAliasMaximum', 0, UINT16_MAX);
  check('willQos', 'willQoS', 0, 2);
  check('willExpirySeconds', 'willExpirySeconds', 0, UINT32_MAX);
  check('willDelaySeconds', 'willDelaySeconds', 0, UINT32_MAX);
  check('minHealthySubscribedTopicFiltersCount', 'minHealthySubscribedTopicFiltersCount', 0, UINT32_MAX);
  check('maxHealthySubscribedTopicFiltersCount', 'maxHealthySubscribedTopicFiltersCount', 0, UINT32_MAX);
  for (const field of [
    'minHealthySendRatePerMinute',
    'maxHealthySendRatePerMinute',
    'maxHealthyBacklogRatePerMinute',
  ] as const) {
    const v = patchValue(patch, field);
    if (v !== undefined) rate(field, Number(v));
  }
  const contentType = patchValue(patch, 'willContentType');
  if (contentType !== undefined) str('willContentType', contentType);
  const responseTopic = patchValue(patch, 'willResponseTopic');
  if (responseTopic) {
    const problem = topicNameProblem(responseTopic);
    if (problem) throw invalidValue('willResponseTopic', `a valid topic name (${problem})`);
  }
  for (const field of ['userProperties', 'willUserProperties'] as const) {
    (patchValue(patch, field)?.items ?? []).forEach((item, i) => {
      const key = str(`${field}[${i}].key`, item.key ?? '', MAX_USER_PROPERTY_KEY_BYTES);
      if (key.length === 0) throw invalidValue(`${field}[${i}].key`, 'from 1 to 128 bytes');
      str(`${field}[${i}].value`, item.value ?? '');
    });
  }
  const status = patchValue(patch, 'sessionStatus');
  if (status !== undefined && (status === 'SESSION_STATUS_UNSPECIFIED' || status === 0)) {
    throw invalidValue('sessionStatus', '"normal", "hidden", "banned" or "inactive"');
  }
  for (const field of ['willPayload', 'willCorrelationData'] as const) {
    const v = patchValue(patch, field);
    if (
      v !== undefined &&
      Buffer.from(v as string, typeof v === 'string' ? 'base64' : undefined).length > MAX_JSON_VALUE_BYTES
    ) {
      throw tooLarge(field, `${MAX_JSON_VALUE_BYTES} bytes`);
    }
  }
  const topic = patchValue(patch, 'willTopic');
  if (topic) {
    const problem = topicNameProblem(topic);
    if (problem) throw invalidValue('willTopic', `a valid topic name (${problem})`);
  }
  const metadata = patchValue(patch, 'metadataJson');
  if (metadata !== undefined) {
    try {
      JSON.parse(metadata);
    } catch {
      throw invalidValue('metadata', 'JSON text');
    }
  }
  const group = patchValue(patch, 'labelGroup');
  const name = patchValue(patch, 'labelName');
  if ((group !== undefined) !== (name !== undefined)) {
    throw invalidValue('label', 'given with both "group" and "name"');
  }
  const labelId = patchValue(patch, 'labelId');
  if (labelId !== undefined) {
    if (group !== undefined) throw invalidValue('labelId', 'absent when "label" is given');
    uint('labelId', Number(labelId), 0, MAX_LABEL_ID);
  }
  if (group !== undefined) str('label.group', group, MAX_LABEL_BYTES);
  if (name !== undefined) str('label.name', name, MAX_LABEL_BYTES);
}

function normalise(field: keyof Settings, value: unknown): unknown {
  if (field === 'userProperties' || field === 'willUserProperties') {
    const items = (value as { items?: UserProperty[] }).items ?? [];
    return items.map((p) => ({ key: p.key ?? '', value: p.value ?? '' }));
  }
  if (field === 'willPayload' || field === 'willCorrelationData') {
    return typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('base64');
  }
  if (typeof DEFAULT_SETTINGS[field] === 'number') return Number(value);
  return value;
}

export interface PatchResult {
  settings: Settings;
  changes: Record<string, { before: unknown; after: unknown }>;
}

/** Applies a (validated) patch; only fields whose value really changes are reported. */
export function applyPatch(current: Settings, patch: SessionPatch): PatchResult {
  const settings: Settings = { ...current };
  const changes: PatchResult['changes'] = {};
  for (const field of patchFields(patch)) {
    const after = normalise(field, patch[field as keyof SessionPatch]);
    const before = current[field];
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    (settings as unknown as Record<string, unknown>)[field] = after;
    changes[field] = { before, after };
  }
  // A will with no QoS chosen yet is published at QoS 2, as the JSON API reserves it
  // (docs/live-effects.md).
  if (changes.willTopic && current.willTopic === '' && patchValue(patch, 'willQos') === undefined) {
    settings.willQos = 2;
    // Reported like any other change, so the event, the audit trail and changedFields show it.
    if (current.willQos !== 2) changes.willQos = { before: current.willQos, after: 2 };
  }
  return { settings, changes };
}

/** Settings stored in Postgres (JSON) back into a complete Settings object. */
export function settingsFromStored(stored: Partial<Settings> | null | undefined): Settings {
  return { ...DEFAULT_SETTINGS, ...(stored ?? {}) };
}
