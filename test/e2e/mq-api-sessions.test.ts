// createMqApiSession end to end (docs/json-api.md): MQ API sessions beside MQTT sessions in one
// client-name space, refused to MQTT CONNECTs (0x85 / return code 2) unless
// MQFLEET_MQTT_MAY_USE_MQ_API_NAMES says otherwise; typed, owned, listed, altered and deleted like
// any session. Real processes, real MQTT.js clients.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endClient, startSystem, type System } from './system';

const CLIENT_IDENTIFIER_NOT_VALID = 0x85;
const IDENTIFIER_REJECTED = 2;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function ok(res: { body: Json }): Json {
  assert.equal(res.body.errorCode, 0, res.body.errorMessage);
  return res.body.result as Json;
}

describe('MQ API sessions (separate processes)', () => {
  let system: System;
  let token: string;
  const api = (action: string, params: Record<string, unknown>, authToken = token) =>
    system.api(action, params, { authToken });

  before(async () => {
    system = await startSystem();
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  it('creates a permanent session with a generated name, owned by the caller', async () => {
    const created = ok(await api('createMqApiSession', {}));
    assert.match(created.clientName, /^mqapi-[0-9a-f-]{36}$/);
    assert.equal(created.sessionType, 'mqApi');
    assert.equal(created.owner, 'ADMIN');
    assert.equal(created.temporarySession, false);
    assert.equal(created.keepAliveSeconds, 0);
    assert.equal(created.sessionExpiryInterval, 4294967295);
    assert.equal(created.connectionStatus, 'disconnected');
    assert.equal(created.version, '1');
    const again = ok(await api('createMqApiSession', { clientName: null }));
    assert.notEqual(again.clientName, created.clientName);
  });

  it('takes every alterMqSession property and validates them the same way', async () => {
    const created = ok(
      await api('createMqApiSession', {
        clientName: 'api-settings',
        temporarySession: true,
        keepAliveSeconds: 30,
        userProperties: [{ key: 'site', value: 'north' }],
        metadata: { team: 'ops' },
      }),
    );
    assert.equal(created.temporarySession, true);
    assert.equal(created.sessionExpiryInterval, 0);
    assert.equal(created.keepAliveSeconds, 30);
    assert.deepEqual(created.userProperties, [{ key: 'site', value: 'north' }]);
    assert.deepEqual(created.metadata, { team: 'ops' });
    const [described] = ok(await api('describeMqSessions', { clientNames: ['api-settings'] })).data;
    assert.equal(described.sessionType, 'mqApi');
    assert.equal(described.keepAliveSeconds, 30);

    const bad = await api('createMqApiSession', { clientName: 'api-bad', keepAliveSeconds: 70000 });
    assert.equal(bad.body.errorCode, 12012);
    assert.match(bad.body.errorMessage, /keepAliveSeconds/);
    const unknown = await api('createMqApiSession', { clientName: 'api-bad', colour: 'red' });
    assert.equal(unknown.body.errorCode, 12012);
    assert.match(unknown.body.errorMessage, /colour/);
    const missing = await api('describeMqSessions', { clientNames: ['api-bad'] });
    assert.deepEqual(ok(missing).data, [], 'a refused request creates nothing');
  });

  it('shares one name space with MQTT sessions, both ways', async () => {
    ok(await api('createMqApiSession', { clientName: 'api-shared' }));
    const twice = await api('createMqApiSession', { clientName: 'api-shared' });
    assert.equal(twice.body.errorCode, 12020);
    assert.match(twice.body.errorMessage, /api-shared/);

    // An MQTT CONNECT with an MQ API session's name: MQTT 5 CONNACK 0x85, 3.1.1 return code 2.
    await assert.rejects(
      system.mqtt('api-shared', { protocolVersion: 5 }),
      (err: Error & { code?: number }) => {
        assert.equal(err.code, CLIENT_IDENTIFIER_NOT_VALID, err.message);
        return true;
      },
    );
    await assert.rejects(
      system.mqtt('api-shared', { protocolVersion: 4 }),
      (err: Error & { code?: number }) => {
        assert.equal(err.code, IDENTIFIER_REJECTED, err.message);
        return true;
      },
    );
    const [refused] = ok(await api('describeMqSessions', { clientNames: ['api-shared'] })).data;
    assert.equal(refused.sessionType, 'mqApi', 'the refused CONNECT changed nothing');
    assert.equal(refused.version, '1');
    assert.equal(refused.lastFailedConnectionReason, 'the client id names an MQ API session');

    // The other way: an MQTT session's name cannot become an MQ API session.
    const device = await system.mqtt('mqtt-shared', {
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    });
    const taken = await api('createMqApiSession', { clientName: 'mqtt-shared' });
    assert.equal(taken.body.errorCode, 12020);
    await endClient(device);
    const stillTaken = await api('createMqApiSession', { clientName: 'mqtt-shared' });
    assert.equal(stillTaken.body.errorCode, 12020, 'a stored (disconnected) MQTT session holds its name too');
  });

  it('is listed by sessionTypeFilter, altered and deleted like any session', async () => {
    ok(await api('createMqApiSession', { clientName: 'api-listed' }));
    const device = await system.mqtt('mqtt-listed');
    const mqApi = ok(
      await api('listMqSessions', { partialClientName: '', sessionTypeFilter: ['mqApi'] }),
    ).data;
    const names = mqApi.map((s: Json) => s.clientName);
    assert.ok(names.includes('api-listed'), JSON.stringify(names));
    assert.ok(!names.includes('mqtt-listed'));
    assert.ok(mqApi.every((s: Json) => s.sessionType === 'mqApi'));
    const mqtt = ok(await api('listMqSessions', { sessionTypeFilter: ['mqtt'] })).data.map(
      (s: Json) => s.clientName,
    );
    assert.ok(mqtt.includes('mqtt-listed') && !mqtt.includes('api-listed'));
    const wrong = await api('listMqSessions', { sessionTypeFilter: ['both'] });
    assert.equal(wrong.body.errorCode, 12012);

    const altered = ok(await api('alterMqSession', { clientName: 'api-listed', keepAliveSeconds: 45 }));
    assert.equal(altered.keepAliveSeconds, 45);
    assert.equal(altered.version, '2');
    assert.equal(altered.liveApplied, false, 'no live connection to apply it to');

    ok(await api('deleteMqSession', { clientName: 'api-listed', permanentlyDeleteSession: true }));
    assert.deepEqual(ok(await api('describeMqSessions', { clientNames: ['api-listed'] })).data, []);
    // Deleted: the name is free for an MQTT client again.
    const reuse = await system.mqtt('api-listed', { protocolVersion: 5 });
    await endClient(reuse);
    await endClient(device);
  });

  it('lets an ordinary account create one, which it owns', async () => {
    ok(
      await system.api(
        'createAccount',
        { username: 'mq-user', password: 'mq-user-secret', role: 'user' },
        { api: 'admin', authToken: token },
      ),
    );
    const login = await system.api(
      'createSession',
      { username: 'mq-user', password: 'mq-user-secret' },
      { api: 'admin' },
    );
    const userToken = ok(login).authToken as string;
    const created = ok(await api('createMqApiSession', { clientName: 'api-owned' }, userToken));
    assert.equal(created.owner, 'mq-user');
    // The owner acts on its own session; on anyone else's it needs the admin role (12030).
    const altered = ok(
      await api('alterMqSession', { clientName: 'api-owned', keepAliveSeconds: 12 }, userToken),
    );
    assert.equal(altered.keepAliveSeconds, 12);
    const [own] = ok(await api('describeMqSessions', { clientNames: ['api-owned'] }, userToken)).data;
    assert.equal(own.owner, 'mq-user');
    ok(await api('createMqApiSession', { clientName: 'api-admins' }));
    const device = await system.mqtt('mqtt-not-theirs');
    for (const clientName of ['api-admins', 'mqtt-not-theirs']) {
      const foreign = await api('alterMqSession', { clientName, keepAliveSeconds: 5 }, userToken);
      assert.equal(foreign.body.errorCode, 12030, `${clientName}: ${foreign.body.errorMessage}`);
      const seen = await api('describeMqSessions', { clientNames: [clientName] }, userToken);
      assert.equal(seen.body.errorCode, 12030, clientName);
      const gone = await api('deleteMqSession', { clientName }, userToken);
      assert.equal(gone.body.errorCode, 12030, clientName);
    }
    ok(await api('deleteMqSession', { clientName: 'api-owned', permanentlyDeleteSession: true }, userToken));
    await endClient(device);
    const noToken = await system.api('createMqApiSession', { clientName: 'api-anon' });
    assert.equal(noToken.body.errorCode, 12031);
  });

  it('a ban holds against the owner: every action of the owner is refused with 12040', async () => {
    const login = await system.api(
      'createSession',
      { username: 'mq-user', password: 'mq-user-secret' },
      { api: 'admin' },
    );
    const userToken = ok(login).authToken as string;
    ok(await api('createMqApiSession', { clientName: 'api-banned' }, userToken));
    ok(await api('alterMqSession', { clientName: 'api-banned', sessionStatus: 'banned' }));
    const attempts: [string, Record<string, unknown>][] = [
      ['alterMqSession', { clientName: 'api-banned', sessionStatus: 'normal' }],
      ['describeMqSessions', { clientNames: ['api-banned'] }],
      [
        'subscribeToMq',
        {
          clientName: 'api-banned',
          subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'x/#' }],
        },
      ],
      ['publishMessagesToMq', { clientName: 'api-banned', topic: 'x/y', messages: [{ payload: 'p' }] }],
      ['getMessagesFromMqApiSession', { clientName: 'api-banned' }],
      ['deleteMqSession', { clientName: 'api-banned', permanentlyDeleteSession: true }],
      ['getMqSessionAudit', { clientName: 'api-banned' }],
    ];
    for (const [action, params] of attempts) {
      const res = await api(action, params, userToken);
      assert.equal(res.body.errorCode, 12040, `${action}: ${res.body.errorMessage}`);
    }
    // The ban stayed; an administrator lifts it and the owner acts again.
    const [still] = ok(await api('describeMqSessions', { clientNames: ['api-banned'] })).data;
    assert.equal(still.sessionStatus, 'banned');
    ok(await api('alterMqSession', { clientName: 'api-banned', sessionStatus: 'normal' }));
    ok(await api('describeMqSessions', { clientNames: ['api-banned'] }, userToken));
  });
});

describe('MQ API session names open to MQTT by configuration', () => {
  let system: System;

  before(async () => {
    system = await startSystem({ env: { MQFLEET_MQTT_MAY_USE_MQ_API_NAMES: 'true' } });
  });
  after(async () => {
    await system?.close();
  });

  it('lets an MQTT CONNECT take an MQ API session', async () => {
    const token = await system.login();
    const res = await system.api(
      'createMqApiSession',
      { clientName: 'api-open', keepAliveSeconds: 20 },
      { authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    // Only its owner's account: it belongs to ADMIN (docs/mqtt.md, "Client ids belong to someone").
    await assert.rejects(
      system.mqtt('api-open', { protocolVersion: 5, keepalive: 20 }),
      (err: Error & { code?: number }) => {
        assert.equal(err.code, 0x87, err.message);
        return true;
      },
    );
    const device = await system.mqtt('api-open', {
      protocolVersion: 5,
      keepalive: 20,
      username: 'ADMIN',
      password: 'ADMIN',
    });
    assert.equal(device.connected, true);
    const [described] = (
      await system.api('describeMqSessions', { clientNames: ['api-open'] }, { authToken: token })
    ).body.result.data;
    assert.equal(described.connectionStatus, 'connected');
    assert.equal(described.sessionType, 'mqApi', 'the session keeps its type');
    await endClient(device);
  });
});
