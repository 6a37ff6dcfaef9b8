// Small checks for action parameters that core does not cover (createSession, describeMqSessions).
import { invalidValue, missingProperty, readBool, readString, readUint } from '@mqfleet/core';
import type { Warning } from '../envelope';

/** Refuses properties the action does not know; warns about known ones it ignores. */
export function checkKnown(
  params: Record<string, unknown>,
  known: readonly string[],
  ignored: readonly string[],
  warnings: Warning[],
): void {
  for (const key of Object.keys(params)) {
    if (ignored.includes(key)) {
      warnings.push({ warningCode: 12006, warningMessage: `"${key}" is not supported yet and was ignored` });
    } else if (!known.includes(key)) {
      throw invalidValue(key, 'a property this action knows (see docs/json-api.md)');
    }
  }
}

export function requiredString(params: Record<string, unknown>, name: string, maxBytes: number): string {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw missingProperty(name);
  return optionalString(params, name, maxBytes)!;
}

export function optionalString(
  params: Record<string, unknown>,
  name: string,
  maxBytes: number,
): string | undefined {
  const value = params[name];
  return value === undefined || value === null ? undefined : readString(name, value, maxBytes);
}

export function optionalInteger(
  params: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = params[name];
  return value === undefined || value === null ? undefined : readUint(name, value, min, max);
}

export function optionalBoolean(params: Record<string, unknown>, name: string): boolean | undefined {
  const value = params[name];
  return value === undefined || value === null ? undefined : readBool(name, value);
}
