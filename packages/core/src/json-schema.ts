// JSON schemas (TypeBox) checked with Ajv, failures reported as the JSON API's catalogue errors
// (12025 missing, 12012 invalid, 12034 too large) naming the property. Two keywords of our own:
// `expects` (an annotation: what an error message says the value must be when the schema's
// keywords do not say it well) and `maxBytes` (a string's UTF-8 length).
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
  verbose: true,
  keywords: ['expects'],
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
  const type = schema.type;
  if (type === 'integer') return `an integer from ${String(schema.minimum)} to ${String(schema.maximum)}`;
  if (type === 'number') return `a number of ${String(schema.minimum ?? 0)} or more`;
  if (type === 'boolean') return 'true or false';
  if (type === 'string' && typeof schema.minLength === 'number') {
    return `from ${schema.minLength} to ${String(schema.maxBytes ?? schema.maxLength)} bytes`;
  }
  return 'a string';
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

/** A schema without the annotations only mqfleet's validation reads (for the OpenAPI document). */
export function publicSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(publicSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k]) => k !== 'expects')
      .map(([k, v]) => [k, publicSchema(v)]),
  );
}
