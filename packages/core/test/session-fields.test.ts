// The session field table agrees with the proto, the docs and itself: every stored field is a
// SessionSettings and a SessionPatch field of proto/mqfleet/v1/session.proto and the other way
// round, every property is documented in docs/json-api.md, and a value set through the JSON API
// comes back unchanged in the rendered session.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDefinition } from '@mqfleet/proto';
import {
  applyPatch,
  DEFAULT_SETTINGS,
  JSON_NAME_OF_STORED,
  parseAlterParams,
  publicSchema,
  renderSettings,
  SESSION_FIELDS,
  SETTINGS_FIELDS,
  settingsParamSchemas,
  settingsResultSchemas,
  validatePatch,
} from '../src/index';

function protoFields(message: string): string[] {
  const type = packageDefinition[`mqfleet.v1.${message}`] as unknown as {
    type: { field: { name: string }[] };
  };
  // The loader names fields in camelCase (keepCase false), as the generated types do.
  return type.type.field.map((f) => f.name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()));
}

describe('session field table', () => {
  it('stores exactly the fields of SessionSettings, each once, and each is in SessionPatch', () => {
    const stored = SESSION_FIELDS.flatMap((f) => Object.keys(f.stores));
    assert.equal(new Set(stored).size, stored.length, 'a field stored by two table entries');
    assert.deepEqual([...stored].sort(), protoFields('SessionSettings').sort());
    const patchFields = new Set(protoFields('SessionPatch'));
    for (const field of stored) assert.ok(patchFields.has(field), `${field} missing in SessionPatch`);
    assert.deepEqual([...SETTINGS_FIELDS].sort(), [...stored].sort());
  });

  it('has unique JSON names, each documented in docs/json-api.md', () => {
    const names = SESSION_FIELDS.map((f) => f.name);
    assert.equal(new Set(names).size, names.length);
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'json-api.md'), 'utf8');
    for (const name of names) assert.ok(doc.includes(`\`${name}\``), `${name} not in docs/json-api.md`);
    for (const f of SESSION_FIELDS) {
      assert.ok(
        f.description.length > 0 && f.live.length > 0,
        `${f.name} needs a description and live effect`,
      );
    }
  });

  it('gives every stored field a JSON name for changedFields', () => {
    for (const field of SETTINGS_FIELDS) assert.ok(JSON_NAME_OF_STORED[field], field);
    assert.equal(JSON_NAME_OF_STORED.willQos, 'willQoS');
    assert.equal(JSON_NAME_OF_STORED.metadataJson, 'metadata');
  });

  it('has defaults its own stored checks accept', () => {
    for (const f of SESSION_FIELDS) {
      const defaults = Object.entries(f.stores);
      if (f.name === 'userProperties' || f.name === 'willUserProperties') continue; // {items} on the wire
      // A patch names the label by group + name or by id, never both.
      const patches =
        f.name === 'label'
          ? [{ labelGroup: '', labelName: '' }, { labelId: 0 }]
          : [Object.fromEntries(defaults)];
      for (const patch of patches) assert.doesNotThrow(() => validatePatch(patch), f.name);
    }
  });

  it('renders every result property, and an OpenAPI schema exists for each', () => {
    const rendered = renderSettings(DEFAULT_SETTINGS, 'hex');
    const withResult = SESSION_FIELDS.filter((f) => f.result).map((f) => f.name);
    assert.deepEqual(Object.keys(rendered), withResult);
    assert.deepEqual(Object.keys(settingsResultSchemas()), withResult);
    const params = settingsParamSchemas() as Record<string, Record<string, unknown>>;
    assert.deepEqual(
      Object.keys(params),
      SESSION_FIELDS.map((f) => f.name),
    );
    for (const schema of Object.values(params)) {
      assert.equal((publicSchema(schema) as Record<string, unknown>).expects, undefined, 'annotation leaked');
    }
  });

  it('renders back what alterMqSession set', () => {
    const params = {
      clientName: 'dev-1',
      temporarySession: true,
      sessionStatus: 'hide',
      keepAliveSeconds: 30,
      userProperties: [{ key: 'site', value: 7 }],
      receiveMaximum: 10,
      maximumPacketSize: 2048,
      topicAliasMaximum: 5,
      requestProblemInformation: false,
      requestResponseInformation: true,
      willTopic: 'dev/lost',
      willQoS: 1,
      willPayload: { gone: true },
      willRetain: true,
      willContentType: 'application/json',
      willCorrelationData: 'abc',
      willPayloadFormatIndicator: 'utf8',
      willExpirySeconds: 60,
      willDelaySeconds: 5,
      willResponseTopic: 'dev/reply',
      willUserProperties: [{ key: 'k', value: null }],
      minHealthySendRatePerMinute: 1.5,
      maxHealthySendRatePerMinute: 100,
      maxHealthyBacklogRatePerMinute: 9,
      minHealthySubscribedTopicFiltersCount: 1,
      maxHealthySubscribedTopicFiltersCount: 4,
      metadata: { a: [1, 'é'] },
    };
    const { patch } = parseAlterParams(params);
    const { settings } = applyPatch(DEFAULT_SETTINGS, patch);
    const rendered: Record<string, unknown> = renderSettings(settings, 'hex');
    assert.deepEqual(rendered, {
      ...rendered,
      temporarySession: true,
      cleanSession: true,
      sessionStatus: 'hidden',
      sessionExpiryInterval: 0,
      userProperties: [{ key: 'site', value: '7' }],
      willPayload: '{"gone":true}',
      willUserProperties: [{ key: 'k', value: '' }],
      label: null,
      labelId: null,
    });
    for (const [name, value] of Object.entries(params)) {
      if (
        ['clientName', 'sessionStatus', 'userProperties', 'willPayload', 'willUserProperties'].includes(name)
      ) {
        continue;
      }
      assert.deepEqual((rendered as Record<string, unknown>)[name], value, name);
    }
  });
});
