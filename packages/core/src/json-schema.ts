// JSON schemas (TypeBox) checked with Ajv, failures reported as the JSON API's catalogue errors
// (12025 missing, 12012 invalid, 12034 too large) naming the property. Keywords of our own:
// `maxBytes` (a string's UTF-8 length) and two annotations the OpenAPI document leaves out
// (publicSchema): `expects` (what an error message says the value must be when the schema's
// keywords do not say it well), `missingWhenEmpty` ("" is reported as missing, 12025) and
// `ignored` (a property accepted but not acted on: the caller warns).
import { Type as T, type TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { invalidValue, missingProperty, MqfleetError, tooLarge } from './errors';

export { Type as T, type TSchema } from '@sinclair/typebox';

// Builders of the common schemas.

export const count = (n: number): string => n.toLocaleString('en-US');
const described = (description?: string): { description?: string } => (description ? { description } : {});
export const integer = (minimum: number, maximum: number, description?: string): TSchema =>
  T.Integer({ minimum, maximum, ...described(description) });
export const boolean = (description?: string): TSchema => T.Boolean(described(description));
export const rate = (description?: string): TSchema => T.Number({ minimum: 0, ...described(description) });
export const text = (maxBytes: number, description?: string, minLength = 0): TSchema =>
  T.String({
    ...(minLength > 0 ? { minLength } : {}),
    maxLength: maxBytes,
    maxBytes,
    description: `${description ? `${description} (at most` : 'At most'} ${count(maxBytes)} bytes of UTF-8${description ? ')' : ''}`,
  });

const ajv = new Ajv({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  // Rules like "id or name, never both" name properties inside not/oneOf branches.
  strictRequired: false,
  verbose: true,
  keywords: ['expects', 'missingWhenEmpty', 'ignored'],
});
ajv.addKeyword({
  keyword: 'maxBytes',
  type: 'string',
  schemaType: 'number',
  validate: (limit: number, data: string) => Buffer.byteLength(data, 'utf8') <= limit,
});
const compiled = new WeakMap<TSchema, ValidateFunction>();

function compile(schema: TSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** What an error message says a value must be, from its schema. */
function expectation(schema: Record<string, unknown>): string {
  if (typeof schema.expects === 'string') return schema.expects;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t) => t !== 'null');
  const type = types.length === 1 ? types[0] : undefined;
  if (type === 'integer') {
    if (typeof schema.minimum === 'number' && typeof schema.maximum === 'number') {
      return `an integer from ${schema.minimum} to ${schema.maximum}`;
    }
    return typeof schema.minimum === 'number' ? `an integer of ${schema.minimum} or more` : 'an integer';
  }
  if (type === 'number') return `a number of ${String(schema.minimum ?? 0)} or more`;
  if (type === 'boolean') return 'true or false';
  if (type === 'array') return 'an array';
  if (type === 'object') return 'an object';
  if (type === 'string' && typeof schema.minLength === 'number') {
    return `from ${schema.minLength} to ${String(schema.maxBytes ?? schema.maxLength)} bytes`;
  }
  if (type === 'string') return 'a string';
  return `one of the types ${types.join(', ')}`;
}

/** The schema of the value at an Ajv instance path ("/0/key") inside `schema`. */
function schemaAt(schema: Record<string, unknown>, segments: string[]): Record<string, unknown> {
  let at = schema;
  for (const segment of segments) {
    const properties = at.properties as Record<string, Record<string, unknown>> | undefined;
    const next = /^\d+$/.test(segment) && at.items ? at.items : properties?.[segment];
    if (!next) return at;
    at = next as Record<string, unknown>;
  }
  return at;
}

/** An Ajv error as the catalogue error the JSON API answers (12025, 12012 or 12034). */
function toMqfleetError(name: string, schema: TSchema, error: ErrorObject): MqfleetError {
  const segments = error.instancePath.split('/').slice(1);
  const property = segments.reduce((at, s) => (/^\d+$/.test(s) ? `${at}[${s}]` : `${at}.${s}`), name);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return missingProperty(`${property}.${String(params.missingProperty)}`);
    case 'additionalProperties': {
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      return invalidValue(
        `${property}.${String(params.additionalProperty)}`,
        `absent (only ${allowed.map((k) => `"${k}"`).join(' and ')} are allowed)`,
      );
    }
    case 'minLength':
      // An empty string where a name is required (a client name) is a missing value.
      if (error.data === '' && schemaAt(schema as Record<string, unknown>, segments).missingWhenEmpty) {
        return missingProperty(property);
      }
      return invalidValue(
        property,
        expectation(schemaAt(schema as Record<string, unknown>, segments)),
        error.data,
      );
    case 'maxLength':
    case 'maxBytes': {
      const own = schemaAt(schema as Record<string, unknown>, segments);
      return tooLarge(property, `${String(own.maxBytes ?? params.limit)} bytes`);
    }
    default:
      return invalidValue(
        property,
        expectation(schemaAt(schema as Record<string, unknown>, segments)),
        error.data,
      );
  }
}

/** Checks a value against a schema, throwing the JSON API's error for the property `name`. */
export function check(name: string, schema: TSchema, value: unknown): void {
  const validate = compile(schema);
  if (validate(value)) return;
  // An unknown property is named before a missing one, as a reader of the request would look.
  const errors = validate.errors!;
  throw toMqfleetError(name, schema, errors.find((e) => e.keyword === 'additionalProperties') ?? errors[0]!);
}

const namedByParams = new WeakMap<object, Map<string, TSchema>>();

/** The properties an object schema names, across its oneOf / anyOf branches too. */
function namedProperties(schema: Record<string, unknown>): Map<string, TSchema> {
  const named = new Map<string, TSchema>(
    Object.entries((schema.properties ?? {}) as Record<string, TSchema>),
  );
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    for (const branch of (schema[key] ?? []) as Record<string, unknown>[]) {
      for (const [name, sub] of namedProperties(branch)) if (!named.has(name)) named.set(name, sub);
    }
  }
  return named;
}

/**
 * Checks an action's params against its schema property by property, so that each failure names
 * the property as the JSON API does: an unknown property (12012), a required one missing, null
 * or "" (12025), a value of the wrong type or out of its limits (12012, 12034 when too large).
 * A null value counts as absent. Rules between properties (oneOf, anyOf) are left to the action.
 * Returns the properties given whose schema is marked `ignored` (accepted, not acted on).
 */
export function checkParams(
  params: Record<string, unknown>,
  schema: Record<string, unknown>,
  action: string,
): string[] {
  let named = namedByParams.get(schema);
  if (!named) namedByParams.set(schema, (named = namedProperties(schema)));
  for (const key of Object.keys(params)) {
    if (!named.has(key)) throw invalidValue(key, `a property ${action} knows (see docs/json-api.md)`);
  }
  for (const key of (schema.required ?? []) as string[]) {
    const value = params[key];
    // "" is missing where the property may not be empty (a name), a value to judge otherwise.
    const empty =
      value === '' && ((named.get(key) as { minLength?: number } | undefined)?.minLength ?? 0) > 0;
    if (value === undefined || value === null || empty) throw missingProperty(key);
  }
  const ignored: string[] = [];
  for (const [key, sub] of named) {
    const value = params[key];
    if (value === undefined) continue;
    if ((sub as { ignored?: boolean }).ignored) ignored.push(key);
    else if (value !== null) check(key, sub, value);
  }
  return ignored;
}

const PRIVATE_KEYWORDS = ['expects', 'missingWhenEmpty', 'ignored'];

/** A schema without the annotations only mqfleet's validation reads (for the OpenAPI document). */
export function publicSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(publicSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k]) => !PRIVATE_KEYWORDS.includes(k))
      .map(([k, v]) => [k, publicSchema(v)]),
  );
}
