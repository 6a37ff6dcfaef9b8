import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionPatch } from '@mqfleet/proto';
import { ERROR_KINDS, MqfleetError, type ErrorCode } from '../src/errors';
import {
  DEFAULT_SETTINGS,
  MAX_JSON_VALUE_BYTES,
  MAX_PACKET_SIZE,
  UINT32_MAX,
  applyPatch,
  parseAlterParams,
  patchFields,
  validatePatch,
  type Settings,
} from '../src/index';

const b64 = (text: string | Buffer): string =>
  (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('base64');

/** A string of exactly `n` UTF-8 bytes made of `unit` (repeated) plus ASCII padding. */
function ofBytes(n: number, unit = 'x'): string {
  const unitBytes = Buffer.byteLength(unit);
  const whole = Math.floor(n / unitBytes);
  const text = unit.repeat(whole) + 'x'.repeat(n - whole * unitBytes);
  assert.equal(Buffer.byteLength(text), n);
  return text;
}

function expectError(fn: () => unknown, code: ErrorCode, property: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MqfleetError, `expected an MqfleetError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.jsonCode, ERROR_KINDS[code].jsonCode);
    assert.equal(err.property, property, err.message);
    assert.ok(err.message.includes(property), `message ${JSON.stringify(err.message)} names "${property}"`);
    return true;
  });
}

const alter = (params: Record<string, unknown>) => parseAlterParams({ clientName: 'dev-1', ...params });

describe('parseAlterParams: valid inputs', () => {
  const table: [name: string, params: Record<string, unknown>, patch: SessionPatch][] = [
    ['nothing to change', {}, {}],
    [
      'temporarySession true ⇒ expiry 0',
      { temporarySession: true },
      { temporarySession: true, sessionExpiryInterval: 0 },
    ],
    [
      'temporarySession false ⇒ expiry never',
      { temporarySession: false },
      { temporarySession: false, sessionExpiryInterval: UINT32_MAX },
    ],
    [
      'cleanSession alone ⇒ temporarySession',
      { cleanSession: true },
      { temporarySession: true, sessionExpiryInterval: 0 },
    ],
    [
      'cleanSession false alone',
      { cleanSession: false },
      { temporarySession: false, sessionExpiryInterval: UINT32_MAX },
    ],
    [
      'temporarySession and cleanSession agreeing',
      { temporarySession: true, cleanSession: true },
      { temporarySession: true, sessionExpiryInterval: 0 },
    ],
    [
      'an explicit sessionExpiryInterval wins over temporarySession',
      { temporarySession: true, sessionExpiryInterval: 60 },
      { temporarySession: true, sessionExpiryInterval: 60 },
    ],
    ['sessionExpiryInterval 0', { sessionExpiryInterval: 0 }, { sessionExpiryInterval: 0 }],
    [
      'sessionExpiryInterval 4294967295',
      { sessionExpiryInterval: 4294967295 },
      { sessionExpiryInterval: 4294967295 },
    ],
    [
      'sessionExpiryInterval 4294967296 (the JSON API’s "never") stored as 4294967295',
      { sessionExpiryInterval: 4294967296 },
      { sessionExpiryInterval: 4294967295 },
    ],
    ['sessionStatus normal', { sessionStatus: 'normal' }, { sessionStatus: 'SESSION_STATUS_NORMAL' }],
    ['sessionStatus hidden', { sessionStatus: 'hidden' }, { sessionStatus: 'SESSION_STATUS_HIDDEN' }],
    ['sessionStatus hide (alias)', { sessionStatus: 'hide' }, { sessionStatus: 'SESSION_STATUS_HIDDEN' }],
    ['sessionStatus banned', { sessionStatus: 'banned' }, { sessionStatus: 'SESSION_STATUS_BANNED' }],
    ['sessionStatus ban (alias)', { sessionStatus: 'ban' }, { sessionStatus: 'SESSION_STATUS_BANNED' }],
    ['sessionStatus inactive', { sessionStatus: 'inactive' }, { sessionStatus: 'SESSION_STATUS_INACTIVE' }],
    ['keepAliveSeconds 0', { keepAliveSeconds: 0 }, { keepAliveSeconds: 0 }],
    ['keepAliveSeconds 65535', { keepAliveSeconds: 65535 }, { keepAliveSeconds: 65535 }],
    ['receiveMaximum 1', { receiveMaximum: 1 }, { receiveMaximum: 1 }],
    ['receiveMaximum 65535', { receiveMaximum: 65535 }, { receiveMaximum: 65535 }],
    ['maximumPacketSize 1', { maximumPacketSize: 1 }, { maximumPacketSize: 1 }],
    ['maximumPacketSize 268435460', { maximumPacketSize: 268435460 }, { maximumPacketSize: MAX_PACKET_SIZE }],
    ['topicAliasMaximum 0', { topicAliasMaximum: 0 }, { topicAliasMaximum: 0 }],
    ['topicAliasMaximum 65535', { topicAliasMaximum: 65535 }, { topicAliasMaximum: 65535 }],
    [
      'request flags',
      { requestProblemInformation: false, requestResponseInformation: true },
      { requestProblemInformation: false, requestResponseInformation: true },
    ],
    ['willQoS 0', { willQoS: 0 }, { willQos: 0 }],
    ['willQoS 2', { willQoS: 2 }, { willQos: 2 }],
    ['willTopic', { willTopic: 'dev/1/lwt' }, { willTopic: 'dev/1/lwt' }],
    ['willTopic "" removes the will', { willTopic: '' }, { willTopic: '' }],
    ['willTopic null removes the will', { willTopic: null }, { willTopic: '' }],
    ['mqttPayloadType json ⇒ willPayloadUtf8', { mqttPayloadType: 'json' }, { willPayloadUtf8: true }],
    ['mqttPayloadType utf8 ⇒ willPayloadUtf8', { mqttPayloadType: 'utf8' }, { willPayloadUtf8: true }],
    ['binaryFormat utf8 ⇒ willPayloadUtf8', { binaryFormat: 'utf8' }, { willPayloadUtf8: true }],
    ['mqttPayloadType binary alone changes nothing', { mqttPayloadType: 'binary' }, {}],
    ['willPayloadFormatIndicator utf8', { willPayloadFormatIndicator: 'utf8' }, { willPayloadUtf8: true }],
    ['willPayloadFormatIndicator none', { willPayloadFormatIndicator: 'none' }, { willPayloadUtf8: false }],
    ['willPayload string: its UTF-8 text', { willPayload: 'offline ✓' }, { willPayload: b64('offline ✓') }],
    [
      'willPayload object: its JSON text',
      { willPayload: { state: 'offline', n: [1, 2] } },
      { willPayload: b64('{"state":"offline","n":[1,2]}') },
    ],
    ['willPayload number: its JSON text', { willPayload: 42.5 }, { willPayload: b64('42.5') }],
    ['willPayload boolean: its JSON text', { willPayload: false }, { willPayload: b64('false') }],
    ['willPayload array: its JSON text', { willPayload: ['a', null] }, { willPayload: b64('["a",null]') }],
    [
      'mqttPayloadType json with an object payload',
      { mqttPayloadType: 'json', willPayload: { a: 1 } },
      { willPayload: b64('{"a":1}'), willPayloadUtf8: true },
    ],
    [
      'binary + hex',
      { mqttPayloadType: 'binary', binaryFormat: 'hex', willPayload: '00ff10DEadBeef' },
      { willPayload: b64(Buffer.from([0x00, 0xff, 0x10, 0xde, 0xad, 0xbe, 0xef])) },
    ],
    [
      'binary defaults to hex',
      { mqttPayloadType: 'binary', willPayload: '0102' },
      { willPayload: b64(Buffer.from([1, 2])) },
    ],
    [
      'jpeg + base64',
      { mqttPayloadType: 'jpeg', binaryFormat: 'base64', willPayload: '/9j/4A==' },
      { willPayload: '/9j/4A==' },
    ],
    [
      'binary + utf8 binaryFormat',
      { mqttPayloadType: 'binary', binaryFormat: 'utf8', willPayload: 'é' },
      { willPayload: b64('é'), willPayloadUtf8: true },
    ],
    ['willRetain', { willRetain: true }, { willRetain: true }],
    ['willContentType', { willContentType: 'application/json' }, { willContentType: 'application/json' }],
    ['willCorrelationData string', { willCorrelationData: 'abc' }, { willCorrelationData: b64('abc') }],
    [
      'willCorrelationData object',
      { willCorrelationData: { id: 7 } },
      { willCorrelationData: b64('{"id":7}') },
    ],
    [
      'will intervals at their maximum',
      { willExpirySeconds: 4294967295, willDelaySeconds: 0 },
      { willExpirySeconds: 4294967295, willDelaySeconds: 0 },
    ],
    ['willResponseTopic', { willResponseTopic: 'reply/to' }, { willResponseTopic: 'reply/to' }],
    ['willResponseTopic ""', { willResponseTopic: '' }, { willResponseTopic: '' }],
    [
      'userProperties: numbers, booleans and null become text',
      {
        userProperties: [
          { key: 'a', value: 'x' },
          { key: 'n', value: 1.5 },
          { key: 'b', value: true },
          { key: 'z', value: null },
        ],
      },
      {
        userProperties: {
          items: [
            { key: 'a', value: 'x' },
            { key: 'n', value: '1.5' },
            { key: 'b', value: 'true' },
            { key: 'z', value: '' },
          ],
        },
      },
    ],
    ['userProperties null clears', { userProperties: null }, { userProperties: { items: [] } }],
    ['userProperties [] clears', { userProperties: [] }, { userProperties: { items: [] } }],
    [
      'userProperties key of 128 bytes (multibyte)',
      { userProperties: [{ key: ofBytes(128, 'é'), value: 'v' }] },
      { userProperties: { items: [{ key: ofBytes(128, 'é'), value: 'v' }] } },
    ],
    [
      'willUserProperties',
      { willUserProperties: [{ key: 'k', value: 'v' }] },
      { willUserProperties: { items: [{ key: 'k', value: 'v' }] } },
    ],
    ['label', { label: { group: 'g', name: 'n' } }, { labelGroup: 'g', labelName: 'n' }],
    ['label without group', { label: { name: 'n' } }, { labelGroup: '', labelName: 'n' }],
    ['label null clears', { label: null }, { labelId: 0 }],
    [
      'label group and name of 64 bytes (multibyte)',
      { label: { group: ofBytes(64, '€'), name: ofBytes(64, '😀') } },
      { labelGroup: ofBytes(64, '€'), labelName: ofBytes(64, '😀') },
    ],
    [
      'healthy rates and counts',
      {
        minHealthySendRatePerMinute: 0,
        maxHealthySendRatePerMinute: 2.5,
        maxHealthyBacklogRatePerMinute: 100,
        minHealthySubscribedTopicFiltersCount: 0,
        maxHealthySubscribedTopicFiltersCount: 4294967295,
      },
      {
        minHealthySendRatePerMinute: 0,
        maxHealthySendRatePerMinute: 2.5,
        maxHealthyBacklogRatePerMinute: 100,
        minHealthySubscribedTopicFiltersCount: 0,
        maxHealthySubscribedTopicFiltersCount: 4294967295,
      },
    ],
    ['metadata object', { metadata: { site: 'é', n: [1] } }, { metadataJson: '{"site":"é","n":[1]}' }],
  ];
  for (const [name, params, patch] of table) {
    it(name, () => {
      const result = alter(params);
      assert.equal(result.clientName, 'dev-1');
      assert.deepEqual(result.patch, patch);
      assert.equal(result.expectedVersion, undefined);
    });
  }

  it('undefined properties count as omitted', () => {
    assert.deepEqual(alter({ keepAliveSeconds: undefined, label: undefined }).patch, {});
  });

  it('expectedVersion as a number or a decimal string', () => {
    assert.equal(alter({ expectedVersion: 3 }).expectedVersion, '3');
    assert.equal(alter({ expectedVersion: '9007199254740993' }).expectedVersion, '9007199254740993');
    assert.equal(alter({ expectedVersion: '999999999999999999' }).expectedVersion, '999999999999999999');
  });

  it('clientName of 65,535 bytes, ASCII and multibyte', () => {
    for (const unit of ['x', 'é', '€', '😀']) {
      const clientName = ofBytes(65535, unit);
      assert.equal(parseAlterParams({ clientName }).clientName, clientName);
    }
  });

  it('willPayload of exactly 65,500 bytes (string, multibyte string, JSON value, hex)', () => {
    const text = ofBytes(MAX_JSON_VALUE_BYTES, 'é');
    assert.equal(
      Buffer.from(alter({ willPayload: text }).patch.willPayload as string, 'base64').length,
      65500,
    );
    const json = ['x'.repeat(MAX_JSON_VALUE_BYTES - 4)]; // ["…"] adds 4 bytes
    assert.equal(
      Buffer.from(alter({ willPayload: json }).patch.willPayload as string, 'base64').length,
      65500,
    );
    const hex = 'ab'.repeat(MAX_JSON_VALUE_BYTES);
    const patch = alter({ mqttPayloadType: 'binary', willPayload: hex }).patch;
    assert.equal(Buffer.from(patch.willPayload as string, 'base64').length, 65500);
    const corr = alter({ willCorrelationData: ofBytes(MAX_JSON_VALUE_BYTES, '€') }).patch;
    assert.equal(Buffer.from(corr.willCorrelationData as string, 'base64').length, 65500);
  });

  it('metadata whose JSON text is exactly 65,500 bytes', () => {
    const metadata = { v: ofBytes(MAX_JSON_VALUE_BYTES - 8, 'é') }; // {"v":"…"} adds 8 bytes
    assert.equal(Buffer.byteLength(JSON.stringify(metadata)), 65500);
    assert.equal(alter({ metadata }).patch.metadataJson, JSON.stringify(metadata));
  });
});

describe('parseAlterParams: errors', () => {
  const MISSING = 'MISSING_PROPERTY';
  const INVALID = 'INVALID_VALUE';
  const LARGE = 'TOO_LARGE';
  const table: [name: string, params: unknown, code: ErrorCode, property: string][] = [
    ['no params', undefined, MISSING, 'params'],
    ['null params', null, MISSING, 'params'],
    ['params an array', [], INVALID, 'params'],
    ['params a string', 'x', INVALID, 'params'],
    ['no clientName', {}, MISSING, 'clientName'],
    ['clientName ""', { clientName: '' }, MISSING, 'clientName'],
    ['clientName null', { clientName: null }, MISSING, 'clientName'],
    ['clientName a number', { clientName: 7 }, INVALID, 'clientName'],
    ['clientName of 65,536 ASCII bytes', { clientName: ofBytes(65536) }, LARGE, 'clientName'],
    ['clientName of 65,536 bytes of "é"', { clientName: ofBytes(65536, 'é') }, LARGE, 'clientName'],
    ['clientName of 65,538 bytes of "€"', { clientName: '€'.repeat(21846) }, LARGE, 'clientName'],
    ['clientName of 65,536 bytes of emoji', { clientName: ofBytes(65536, '😀') }, LARGE, 'clientName'],
    ['unknown property', { clientName: 'c', colour: 'red' }, INVALID, 'colour'],
    ['unknown property differing in case', { clientName: 'c', willQos: 1 }, INVALID, 'willQos'],
    ['unknown property (gRPC field name)', { clientName: 'c', labelName: 'x' }, INVALID, 'labelName'],
  ];
  const altered: [name: string, params: Record<string, unknown>, code: ErrorCode, property: string][] = [
    [
      'temporarySession and cleanSession disagree',
      { temporarySession: true, cleanSession: false },
      INVALID,
      'cleanSession',
    ],
    ['temporarySession not a boolean', { temporarySession: 'yes' }, INVALID, 'temporarySession'],
    ['cleanSession not a boolean', { cleanSession: 1 }, INVALID, 'cleanSession'],
    ['sessionStatus unknown', { sessionStatus: 'deleted' }, INVALID, 'sessionStatus'],
    ['sessionStatus enum name', { sessionStatus: 'SESSION_STATUS_BANNED' }, INVALID, 'sessionStatus'],
    ['sessionStatus a number', { sessionStatus: 1 }, INVALID, 'sessionStatus'],
    ['keepAliveSeconds -1', { keepAliveSeconds: -1 }, INVALID, 'keepAliveSeconds'],
    ['keepAliveSeconds 65536', { keepAliveSeconds: 65536 }, INVALID, 'keepAliveSeconds'],
    ['keepAliveSeconds 1.5', { keepAliveSeconds: 1.5 }, INVALID, 'keepAliveSeconds'],
    ['keepAliveSeconds "10"', { keepAliveSeconds: '10' }, INVALID, 'keepAliveSeconds'],
    ['keepAliveSeconds null', { keepAliveSeconds: null }, INVALID, 'keepAliveSeconds'],
    ['sessionExpiryInterval -1', { sessionExpiryInterval: -1 }, INVALID, 'sessionExpiryInterval'],
    [
      'sessionExpiryInterval 4294967297',
      { sessionExpiryInterval: 4294967297 },
      INVALID,
      'sessionExpiryInterval',
    ],
    ['receiveMaximum 0', { receiveMaximum: 0 }, INVALID, 'receiveMaximum'],
    ['receiveMaximum 65536', { receiveMaximum: 65536 }, INVALID, 'receiveMaximum'],
    ['maximumPacketSize 0', { maximumPacketSize: 0 }, INVALID, 'maximumPacketSize'],
    ['maximumPacketSize 268435461', { maximumPacketSize: 268435461 }, INVALID, 'maximumPacketSize'],
    ['topicAliasMaximum -1', { topicAliasMaximum: -1 }, INVALID, 'topicAliasMaximum'],
    ['topicAliasMaximum 65536', { topicAliasMaximum: 65536 }, INVALID, 'topicAliasMaximum'],
    [
      'requestProblemInformation not a boolean',
      { requestProblemInformation: 'true' },
      INVALID,
      'requestProblemInformation',
    ],
    ['willQoS 3', { willQoS: 3 }, INVALID, 'willQoS'],
    ['willQoS -1', { willQoS: -1 }, INVALID, 'willQoS'],
    ['willQoS "1"', { willQoS: '1' }, INVALID, 'willQoS'],
    ['willTopic with "+"', { willTopic: 'a/+' }, INVALID, 'willTopic'],
    ['willTopic with "#"', { willTopic: 'a/#' }, INVALID, 'willTopic'],
    ['willTopic with NUL', { willTopic: 'a\u0000b' }, INVALID, 'willTopic'],
    ['willTopic not a string', { willTopic: 5 }, INVALID, 'willTopic'],
    ['willTopic of 65,536 bytes', { willTopic: ofBytes(65536, 'é') }, LARGE, 'willTopic'],
    ['willResponseTopic with "#"', { willResponseTopic: '#' }, INVALID, 'willResponseTopic'],
    ['mqttPayloadType unknown', { mqttPayloadType: 'gif' }, INVALID, 'mqttPayloadType'],
    ['binaryFormat unknown', { binaryFormat: 'octal' }, INVALID, 'binaryFormat'],
    ['willPayload of 65,501 ASCII bytes', { willPayload: ofBytes(65501) }, LARGE, 'willPayload'],
    ['willPayload of 65,501 bytes of "é"', { willPayload: ofBytes(65501, 'é') }, LARGE, 'willPayload'],
    ['willPayload of 65,504 bytes of "😀"', { willPayload: '😀'.repeat(16376) }, LARGE, 'willPayload'],
    ['willPayload JSON text of 65,501 bytes', { willPayload: ['x'.repeat(65497)] }, LARGE, 'willPayload'],
    [
      'willPayload binary of 65,501 bytes',
      { mqttPayloadType: 'binary', willPayload: '00'.repeat(65501) },
      LARGE,
      'willPayload',
    ],
    [
      'willPayload base64 of 65,501 bytes',
      {
        mqttPayloadType: 'jpeg',
        binaryFormat: 'base64',
        willPayload: Buffer.alloc(65501).toString('base64'),
      },
      LARGE,
      'willPayload',
    ],
    ['willPayload odd hex', { mqttPayloadType: 'binary', willPayload: 'abc' }, INVALID, 'willPayload'],
    ['willPayload not hex', { mqttPayloadType: 'binary', willPayload: 'zz' }, INVALID, 'willPayload'],
    [
      'willPayload not base64',
      { mqttPayloadType: 'binary', binaryFormat: 'base64', willPayload: 'a b' },
      INVALID,
      'willPayload',
    ],
    [
      'willCorrelationData of 65,501 bytes',
      { willCorrelationData: ofBytes(65501, '€') },
      LARGE,
      'willCorrelationData',
    ],
    [
      'willPayloadFormatIndicator none contradicts json',
      { mqttPayloadType: 'json', willPayloadFormatIndicator: 'none' },
      INVALID,
      'willPayloadFormatIndicator',
    ],
    [
      'willPayloadFormatIndicator unknown',
      { willPayloadFormatIndicator: 1 },
      INVALID,
      'willPayloadFormatIndicator',
    ],
    ['willContentType of 65,536 bytes', { willContentType: ofBytes(65536, '€') }, LARGE, 'willContentType'],
    ['willExpirySeconds -1', { willExpirySeconds: -1 }, INVALID, 'willExpirySeconds'],
    ['willDelaySeconds 4294967296', { willDelaySeconds: 4294967296 }, INVALID, 'willDelaySeconds'],
    ['label not an object', { label: 'x' }, INVALID, 'label'],
    ['label an array', { label: [] }, INVALID, 'label'],
    ['label without name', { label: { group: 'g' } }, MISSING, 'label.name'],
    ['label name ""', { label: { name: '' } }, INVALID, 'label.name'],
    ['label group of 65 bytes', { label: { group: ofBytes(65), name: 'n' } }, LARGE, 'label.group'],
    [
      'label group of 65 bytes of "é"',
      { label: { group: ofBytes(65, 'é'), name: 'n' } },
      LARGE,
      'label.group',
    ],
    ['label name of 65 bytes', { label: { name: ofBytes(65) } }, LARGE, 'label.name'],
    ['label name of 66 bytes of "€"', { label: { name: '€'.repeat(22) } }, LARGE, 'label.name'],
    ['label name of 65 bytes of emoji', { label: { name: ofBytes(65, '😀') } }, LARGE, 'label.name'],
    ['label group not a string', { label: { group: 1, name: 'n' } }, INVALID, 'label.group'],
    ['userProperties not an array', { userProperties: { a: 'b' } }, INVALID, 'userProperties'],
    ['userProperties item not an object', { userProperties: ['a'] }, INVALID, 'userProperties[0]'],
    ['userProperties key missing', { userProperties: [{ value: 'v' }] }, MISSING, 'userProperties[0].key'],
    ['userProperties value missing', { userProperties: [{ key: 'k' }] }, MISSING, 'userProperties[0].value'],
    [
      'userProperties key ""',
      { userProperties: [{ key: '', value: 'v' }] },
      INVALID,
      'userProperties[0].key',
    ],
    [
      'userProperties extra property',
      { userProperties: [{ key: 'k', value: 'v', x: 1 }] },
      INVALID,
      'userProperties[0].x',
    ],
    [
      'userProperties key of 129 bytes',
      {
        userProperties: [
          { key: 'k', value: 'v' },
          { key: ofBytes(129), value: 'v' },
        ],
      },
      LARGE,
      'userProperties[1].key',
    ],
    [
      'userProperties key of 129 bytes of "é"',
      { userProperties: [{ key: ofBytes(129, 'é'), value: 'v' }] },
      LARGE,
      'userProperties[0].key',
    ],
    [
      'userProperties value of 65,536 bytes',
      { userProperties: [{ key: 'k', value: ofBytes(65536, '😀') }] },
      LARGE,
      'userProperties[0].value',
    ],
    [
      'userProperties value an object',
      { userProperties: [{ key: 'k', value: {} }] },
      INVALID,
      'userProperties[0].value',
    ],
    [
      'willUserProperties key of 129 bytes',
      { willUserProperties: [{ key: ofBytes(129, '€'), value: 'v' }] },
      LARGE,
      'willUserProperties[0].key',
    ],
    ['rate negative', { minHealthySendRatePerMinute: -1 }, INVALID, 'minHealthySendRatePerMinute'],
    [
      'rate not finite',
      { maxHealthyBacklogRatePerMinute: 'Infinity' },
      INVALID,
      'maxHealthyBacklogRatePerMinute',
    ],
    [
      'count above uint32',
      { maxHealthySubscribedTopicFiltersCount: 4294967296 },
      INVALID,
      'maxHealthySubscribedTopicFiltersCount',
    ],
    ['metadata of 65,501 bytes', { metadata: { v: ofBytes(65493, 'é') } }, LARGE, 'metadata'],
    ['expectedVersion 0', { expectedVersion: 0 }, INVALID, 'expectedVersion'],
    ['expectedVersion -1', { expectedVersion: -1 }, INVALID, 'expectedVersion'],
    ['expectedVersion 1.5', { expectedVersion: 1.5 }, INVALID, 'expectedVersion'],
    ['expectedVersion "01"', { expectedVersion: '01' }, INVALID, 'expectedVersion'],
    ['expectedVersion "x"', { expectedVersion: 'x' }, INVALID, 'expectedVersion'],
    ['expectedVersion true', { expectedVersion: true }, INVALID, 'expectedVersion'],
  ];
  for (const [name, params, code, property] of table) {
    it(`${name} → ${code}`, () => expectError(() => parseAlterParams(params), code, property));
  }
  for (const [name, params, code, property] of altered) {
    it(`${name} → ${code}`, () => expectError(() => alter(params), code, property));
  }

  it('the disagreement message names both properties', () => {
    assert.throws(
      () => alter({ temporarySession: false, cleanSession: true }),
      (err: MqfleetError) => /temporarySession/.test(err.message) && /cleanSession/.test(err.message),
    );
  });

  it('error codes map to the JSON API codes', () => {
    assert.equal(ERROR_KINDS.MISSING_PROPERTY.jsonCode, 12025);
    assert.equal(ERROR_KINDS.INVALID_VALUE.jsonCode, 12012);
    assert.equal(ERROR_KINDS.TOO_LARGE.jsonCode, 12034);
  });
});

// ---------------------------------------------------------------------------------------------

const settings = (overrides: Partial<Settings> = {}): Settings => ({ ...DEFAULT_SETTINGS, ...overrides });

describe('applyPatch', () => {
  it('an empty patch changes nothing', () => {
    const current = settings();
    const { settings: after, changes } = applyPatch(current, {});
    assert.deepEqual(changes, {});
    assert.deepEqual(after, current);
  });

  it('reports only fields whose value really changes, with before and after', () => {
    const current = settings({ keepAliveSeconds: 30, labelGroup: 'g', labelName: 'n' });
    const { settings: after, changes } = applyPatch(current, {
      keepAliveSeconds: 60,
      receiveMaximum: DEFAULT_SETTINGS.receiveMaximum, // unchanged
      labelGroup: 'g', // unchanged
      labelName: 'm',
      sessionStatus: 'SESSION_STATUS_NORMAL', // unchanged
    });
    assert.deepEqual(changes, {
      keepAliveSeconds: { before: 30, after: 60 },
      labelName: { before: 'n', after: 'm' },
    });
    assert.equal(after.keepAliveSeconds, 60);
    assert.equal(after.labelName, 'm');
    assert.equal(current.keepAliveSeconds, 30, 'the current settings are not modified');
  });

  it('a patch from parseAlterParams applies end to end', () => {
    const { patch } = alter({ temporarySession: true, sessionStatus: 'ban' });
    const { settings: after, changes } = applyPatch(settings(), patch);
    assert.deepEqual(changes, {
      temporarySession: { before: false, after: true },
      sessionStatus: { before: 'SESSION_STATUS_NORMAL', after: 'SESSION_STATUS_BANNED' },
      sessionExpiryInterval: { before: UINT32_MAX, after: 0 },
    });
    assert.equal(after.sessionStatus, 'SESSION_STATUS_BANNED');
  });

  it('null (unset proto3 optional) fields are not applied', () => {
    const patch = { keepAliveSeconds: null, userProperties: null } as unknown as SessionPatch;
    assert.deepEqual(patchFields(patch), []);
    assert.deepEqual(applyPatch(settings({ keepAliveSeconds: 5 }), patch).changes, {});
  });

  it('a new will defaults willQos to 2, and reports that change', () => {
    const { settings: after, changes } = applyPatch(settings(), { willTopic: 'dev/1/lwt' });
    assert.equal(after.willTopic, 'dev/1/lwt');
    assert.equal(after.willQos, 2);
    assert.deepEqual(changes, {
      willTopic: { before: '', after: 'dev/1/lwt' },
      willQos: { before: 0, after: 2 },
    });
  });

  it('a new will keeps an explicit willQos, 0 included', () => {
    for (const qos of [0, 1, 2]) {
      const { settings: after, changes } = applyPatch(settings(), { willTopic: 'w', willQos: qos });
      assert.equal(after.willQos, qos);
      assert.deepEqual(Object.keys(changes).sort(), qos === 0 ? ['willTopic'] : ['willQos', 'willTopic']);
    }
  });

  it('changing an existing will’s topic keeps its QoS', () => {
    const { settings: after, changes } = applyPatch(settings({ willTopic: 'a', willQos: 1 }), {
      willTopic: 'b',
    });
    assert.equal(after.willQos, 1);
    assert.deepEqual(changes, { willTopic: { before: 'a', after: 'b' } });
  });

  it('removing the will leaves willQos alone', () => {
    const { settings: after, changes } = applyPatch(settings({ willTopic: 'a', willQos: 2 }), {
      willTopic: '',
    });
    assert.equal(after.willQos, 2);
    assert.deepEqual(changes, { willTopic: { before: 'a', after: '' } });
  });

  it('userProperties: the {items} wrapper becomes a plain list', () => {
    const items = [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ];
    const { settings: after, changes } = applyPatch(settings(), { userProperties: { items } });
    assert.deepEqual(after.userProperties, items);
    assert.deepEqual(changes, { userProperties: { before: [], after: items } });
  });

  it('userProperties: the same list is no change; {} and {items: []} clear', () => {
    const items = [{ key: 'a', value: '1' }];
    const current = settings({ userProperties: items });
    assert.deepEqual(
      applyPatch(current, { userProperties: { items: [{ key: 'a', value: '1' }] } }).changes,
      {},
    );
    for (const wrapper of [{}, { items: [] }]) {
      const { settings: after, changes } = applyPatch(current, { userProperties: wrapper });
      assert.deepEqual(after.userProperties, []);
      assert.deepEqual(changes, { userProperties: { before: items, after: [] } });
    }
  });

  it('userProperties: missing key or value become ""; order matters', () => {
    const patch = { willUserProperties: { items: [{ key: 'k' }, { value: 'v' }] } } as SessionPatch;
    assert.deepEqual(applyPatch(settings(), patch).settings.willUserProperties, [
      { key: 'k', value: '' },
      { key: '', value: 'v' },
    ]);
    const current = settings({
      userProperties: [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ],
    });
    const reversed = {
      items: [
        { key: 'b', value: '2' },
        { key: 'a', value: '1' },
      ],
    };
    assert.deepEqual(Object.keys(applyPatch(current, { userProperties: reversed }).changes), [
      'userProperties',
    ]);
  });

  it('binary will fields are compared and stored as base64', () => {
    const current = settings({ willPayload: b64('on') });
    assert.deepEqual(applyPatch(current, { willPayload: Buffer.from('on') }).changes, {});
    assert.deepEqual(applyPatch(current, { willPayload: new Uint8Array([0x6f, 0x6e]) }).changes, {});
    const { settings: after, changes } = applyPatch(current, { willPayload: Buffer.from('off') });
    assert.equal(after.willPayload, b64('off'));
    assert.deepEqual(changes, { willPayload: { before: b64('on'), after: b64('off') } });
  });

  it('numbers sent as text (gRPC doubles/int64) are stored as numbers', () => {
    const { settings: after, changes } = applyPatch(settings(), { maxHealthySendRatePerMinute: '2.5' });
    assert.equal(after.maxHealthySendRatePerMinute, 2.5);
    assert.deepEqual(changes, { maxHealthySendRatePerMinute: { before: 0, after: 2.5 } });
    assert.deepEqual(applyPatch(settings(), { minHealthySendRatePerMinute: '0' }).changes, {});
  });
});

describe('validatePatch (gRPC-style patches)', () => {
  it('accepts in-range patches, Buffers and base64 text', () => {
    validatePatch({});
    validatePatch({
      keepAliveSeconds: 65535,
      sessionExpiryInterval: UINT32_MAX,
      receiveMaximum: 1,
      maximumPacketSize: MAX_PACKET_SIZE,
      topicAliasMaximum: 65535,
      willQos: 2,
      willTopic: 'a/b',
      willPayload: Buffer.alloc(MAX_JSON_VALUE_BYTES),
      willCorrelationData: Buffer.alloc(MAX_JSON_VALUE_BYTES).toString('base64'),
      sessionStatus: 'SESSION_STATUS_HIDDEN',
      labelGroup: '',
      labelName: 'n',
      metadataJson: '{"a":1}',
    });
    validatePatch({ willTopic: '' });
    validatePatch({ labelGroup: ofBytes(64, 'é'), labelName: ofBytes(64, '€') });
    validatePatch({ labelGroup: '', labelName: '' });
    validatePatch({
      userProperties: { items: [{ key: ofBytes(128, '😀'), value: '' }] },
      willUserProperties: {},
    });
    validatePatch({ willResponseTopic: '', willContentType: '', willExpirySeconds: UINT32_MAX });
    validatePatch({ minHealthySendRatePerMinute: '2.5', maxHealthySubscribedTopicFiltersCount: UINT32_MAX });
    validatePatch({ sessionStatus: 2 });
    validatePatch({ willPayload: new Uint8Array(MAX_JSON_VALUE_BYTES) });
  });

  const errors: [name: string, patch: SessionPatch, code: ErrorCode, property: string][] = [
    ['keepAliveSeconds 65536', { keepAliveSeconds: 65536 }, 'INVALID_VALUE', 'keepAliveSeconds'],
    ['keepAliveSeconds -1', { keepAliveSeconds: -1 }, 'INVALID_VALUE', 'keepAliveSeconds'],
    [
      'sessionExpiryInterval 2^32',
      { sessionExpiryInterval: 4294967296 },
      'INVALID_VALUE',
      'sessionExpiryInterval',
    ],
    ['receiveMaximum 0', { receiveMaximum: 0 }, 'INVALID_VALUE', 'receiveMaximum'],
    ['maximumPacketSize 268435461', { maximumPacketSize: 268435461 }, 'INVALID_VALUE', 'maximumPacketSize'],
    ['maximumPacketSize 0', { maximumPacketSize: 0 }, 'INVALID_VALUE', 'maximumPacketSize'],
    ['topicAliasMaximum 65536', { topicAliasMaximum: 65536 }, 'INVALID_VALUE', 'topicAliasMaximum'],
    ['willQos 3', { willQos: 3 }, 'INVALID_VALUE', 'willQoS'],
    [
      'sessionStatus unspecified',
      { sessionStatus: 'SESSION_STATUS_UNSPECIFIED' },
      'INVALID_VALUE',
      'sessionStatus',
    ],
    ['sessionStatus 0', { sessionStatus: 0 }, 'INVALID_VALUE', 'sessionStatus'],
    ['willPayload Buffer of 65,501 bytes', { willPayload: Buffer.alloc(65501) }, 'TOO_LARGE', 'willPayload'],
    [
      'willPayload base64 of 65,501 bytes',
      { willPayload: Buffer.alloc(65501).toString('base64') },
      'TOO_LARGE',
      'willPayload',
    ],
    [
      'willCorrelationData Uint8Array of 65,501 bytes',
      { willCorrelationData: new Uint8Array(65501) },
      'TOO_LARGE',
      'willCorrelationData',
    ],
    ['willTopic with a wildcard', { willTopic: 'a/#' }, 'INVALID_VALUE', 'willTopic'],
    ['willTopic of 65,536 bytes', { willTopic: ofBytes(65536, 'é') }, 'INVALID_VALUE', 'willTopic'],
    ['metadataJson not JSON', { metadataJson: '{' }, 'INVALID_VALUE', 'metadata'],
    ['labelGroup without labelName', { labelGroup: 'g' }, 'INVALID_VALUE', 'label'],
    ['labelName without labelGroup', { labelName: 'n' }, 'INVALID_VALUE', 'label'],
    // The same limits as the JSON API: gRPC administrators call AlterSession directly.
    ['labelGroup of 65 bytes', { labelGroup: ofBytes(65, 'é'), labelName: 'n' }, 'TOO_LARGE', 'label.group'],
    ['labelName of 65 bytes', { labelGroup: '', labelName: ofBytes(65, '😀') }, 'TOO_LARGE', 'label.name'],
    [
      'userProperties key of 129 bytes',
      { userProperties: { items: [{ key: ofBytes(129, '€'), value: 'v' }] } },
      'TOO_LARGE',
      'userProperties[0].key',
    ],
    [
      'willUserProperties key ""',
      {
        willUserProperties: {
          items: [
            { key: 'k', value: 'v' },
            { key: '', value: 'v' },
          ],
        },
      },
      'INVALID_VALUE',
      'willUserProperties[1].key',
    ],
    [
      'userProperties value of 65,536 bytes',
      { userProperties: { items: [{ key: 'k', value: ofBytes(65536) }] } },
      'TOO_LARGE',
      'userProperties[0].value',
    ],
    [
      'willResponseTopic with a wildcard',
      { willResponseTopic: 'reply/+' },
      'INVALID_VALUE',
      'willResponseTopic',
    ],
    [
      'willContentType of 65,536 bytes',
      { willContentType: ofBytes(65536, 'é') },
      'TOO_LARGE',
      'willContentType',
    ],
    ['willExpirySeconds 2^32', { willExpirySeconds: 4294967296 }, 'INVALID_VALUE', 'willExpirySeconds'],
    ['willDelaySeconds -1', { willDelaySeconds: -1 }, 'INVALID_VALUE', 'willDelaySeconds'],
    [
      'minHealthySubscribedTopicFiltersCount -1',
      { minHealthySubscribedTopicFiltersCount: -1 },
      'INVALID_VALUE',
      'minHealthySubscribedTopicFiltersCount',
    ],
    ['rate negative', { maxHealthySendRatePerMinute: -0.5 }, 'INVALID_VALUE', 'maxHealthySendRatePerMinute'],
    [
      'rate not a number',
      { maxHealthyBacklogRatePerMinute: 'x' },
      'INVALID_VALUE',
      'maxHealthyBacklogRatePerMinute',
    ],
  ];
  for (const [name, patch, code, property] of errors) {
    it(`${name} → ${code}`, () => expectError(() => validatePatch(patch), code, property));
  }
});
