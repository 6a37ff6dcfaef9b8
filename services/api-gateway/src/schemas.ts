// The building blocks of the JSON action schemas (JSON Schema 2020-12, as OpenAPI 3.1 carries
// it): each action declares its params and result with them (src/actions), the gateway checks
// requests against the params (api.ts, core json-schema.ts) and the OpenAPI document (openapi.ts)
// is assembled from the same declarations.
import {
  MAX_CLIENT_NAME_BYTES,
  MAX_JSON_VALUE_BYTES,
  MAX_LABEL_BYTES,
  MAX_LABEL_ID,
  SESSION_STATUS_NAMES,
  SESSION_TYPES,
  settingsParamSchemas,
} from '@mqfleet/core';
import { BINARY_FORMATS } from './envelope';

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const str = (maxBytes: number, description: string, minLength = 0): Schema => ({
  type: 'string',
  ...(minLength > 0 ? { minLength } : {}),
  maxLength: maxBytes,
  description: `${description} (at most ${maxBytes.toLocaleString('en-US')} bytes of UTF-8)`,
});
export const int = (minimum: number, maximum: number, description: string, extra: Schema = {}): Schema => ({
  type: 'integer',
  minimum,
  maximum,
  description,
  ...extra,
});
export const bool = (description: string, extra: Schema = {}): Schema => ({
  type: 'boolean',
  description,
  ...extra,
});
export const anyJson = (description: string): Schema => ({
  description: `${description}; any JSON value up to ${MAX_JSON_VALUE_BYTES.toLocaleString('en-US')} bytes`,
});
export const ignored = (description: string): Schema => ({
  description: `${description}. Accepted but not acted on yet: warning 12006 in debugInfo.warnings.`,
  ignored: true, // api.ts warns (core json-schema.ts checkParams)
});
export const timestamp = (description: string): Schema => ({
  type: ['string', 'null'],
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$',
  description: `${description}; YYYY-MM-DDTHH:MM:SS (UTC), null when absent`,
});
export const object = (
  properties: Record<string, Schema>,
  required: string[] = [],
  extra: Schema = {},
): Schema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
  ...extra,
});

// ---------------------------------------------------------------------------------------------
// Shared parts of the action schemas

export const SESSION_STATUSES = [...SESSION_STATUS_NAMES];
export const MAX_FILTER_ENTRIES = 10_000;

export const clientName = (description = 'The session (MQTT client identifier)'): Schema => ({
  ...str(MAX_CLIENT_NAME_BYTES, description, 1),
  missingWhenEmpty: true, // "" answers 12025, as an absent clientName (core json-schema.ts)
});

export const labelRef = (description: string, nullable: boolean): Schema => ({
  type: nullable ? ['object', 'null'] : 'object',
  description,
  properties: {
    group: str(MAX_LABEL_BYTES, 'Label group; "" (default) is the default group'),
    name: str(MAX_LABEL_BYTES, 'Label name', 1),
  },
  required: ['name'],
  additionalProperties: false,
});

/**
 * The session settings of alterMqSession, also the `changes` of alterMqSessions: from the field
 * table (core session-fields.ts), which the gateway validates against too.
 */
export const SETTINGS_PROPERTIES = settingsParamSchemas() as Record<string, Schema>;

/** The listMqSessions filters, also the `filter` of alterMqSessions. */
export const FILTER_PROPERTIES: Record<string, Schema> = {
  partialClientName: str(MAX_CLIENT_NAME_BYTES, 'Client names that begin with this'),
  connectionStatusFilter: {
    type: ['array', 'null'],
    items: { type: 'string', enum: ['connected', 'connectedTemporarily', 'disconnected'] },
  },
  sessionStatusFilter: {
    type: ['array', 'null'],
    items: { type: 'string', enum: SESSION_STATUSES },
    description: 'Hidden sessions are left out unless this names "hidden"',
  },
  sessionTypeFilter: { type: ['array', 'null'], items: { type: 'string', enum: [...SESSION_TYPES] } },
  healthFilter: {
    type: ['array', 'null'],
    items: { type: 'string', enum: ['healthy', 'unhealthy', 'offline'] },
    description:
      'Session health as last reported by the gateway holding the connection (evaluated every MQFLEET_HEALTH_INTERVAL_MS); "offline" = not connected',
  },
  unsetHealthMeasures: bool(
    'With a healthFilter: also match sessions that have no health thresholds set (all five 0), whatever their health. Without a healthFilter it changes nothing',
    { default: false },
  ),
  label: labelRef(
    'Sessions with this label (by group + name); a label that does not exist matches none',
    true,
  ),
  labelId: {
    type: ['integer', 'string', 'null'],
    minimum: 0,
    maximum: MAX_LABEL_ID,
    pattern: '^\\d{1,10}$',
    description: 'Sessions with the label of this id; not with label',
  },
};

export const LABEL_VALUE_PROPERTIES: Record<string, Schema> = {
  value: anyJson("The label's value (null removes it)"),
  enum: {
    type: ['integer', 'string'],
    minimum: -32768,
    maximum: 32767,
    pattern: '^\\s*-?\\d+\\s*$',
    description: 'An integer from -32,768 to 32,767 (a numeric string is accepted); default 0',
  },
  sequence: {
    type: ['number', 'string', 'null'],
    description: 'A number (a numeric string is accepted); null removes it',
  },
  deprecated: bool('Default false'),
  description: {
    type: ['string', 'null'],
    minLength: 1,
    maxLength: MAX_JSON_VALUE_BYTES,
    description: '1 to 65,500 bytes; null removes it',
  },
  metadata: anyJson('Your own data about the label (null removes it)'),
};
export const labelId: Schema = {
  type: ['integer', 'string'],
  minimum: 0,
  maximum: MAX_LABEL_ID,
  pattern: '^\\s*\\d+\\s*$',
  description: 'The label id (a numeric string is accepted)',
};
export const LABEL_KEY_PROPERTIES: Record<string, Schema> = {
  id: labelId,
  group: str(MAX_LABEL_BYTES, 'Group of the label named by name; default ""'),
  name: str(MAX_LABEL_BYTES, 'Name of the label (with group)', 1),
};
export const LABEL_RENAME_PROPERTIES: Record<string, Schema> = {
  newGroup: str(MAX_LABEL_BYTES, 'Moves the label to this group'),
  newName: str(MAX_LABEL_BYTES, 'Renames the label', 1),
};
/** `id` or `name` (with `group`), never both. */
export const LABEL_KEY_CHOICE: Schema = {
  oneOf: [
    { required: ['id'], not: { anyOf: [{ required: ['name'] }, { required: ['group'] }] } },
    { required: ['name'], not: { required: ['id'] } },
  ],
};
export const stringList = (description: string, items: Schema = { type: 'string' }): Schema => ({
  type: ['array', 'null'],
  maxItems: MAX_FILTER_ENTRIES,
  items,
  description,
});

export const changedFields: Schema = {
  type: 'array',
  items: { type: 'string' },
  description: 'The properties whose value really changed',
};
export const empty: Schema = { type: 'object', maxProperties: 0 };

export const defaultResponseOptions: Schema = {
  type: 'object',
  properties: {
    binaryFormat: { type: 'string', enum: BINARY_FORMATS },
    variantFormat: { type: 'string' },
    dataFormat: { type: 'string' },
    numberFormat: { type: 'string', enum: ['number', 'string'] },
  },
};
export const nullableString = (description: string): Schema => ({ type: ['string', 'null'], description });
export const openObject = (properties: Record<string, Schema>, description?: string): Schema => ({
  type: 'object',
  properties,
  ...(description ? { description } : {}),
});
