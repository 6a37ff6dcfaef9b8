// Every property alterMqSession takes (docs/json-api.md "alterMqSession"; the table is
// SESSION_FIELDS in packages/core/src/session-fields.ts), with the kind of input the form shows.
// Values are sent as typed: numbers that do not parse go as text, so the API's own validation
// message (12012 naming the property) is what the form shows.

export type FieldKind = 'boolean' | 'integer' | 'number' | 'string' | 'json' | 'label' | string[];

export interface AlterField {
  name: string;
  kind: FieldKind;
  group: 'session' | 'will' | 'health' | 'other';
}

const enumOf = (...values: string[]): string[] => values;

export const ALTER_FIELDS: AlterField[] = [
  { name: 'sessionStatus', kind: enumOf('normal', 'hidden', 'banned', 'inactive'), group: 'session' },
  { name: 'temporarySession', kind: 'boolean', group: 'session' },
  { name: 'cleanSession', kind: 'boolean', group: 'session' },
  { name: 'keepAliveSeconds', kind: 'integer', group: 'session' },
  { name: 'sessionExpiryInterval', kind: 'integer', group: 'session' },
  { name: 'receiveMaximum', kind: 'integer', group: 'session' },
  { name: 'maximumPacketSize', kind: 'integer', group: 'session' },
  { name: 'topicAliasMaximum', kind: 'integer', group: 'session' },
  { name: 'requestProblemInformation', kind: 'boolean', group: 'session' },
  { name: 'requestResponseInformation', kind: 'boolean', group: 'session' },
  { name: 'userProperties', kind: 'json', group: 'session' },
  { name: 'label', kind: 'label', group: 'session' },
  { name: 'willTopic', kind: 'string', group: 'will' },
  { name: 'willPayload', kind: 'json', group: 'will' },
  {
    name: 'mqttPayloadType',
    kind: enumOf('json', 'xml', 'binary', 'jpeg', 'siemensUdt', 'utf8', 'variantObject'),
    group: 'will',
  },
  { name: 'binaryFormat', kind: enumOf('hex', 'base64', 'utf8'), group: 'will' },
  { name: 'willQoS', kind: 'integer', group: 'will' },
  { name: 'willRetain', kind: 'boolean', group: 'will' },
  { name: 'willPayloadFormatIndicator', kind: enumOf('none', 'utf8'), group: 'will' },
  { name: 'willContentType', kind: 'string', group: 'will' },
  { name: 'willResponseTopic', kind: 'string', group: 'will' },
  { name: 'willCorrelationData', kind: 'json', group: 'will' },
  { name: 'willExpirySeconds', kind: 'integer', group: 'will' },
  { name: 'willDelaySeconds', kind: 'integer', group: 'will' },
  { name: 'willUserProperties', kind: 'json', group: 'will' },
  { name: 'minHealthySendRatePerMinute', kind: 'number', group: 'health' },
  { name: 'maxHealthySendRatePerMinute', kind: 'number', group: 'health' },
  { name: 'maxHealthyBacklogRatePerMinute', kind: 'number', group: 'health' },
  { name: 'minHealthySubscribedTopicFiltersCount', kind: 'integer', group: 'health' },
  { name: 'maxHealthySubscribedTopicFiltersCount', kind: 'integer', group: 'health' },
  { name: 'metadata', kind: 'json', group: 'other' },
];

/** A session property as the form's text. */
export function toText(kind: FieldKind, value: unknown): string {
  if (value === undefined || value === null) return kind === 'json' ? 'null' : '';
  if (kind === 'label') return String((value as { id?: unknown }).id ?? '');
  if (kind === 'json') return JSON.stringify(value);
  return String(value);
}

/** The form's text as the value to send. */
export function fromText(kind: FieldKind, text: string): unknown {
  if (kind === 'boolean') return text === 'true';
  if (kind === 'integer' || kind === 'number') {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  if (kind === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text; // not JSON: sent as a string (a will payload of plain text)
    }
  }
  if (kind === 'label') return text === '' ? null : Number(text);
  if (kind === 'string') return text === '' ? null : text;
  return text;
}
