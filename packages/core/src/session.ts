// The session model: the alterMqSession parameters of the JSON API turned into a typed patch, and
// the patch applied to stored settings. The settings themselves (limits, defaults, JSON names,
// rendering) are declared once in session-fields.ts.
import type { SessionPatch, SessionSettings__Output, UserProperty } from '@mqfleet/proto';
import { invalidValue, missingProperty } from './errors';
import { readString as str } from './json-values';
import { check, publicSchema } from './json-schema';
import {
  DEFAULT_SETTINGS,
  SESSION_FIELDS,
  SETTINGS_FIELDS,
  SETTINGS_PARAMS,
  type ReadContext,
} from './session-fields';
import type { BinaryFormat } from './session-values';
import { MAX_MQTT_STRING_BYTES } from './topics';

export type Settings = SessionSettings__Output;
export type SessionStatusName = 'normal' | 'hidden' | 'banned' | 'inactive';

/** Highest MQTT 5 Subscription Identifier [MQTT-3.8.2.1.2] (a Variable Byte Integer). */
export const MAX_SUBSCRIPTION_IDENTIFIER = 268_435_455;
export const MAX_CLIENT_NAME_BYTES = MAX_MQTT_STRING_BYTES;

// ---------------------------------------------------------------------------------------------
// JSON API parameters → patch

export interface AlterRequest {
  clientName: string;
  patch: SessionPatch;
  expectedVersion?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every property alterMqSession accepts in "params". Anything else is refused by name. */
export const ALTER_PARAMS: readonly string[] = ['clientName', 'expectedVersion', ...SETTINGS_PARAMS];

export function parseClientName(value: unknown, property = 'clientName'): string {
  if (value === undefined || value === null || value === '') throw missingProperty(property);
  return str(property, value, MAX_CLIENT_NAME_BYTES);
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

/** Table index by JSON name, and by stored field (the table is read in its order). */
const INDEX_BY_NAME = new Map(SESSION_FIELDS.map((f, i) => [f.name, i]));
const INDEX_BY_STORED = new Map(SESSION_FIELDS.flatMap((f, i) => Object.keys(f.stores).map((k) => [k, i])));
const byIndex = (a: number, b: number): number => a - b;

/**
 * Reads the settings properties of alterMqSession (everything but clientName and
 * expectedVersion) into a patch; alterMqSessions (bulk) takes the same properties. Omitted
 * properties stay unchanged. Only the properties given are visited, in table order (a reader may
 * depend on one before it, e.g. willPayload on mqttPayloadType).
 */
export function parseSettingsParams(params: Record<string, unknown>, action: string): SessionPatch {
  const given: number[] = [];
  for (const key of Object.keys(params)) {
    const index = INDEX_BY_NAME.get(key);
    if (index === undefined) throw invalidValue(key, `a property ${action} knows (see docs/json-api.md)`);
    if (params[key] !== undefined) given.push(index);
  }
  given.sort(byIndex);
  const patch: SessionPatch = {};
  const has = (name: string): boolean => params[name] !== undefined;
  const ctx: ReadContext = { params, patch, has };
  for (const index of given) {
    const field = SESSION_FIELDS[index]!;
    const value = params[field.name];
    check(field.name, field.schema, value);
    if (field.read) field.read(value, ctx);
    else (patch as Record<string, unknown>)[Object.keys(field.stores)[0]!] = value;
  }
  validatePatch(patch);
  return patch;
}

/** Checks the ranges of a patch that may not have come through parseSettingsParams (gRPC callers). */
export function validatePatch(patch: SessionPatch): void {
  const given: number[] = [];
  for (const key of Object.keys(patch)) {
    const index = INDEX_BY_STORED.get(key);
    const value = patch[key as keyof SessionPatch];
    if (index !== undefined && value !== undefined && value !== null && !given.includes(index)) {
      given.push(index);
    }
  }
  given.sort(byIndex);
  for (const index of given) {
    const field = SESSION_FIELDS[index]!;
    const storedSchema = field.storedSchema === undefined ? field.schema : field.storedSchema;
    if (storedSchema !== null) {
      for (const stored of Object.keys(field.stores) as (keyof SessionPatch)[]) {
        const value = patch[stored];
        if (value === undefined || value === null) continue;
        // Numbers may come as text from a gRPC caller (64-bit and double fields).
        check(
          field.name,
          storedSchema,
          typeof DEFAULT_SETTINGS[stored as keyof Settings] === 'number' ? Number(value) : value,
        );
      }
    }
    field.checkStored?.(patch);
  }
}

/** The settings part of a session as describeMqSessions shows it, in table order. */
export function renderSettings(settings: Settings, binaryFormat: BinaryFormat): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of SESSION_FIELDS) {
    if (!field.result) continue;
    out[field.name] = field.render
      ? field.render(settings, binaryFormat)
      : settings[Object.keys(field.stores)[0] as keyof Settings];
  }
  return out;
}

/** The alterMqSession settings properties as OpenAPI schemas, each with its description. */
export function settingsParamSchemas(): Record<string, unknown> {
  // The `expects` annotations stay (the api-gateway checks requests against these schemas);
  // the OpenAPI document leaves them out (publicSchema).
  return Object.fromEntries(
    SESSION_FIELDS.map((f) => {
      const schema = f.schema as { description?: string };
      const description = schema.description ? `${f.description}. ${schema.description}` : f.description;
      return [f.name, { ...f.schema, description }];
    }),
  );
}

/** The settings properties of a describeMqSessions result as OpenAPI schemas. */
export function settingsResultSchemas(): Record<string, unknown> {
  return Object.fromEntries(
    SESSION_FIELDS.filter((f) => f.result).map((f) => [f.name, publicSchema(f.result)]),
  );
}

// ---------------------------------------------------------------------------------------------
// Patch application (the session-service runs this for every caller)

function patchValue<K extends keyof SessionPatch>(patch: SessionPatch, key: K): SessionPatch[K] | undefined {
  const value = patch[key];
  return value === null ? undefined : value;
}

/** The settings fields a patch sets. */
export function patchFields(patch: SessionPatch): (keyof Settings)[] {
  return SETTINGS_FIELDS.filter((field) => patchValue(patch, field as keyof SessionPatch) !== undefined);
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
