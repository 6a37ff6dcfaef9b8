// The gateway against a real session-service process (fresh Postgres database and NATS prefix).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { SessionServiceClient, type OpenSessionResponse__Output } from '@mqfleet/proto';
import type { ApiGateway } from '../src/index';
import { BAD_TOKEN_MESSAGE } from '../src/errors';
import { post, startBackend, type Backend } from './helpers';

describe('against the real session-service', () => {
  let backend: Backend;
  let gw: ApiGateway;
  let token: string;

  before(async () => {
    backend = await startBackend();
    gw = backend.gw;
  });
  after(async () => {
    await backend?.close();
  });

  it('createSession with ADMIN/ADMIN returns a token', async () => {
    const res = await post(gw, {
      api: 'admin',
      action: 'createSession',
      params: { username: 'ADMIN', password: 'ADMIN', description: 'api-gateway test' },
      requestId: 1,
    });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.equal(typeof res.body.authToken, 'string');
    assert.ok(res.body.authToken.length > 0);
    assert.equal(res.body.result.authToken, res.body.authToken);
    assert.equal(res.body.result.username, 'ADMIN');
    assert.equal(res.body.result.idleConnectionTimeoutSeconds, 3600);
    assert.match(String(res.body.result.sessionStartTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    token = res.body.authToken;
  });

  it('createSession with a wrong password gives 12033', async () => {
    const res = await post(gw, { action: 'createSession', params: { username: 'ADMIN', password: 'wrong' } });
    assert.equal(res.body.errorCode, 12033, res.body.errorMessage);
    assert.equal(res.body.authToken, '');
  });

  it('pingSession checks the token when there is one', async () => {
    assert.equal((await post(gw, { action: 'pingSession' })).body.errorCode, 0);
    assert.equal((await post(gw, { action: 'pingSession', authToken: token })).body.errorCode, 0);
    const bad = await post(gw, { action: 'pingSession', authToken: 'no-such-token' });
    assert.equal(bad.body.errorCode, 12031);
    assert.equal(bad.body.errorMessage, BAD_TOKEN_MESSAGE);
  });

  it('alterMqSession on an unknown client gives 100', async () => {
    const res = await post(gw, {
      api: 'mq',
      action: 'alterMqSession',
      authToken: token,
      params: { clientName: 'nobody-here', keepAliveSeconds: 30 },
    });
    assert.equal(res.body.errorCode, 100, res.body.errorMessage);
  });

  it('alterMqSession with a token the service does not know gives 12031', async () => {
    const res = await post(gw, {
      action: 'alterMqSession',
      authToken: 'no-such-token',
      params: { clientName: 'nobody-here', keepAliveSeconds: 30 },
    });
    assert.equal(res.body.errorCode, 12031, res.body.errorMessage);
    assert.equal(res.body.errorMessage, BAD_TOKEN_MESSAGE);
  });

  it('describeMqSessions of unknown clients returns no data', async () => {
    const res = await post(gw, {
      action: 'describeMqSessions',
      authToken: token,
      params: { clientNames: ['x', 'y'] },
    });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.deepEqual(res.body.result.data, []);
  });

  describe('a session opened the way a connection-gateway opens it', () => {
    const clientName = 'device/é 1';
    let labelId = 0;
    before(async () => {
      const client = new SessionServiceClient(backend.grpcAddress, grpc.credentials.createInsecure());
      try {
        await new Promise<OpenSessionResponse__Output | undefined>((resolve, reject) =>
          client.openSession(
            {
              clientName,
              gatewayId: 'test-gw',
              connectionId: 'conn-1',
              ipAddress: '127.0.0.1',
              port: 50000,
              username: 'ADMIN',
              password: Buffer.from('ADMIN'),
              declared: { mqttProtocol: '5.0', keepAliveSeconds: 60, receiveMaximum: 100 },
            },
            { deadline: Date.now() + 5000 },
            (err, res) => (err ? reject(err) : resolve(res)),
          ),
        );
      } finally {
        client.close();
      }
    });

    const alter = (params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      post(gw, {
        api: 'mq',
        action: 'alterMqSession',
        authToken: token,
        params: { clientName, ...params },
        ...extra,
      });

    it('alterMqSession returns the rendered session and the changed fields', async () => {
      const created = await post(gw, {
        action: 'createLabel',
        authToken: token,
        params: { group: 'site', name: 'north' },
      });
      assert.equal(created.body.errorCode, 0, created.body.errorMessage);
      labelId = created.body.result.id as number;
      const res = await alter({
        keepAliveSeconds: 30,
        willTopic: 'dev/gone',
        willPayload: { state: 'offline' },
        label: { group: 'site', name: 'north' },
        metadata: { rack: 7 },
        userProperties: [{ key: 'k', value: 'v' }],
      });
      assert.equal(res.body.errorCode, 0, res.body.errorMessage);
      const r = res.body.result;
      assert.equal(r.clientName, clientName);
      assert.equal(r.connectionStatus, 'connected');
      assert.equal(r.mqttProtocol, '5.0');
      assert.equal(r.ipaddress, '127.0.0.1');
      assert.equal(r.keepAliveSeconds, 30);
      assert.equal(r.willTopic, 'dev/gone');
      assert.equal(r.willPayload, '{"state":"offline"}');
      assert.deepEqual(r.label, { id: labelId, group: 'site', name: 'north' });
      assert.equal(r.labelId, labelId);
      assert.deepEqual(r.metadata, { rack: 7 });
      assert.deepEqual(r.userProperties, [{ key: 'k', value: 'v' }]);
      assert.match(String(r.connectionDateTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      for (const field of [
        'keepAliveSeconds',
        'willTopic',
        'willPayload',
        'label',
        'metadata',
        'userProperties',
      ]) {
        assert.ok((r.changedFields as string[]).includes(field), `${field} in ${String(r.changedFields)}`);
      }
      assert.equal(typeof r.version, 'string');
    });

    it('describeMqSessions returns the same session', async () => {
      const res = await post(gw, {
        action: 'describeMqSessions',
        authToken: token,
        params: { clientNames: [clientName] },
      });
      assert.equal(res.body.errorCode, 0, res.body.errorMessage);
      const data = res.body.result.data as Record<string, unknown>[];
      assert.equal(data.length, 1);
      assert.equal(data[0]!.keepAliveSeconds, 30);
      assert.deepEqual(data[0]!.label, { id: labelId, group: 'site', name: 'north' });
    });

    it('alterMqSession with a stale expectedVersion gives 12012', async () => {
      const res = await alter({ keepAliveSeconds: 31, expectedVersion: 1 });
      assert.equal(res.body.errorCode, 12012, res.body.errorMessage);
    });

    it('alterMqSession renders binary will payloads per binaryFormat', async () => {
      const res = await alter(
        { willPayload: 'deadbeef', mqttPayloadType: 'binary', binaryFormat: 'hex' },
        { responseOptions: { binaryFormat: 'base64' } },
      );
      assert.equal(res.body.errorCode, 0, res.body.errorMessage);
      assert.equal(res.body.result.willPayload, '3q2+7w==');
    });
  });

  it('/health/ready is 503 without any connection-gateway, naming it', async () => {
    const res = await gw.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(res.statusCode, 503);
    assert.match(res.json<{ missing: string[] }>().missing.join(), /0 of 1 connection-gateway/);
  });
});
