// The session filters of listMqSessions (docs/json-api.md), shared with alterMqSessions. The label
// is named by `label` {group, name} or by `labelId`; one that does not exist matches nothing.
import { invalidValue, labelIdValue, MAX_LABEL_BYTES, missingProperty, parseClientName } from '@mqfleet/core';
import type { SessionFilter } from '@mqfleet/proto';
import { optionalBoolean, optionalString } from './params';

function stringList(params: Record<string, unknown>, name: string): string[] {
  const value = params[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalidValue(name, 'an array of strings', value);
  }
  return value as string[];
}

/** Reads the filter properties; the session-service checks the enum values. */
export function parseFilter(params: Record<string, unknown>): SessionFilter {
  const filter: SessionFilter = {
    connectionStatusFilter: stringList(params, 'connectionStatusFilter'),
    sessionStatusFilter: stringList(params, 'sessionStatusFilter'),
    sessionTypeFilter: stringList(params, 'sessionTypeFilter'),
    healthFilter: stringList(params, 'healthFilter'),
    unsetHealthMeasures: optionalBoolean(params, 'unsetHealthMeasures') ?? false,
  };
  const partial = params.partialClientName;
  if (partial !== undefined && partial !== null && partial !== '') {
    filter.partialClientName = parseClientName(partial, 'partialClientName');
  }
  const label = params.label;
  const labelId = params.labelId;
  if (labelId !== undefined && labelId !== null) {
    if (label !== undefined && label !== null) {
      throw invalidValue('labelId', 'absent when "label" is given (name the label one way)');
    }
    filter.labelId = labelIdValue('labelId', labelId);
  }
  if (label !== undefined && label !== null) {
    if (typeof label !== 'object' || Array.isArray(label)) {
      throw invalidValue('label', 'an object with "group" and "name"', label);
    }
    const l = label as Record<string, unknown>;
    if (l.name === undefined || l.name === null) throw missingProperty('label.name');
    filter.labelName = optionalString(l, 'name', MAX_LABEL_BYTES);
    filter.labelGroup = optionalString(l, 'group', MAX_LABEL_BYTES) ?? '';
    if (filter.labelName === '') throw invalidValue('label.name', 'from 1 to 64 bytes');
  }
  return filter;
}
