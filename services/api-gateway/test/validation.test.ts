// Parameter checks of the actions, answered before any gRPC call (no session-service runs), and
// the answer when the session-service cannot be reached.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiGateway } from '../src/index';
import { gateway, post } from './helpers';

const TOKEN = 'any-token';
const BIG = 65500;

describe('action parameters', () => {
  let gw: ApiGateway;
  before(() => {
    gw = gateway();
  });
  after(() => gw.close());

  const alter = (params: unknown) =>
    post(gw, { api: 'mq', action: 'alterMqSession', authToken: TOKEN, params });
  const describeSessions = (params: unknown) =>
    post(gw, { api: 'mq', action: 'describeMqSessions', authToken: TOKEN, params });
  const create = (params: unknown) => post(gw, { api: 'admin', action: 'createSession', params });

  // [name, params, errorCode, property the message names]
  const alterCases: [string, unknown, number, string][] = [
    ['no params', undefined, 12025, 'clientName'],
    ['missing clientName', { keepAliveSeconds: 5 }, 12025, 'clientName'],
    ['empty clientName', { clientName: '' }, 12025, 'clientName'],
    ['clientName not a string', { clientName: 5 }, 12012, 'clientName'],
    ['clientName over 65,535 bytes', { clientName: 'é'.repeat(32768) }, 12034, 'clientName'],
    ['unknown property', { clientName: 'c', colour: 'red' }, 12012, 'colour'],
    [
      'temporarySession/cleanSession conflict',
      { clientName: 'c', temporarySession: true, cleanSession: false },
      12012,
      'cleanSession',
    ],
    ['temporarySession not boolean', { clientName: 'c', temporarySession: 'yes' }, 12012, 'temporarySession'],
    ['bad sessionStatus', { clientName: 'c', sessionStatus: 'angry' }, 12012, 'sessionStatus'],
    ['keepAliveSeconds -1', { clientName: 'c', keepAliveSeconds: -1 }, 12012, 'keepAliveSeconds'],
    ['keepAliveSeconds 65536', { clientName: 'c', keepAliveSeconds: 65536 }, 12012, 'keepAliveSeconds'],
    ['keepAliveSeconds 1.5', { clientName: 'c', keepAliveSeconds: 1.5 }, 12012, 'keepAliveSeconds'],
    ['keepAliveSeconds as string', { clientName: 'c', keepAliveSeconds: '60' }, 12012, 'keepAliveSeconds'],
    [
      'sessionExpiryInterval 2^32+1',
      { clientName: 'c', sessionExpiryInterval: 4294967297 },
      12012,
      'sessionExpiryInterval',
    ],
    ['receiveMaximum 0', { clientName: 'c', receiveMaximum: 0 }, 12012, 'receiveMaximum'],
    ['receiveMaximum 65536', { clientName: 'c', receiveMaximum: 65536 }, 12012, 'receiveMaximum'],
    ['maximumPacketSize 0', { clientName: 'c', maximumPacketSize: 0 }, 12012, 'maximumPacketSize'],
    [
      'maximumPacketSize too big',
      { clientName: 'c', maximumPacketSize: 268435461 },
      12012,
      'maximumPacketSize',
    ],
    ['topicAliasMaximum 65536', { clientName: 'c', topicAliasMaximum: 65536 }, 12012, 'topicAliasMaximum'],
    ['willQoS 3', { clientName: 'c', willQoS: 3 }, 12012, 'willQoS'],
    ['willTopic with a wildcard', { clientName: 'c', willTopic: 'a/+/b' }, 12012, 'willTopic'],
    [
      'willPayload over 65,500 bytes',
      { clientName: 'c', willPayload: 'x'.repeat(BIG + 1) },
      12034,
      'willPayload',
    ],
    [
      'willPayload JSON over 65,500 bytes',
      { clientName: 'c', willPayload: { t: 'x'.repeat(BIG) } },
      12034,
      'willPayload',
    ],
    [
      'willCorrelationData over 65,500 bytes',
      { clientName: 'c', willCorrelationData: 'x'.repeat(BIG + 1) },
      12034,
      'willCorrelationData',
    ],
    ['metadata over 65,500 bytes', { clientName: 'c', metadata: { t: 'x'.repeat(BIG) } }, 12034, 'metadata'],
    [
      'userProperties not an array',
      { clientName: 'c', userProperties: { key: 'k' } },
      12012,
      'userProperties',
    ],
    [
      'userProperties item without key',
      { clientName: 'c', userProperties: [{ value: 'v' }] },
      12025,
      'userProperties[0].key',
    ],
    [
      'userProperties key over 128 bytes',
      { clientName: 'c', userProperties: [{ key: 'k'.repeat(129), value: '' }] },
      12034,
      'userProperties[0].key',
    ],
    ['label without name', { clientName: 'c', label: { group: 'g' } }, 12025, 'label.name'],
    ['label name over 64 bytes', { clientName: 'c', label: { name: 'n'.repeat(65) } }, 12034, 'label.name'],
    [
      'negative health rate',
      { clientName: 'c', minHealthySendRatePerMinute: -1 },
      12012,
      'minHealthySendRatePerMinute',
    ],
    [
      'bad willPayloadFormatIndicator',
      { clientName: 'c', willPayloadFormatIndicator: 'ascii' },
      12012,
      'willPayloadFormatIndicator',
    ],
    ['bad expectedVersion', { clientName: 'c', expectedVersion: 0 }, 12012, 'expectedVersion'],
  ];
  for (const [name, params, code, property] of alterCases) {
    it(`alterMqSession: ${name} → ${code}`, async () => {
      const res = await alter(params);
      assert.equal(res.status, 200);
      assert.equal(res.body.errorCode, code, res.body.errorMessage);
      assert.match(res.body.errorMessage, new RegExp(property.replace(/[[\].]/g, '\\$&')));
      assert.ok(Buffer.byteLength(res.body.errorMessage) <= 256);
    });
  }

  it('alterMqSession: a long unknown property name still gives a short message', async () => {
    const res = await alter({ clientName: 'c', ['z'.repeat(1000)]: 1 });
    assert.equal(res.body.errorCode, 12012);
    assert.ok(Buffer.byteLength(res.body.errorMessage) <= 256);
  });

  const describeCases: [string, unknown, number][] = [
    ['no params', undefined, 12025],
    ['clientNames missing', {}, 12025],
    ['clientNames a string', { clientNames: 'c1' }, 12012],
    ['clientNames with a number', { clientNames: ['c1', 2] }, 12012],
    ['clientNames with an empty name', { clientNames: [''] }, 12025],
    ['unknown property', { clientNames: ['c1'], nope: true }, 12012],
    ['includeStats not boolean', { clientNames: ['c1'], includeStats: 'yes' }, 12012],
  ];
  for (const [name, params, code] of describeCases) {
    it(`describeMqSessions: ${name} → ${code}`, async () => {
      const res = await describeSessions(params);
      assert.equal(res.body.errorCode, code, res.body.errorMessage);
    });
  }

  const createCases: [string, unknown, number][] = [
    ['no params', undefined, 12025],
    ['missing username', { password: 'ADMIN' }, 12025],
    ['missing password', { username: 'ADMIN' }, 12025],
    ['username not a string', { username: 1, password: 'ADMIN' }, 12012],
    ['password not a string', { username: 'ADMIN', password: 1 }, 12012],
    [
      'negative idle timeout',
      { username: 'ADMIN', password: 'ADMIN', idleConnectionTimeoutSeconds: -1 },
      12012,
    ],
    [
      'fractional idle timeout',
      { username: 'ADMIN', password: 'ADMIN', idleConnectionTimeoutSeconds: 0.5 },
      12012,
    ],
    ['unknown property', { username: 'ADMIN', password: 'ADMIN', colour: 'red' }, 12012],
  ];
  for (const [name, params, code] of createCases) {
    it(`createSession: ${name} → ${code}`, async () => {
      const res = await create(params);
      assert.equal(res.body.errorCode, code, res.body.errorMessage);
    });
  }

  describe('session-service unreachable', () => {
    const calls: [string, Record<string, unknown>][] = [
      [
        'alterMqSession',
        { api: 'mq', action: 'alterMqSession', authToken: TOKEN, params: { clientName: 'c' } },
      ],
      [
        'describeMqSessions',
        { action: 'describeMqSessions', authToken: TOKEN, params: { clientNames: ['c'] } },
      ],
      ['createSession', { action: 'createSession', params: { username: 'ADMIN', password: 'ADMIN' } }],
      ['pingSession with a token', { action: 'pingSession', authToken: TOKEN }],
    ];
    for (const [name, request] of calls) {
      it(`${name} → 12019 without internals in the message`, async () => {
        const res = await post(gw, request);
        assert.equal(res.status, 200);
        assert.equal(res.body.errorCode, 12019);
        assert.doesNotMatch(res.body.errorMessage, /127\.0\.0\.1|ECONNREFUSED|grpc/i);
      });
    }

    it('/health/ready → 503 naming what is missing', async () => {
      const res = await gw.app.inject({ method: 'GET', url: '/health/ready' });
      assert.equal(res.statusCode, 503);
      const body = res.json() as { status: string; missing: string[] };
      assert.equal(body.status, 'not ready');
      assert.match(body.missing.join(' '), /health check failed/);
    });
  });
});
