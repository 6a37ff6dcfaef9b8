// The options of `mqfleet session alter`, one per property of alterMqSession, derived from the
// session field table (packages/core/src/session-fields.ts SESSION_FIELDS) that the API itself
// checks requests against: a setting added there is an option here with no change to the CLI.
// Values are passed on as the API reads them (numbers, booleans and JSON parsed, the rest as
// text) and checked by the API alone, so a bad value gets the API's own error.
import { SESSION_FIELDS, type SessionField } from '@mqfleet/core';
import type { Options } from 'yargs';

/** keepAliveSeconds → keep-alive-seconds */
export const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function types(field: SessionField): string[] {
  const type = (field.schema as { type?: string | string[] }).type;
  if (type === undefined) return ['json'];
  return Array.isArray(type) ? type : [type];
}

/** What the option's value is, for its help text. */
function valueName(field: SessionField): string {
  const schema = field.schema as { enum?: string[] };
  if (schema.enum) return `one of ${schema.enum.join('|')}`;
  const t = types(field).filter((x) => x !== 'null');
  if (t.includes('array') || t.includes('object') || t.includes('json')) return 'JSON';
  if (t.includes('boolean')) return 'true|false; alone: true';
  return t.join(' or ');
}

export interface SessionOption {
  field: SessionField;
  /** The option's name on the command line (kebab case of the JSON property). */
  flag: string;
  aliases: string[];
  yargs: Options;
}

export const SESSION_OPTIONS: readonly SessionOption[] = SESSION_FIELDS.map((field) => {
  const flag = kebab(field.name);
  // A name ending in "Seconds" may drop it: --keep-alive 120.
  const aliases = flag.endsWith('-seconds') ? [flag.slice(0, -'-seconds'.length)] : [];
  return {
    field,
    flag,
    aliases,
    yargs: {
      type: 'string',
      requiresArg: !types(field).includes('boolean'),
      alias: aliases,
      describe: `${field.description} (${valueName(field)})`,
      group: 'Session settings (alterMqSession):',
    },
  };
});

/** The text of one option → the JSON value alterMqSession gets. */
export function optionValue(field: SessionField, raw: string): unknown {
  const t = types(field);
  if (t.includes('boolean') && raw === '') return true; // --will-retain alone
  if (raw === 'null' && t.includes('null')) return null;
  if (t.every((x) => x === 'string' || x === 'null')) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw; // not JSON: as text, for the API to accept (strings) or refuse by name
  }
}

/** The alterMqSession settings the command line gave (yargs' parsed arguments). */
export function sessionParams(argv: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const { field, flag } of SESSION_OPTIONS) {
    const raw = argv[flag];
    if (raw === undefined) continue;
    // Given twice: the last one counts, as for any option.
    const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    params[field.name] = optionValue(field, String(last));
  }
  return params;
}
