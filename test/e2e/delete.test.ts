// deleteMqSession on a live MQTT 5 device: DISCONNECT 0x98 reaches it, its will is published, and
// listMqSessions shows the outcome.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IDisconnectPacket } from 'mqtt';
import { eventMatching } from '@mqfleet/testkit';
import { asEmitter, messageMatching, startSystem, type System } from './system';

const ADMINISTRATIVE_ACTION = 0x98;

describe('deleteMqSession (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem();
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  for (const permanently of [false, true]) {
    it(`disconnects the live client with 0x98 (${permanently ? 'permanent delete' : 'deactivate'})`, async () => {
      const name = permanently ? 'del-gone' : 'del-inactive';
      const observer = await system.mqtt(`${name}-observer`);
      await observer.subscribeAsync(`${name}/#`, { qos: 1 });
      const device = await system.mqtt(name, {
        will: { topic: `${name}/will`, payload: Buffer.from('bye'), qos: 1, retain: false },
      });
      const willArrives = messageMatching(observer, (m) => m.topic === `${name}/will`);
      const disconnected = eventMatching<[IDisconnectPacket]>(asEmitter(device), 'disconnect', () => true);

      const res = await system.api(
        'deleteMqSession',
        { clientName: name, permanentlyDeleteSession: permanently },
        { authToken: token },
      );
      assert.equal(res.body.errorCode, 0, res.body.errorMessage);
      assert.equal(res.body.result.wasConnected, true);

      const [packet] = await disconnected;
      assert.equal(packet.reasonCode, ADMINISTRATIVE_ACTION);
      const will = await willArrives;
      assert.equal(will.payload.toString(), 'bye');

      const listed = await system.api(
        'listMqSessions',
        { partialClientName: name, sessionStatusFilter: ['normal', 'inactive'] },
        { authToken: token },
      );
      const rows = (listed.body.result.data as { clientName: string; sessionStatus: string }[]).filter(
        (r) => r.clientName === name,
      );
      assert.deepEqual(
        rows.map((r) => r.sessionStatus),
        permanently ? [] : ['inactive'],
      );
    });
  }
});
