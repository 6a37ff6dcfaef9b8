// Confirmed application: alterMqSession says liveApplied only once the gateway holding the
// connection has the new version in force.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { subjects, type SessionApplied, type SessionBulkEvent } from '@mqfleet/core';
import { natsConnection, until } from '@mqfleet/testkit';
import { endClient, messageMatching, publishQos1, startSystem, userProperties, type System } from './system';

describe('liveApplied (separate processes, two gateways)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem({ gateways: 2 });
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  it('is true with the new version for a connected client, on whichever gateway holds it', async () => {
    for (const gateway of [0, 1]) {
      const name = `confirm-${gateway}`;
      const device = await system.mqtt(name, { keepalive: 60 }, gateway);
      const res = await system.api(
        'alterMqSession',
        { clientName: name, keepAliveSeconds: 45 },
        { authToken: token },
      );
      assert.equal(res.body.errorCode, 0, res.body.errorMessage);
      assert.equal(res.body.result.liveApplied, true);
      assert.equal(res.body.result.keepAliveSeconds, 45);
      // A change that changes nothing is already in force.
      const same = await system.api(
        'alterMqSession',
        { clientName: name, keepAliveSeconds: 45 },
        { authToken: token },
      );
      assert.deepEqual(
        [same.body.result.liveApplied, same.body.result.version],
        [true, res.body.result.version],
      );
      assert.equal(device.connected, true);
    }
  });

  it('is false for a session whose client is not connected', async () => {
    const device = await system.mqtt('confirm-offline', {
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 600 },
    });
    await endClient(device);
    await until(async () => {
      const d = await system.api(
        'describeMqSessions',
        { clientNames: ['confirm-offline'] },
        { authToken: token },
      );
      return d.body.result.data[0]?.connectionStatus === 'disconnected';
    });
    const res = await system.api(
      'alterMqSession',
      { clientName: 'confirm-offline', keepAliveSeconds: 20 },
      { authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.equal(res.body.result.connectionStatus, 'disconnected');
    assert.equal(res.body.result.liveApplied, false);
  });

  it('alterMqSessions counts the connected sessions that confirmed, and the change is in force on each', async () => {
    const devices: MqttClient[] = [];
    for (let i = 0; i < 6; i++) devices.push(await system.mqtt(`bulk-${i}`, { protocolVersion: 5 }, i % 2));
    const subscriber = await system.mqtt('watcher-of-bulk', { protocolVersion: 5 });
    await subscriber.subscribeAsync('bulk/#', { qos: 1 });
    const res = await system.api(
      'alterMqSessions',
      { filter: { partialClientName: 'bulk-' }, changes: { userProperties: [{ key: 'fw', value: '2.1' }] } },
      { authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.deepEqual(res.body.result, {
      matchedSessions: 6,
      changedSessions: 6,
      connectedSessions: 6,
      liveAppliedSessions: 6,
    });
    // Confirmed means in force: the next message of every device carries the new property.
    for (const [i, device] of devices.entries()) {
      const arrival = messageMatching(subscriber, (m) => m.topic === `bulk/${i}`);
      const ack = await publishQos1(device, `bulk/${i}`, 'after');
      assert.equal(ack.reasonCode, 0, ack.error?.message);
      assert.equal(userProperties(await arrival).fw, '2.1', `bulk-${i}`);
    }
  });

  it('a bulkAltered entry ahead of the version a gateway holds makes it fetch the session, not patch it', async () => {
    const device = await system.mqtt('gap-dev', { protocolVersion: 5 }, 0);
    const subscriber = await system.mqtt('watcher-of-gap', { protocolVersion: 5 });
    await subscriber.subscribeAsync('gap/#', { qos: 1 });
    // The store moves two versions on without an event, as if the gateway had missed one...
    const db = new pg.Client({ connectionString: system.infra.databaseUrl });
    await db.connect();
    let version: string;
    try {
      const { rows } = await db.query<{ version: string }>(
        `UPDATE sessions SET version = version + 2,
                settings = settings || '{"userProperties":[{"key":"fw","value":"stored"}]}'::jsonb
          WHERE client_name = 'gap-dev' RETURNING version::text`,
      );
      version = rows[0]!.version;
    } finally {
      await db.end();
    }
    // ...then a bulkAltered part names that version with changes that are not the stored state.
    const nc = await natsConnection(system.infra.natsUrl);
    try {
      const event: SessionBulkEvent = {
        eventId: randomUUID(),
        type: 'bulkAltered',
        bulkId: randomUUID(),
        part: 1,
        parts: 1,
        at: new Date().toISOString(),
        actor: 'test',
        sessions: [
          {
            clientName: 'gap-dev',
            version,
            changes: { userProperties: { before: [], after: [{ key: 'fw', value: 'from-event' }] } },
          },
        ],
      };
      const s = subjects(system.infra.natsPrefix);
      const confirmed = new Promise<SessionApplied>((resolve) => {
        const sub = nc.subscribe(s.sessionApplied('gap-dev'), {
          callback: (_err, msg) => {
            sub.unsubscribe();
            resolve(msg.json<SessionApplied>());
          },
        });
      });
      await nc.flush();
      await nc.jetstream().publish(s.sessionBulkEvent(event.eventId), JSON.stringify(event));
      assert.equal((await confirmed).version, version);
    } finally {
      await nc.close();
    }
    const arrival = messageMatching(subscriber, (m) => m.topic === 'gap/1');
    const ack = await publishQos1(device, 'gap/1', 'after');
    assert.equal(ack.reasonCode, 0, ack.error?.message);
    assert.equal(
      userProperties(await arrival).fw,
      'stored',
      'the fetched session, not the event applied on an older state',
    );
  });
});
