// No stale connection after a NATS outage, end to end (separate processes on a nats-server of
// this test's own, never the shared one): an alteration committed while NATS is down reaches the
// device's live connection once NATS is back (the gateway reconciles its live sessions).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDisconnectPacket } from 'mqtt-packet';
import { freePort, nextEvent, OwnNats, until } from '@mqfleet/testkit';
import {
  asEmitter,
  messageMatching,
  publishQos1,
  startSystem,
  userProperties,
  type ReceivedMessage,
  type System,
} from './system';

describe('after a NATS outage (own nats-server, separate processes)', () => {
  let nats: OwnNats;
  let system: System | undefined;
  let token: string;

  before(async () => {
    nats = new OwnNats(await freePort(), mkdtempSync(join(tmpdir(), 'mqfleet-nats-')));
    await nats.start();
    system = await startSystem({ natsUrl: nats.url });
    token = await system.login();
  });
  after(async () => {
    // NATS must be up while the services drain and the infra drops the test's streams.
    if (!nats.running) await nats.start().catch(() => undefined);
    await system?.close();
    await nats.stop();
    rmSync(nats.storeDir, { recursive: true, force: true });
  });

  it('an alteration committed while NATS was down reaches the live connection when it is back', async () => {
    const sys = system!;
    const observer = await sys.mqtt('outage-observer');
    await observer.subscribeAsync('outage/#', { qos: 1 });
    // keepalive 60: MQTT.js sends no PINGREQ for a minute, so only the broker's timer can close it.
    const device = await sys.mqtt('outage-dev', { keepalive: 60 });
    const socket = device.stream;
    const lifecycle: string[] = [];
    for (const event of ['close', 'reconnect', 'offline', 'disconnect', 'end']) {
      device.on(event as 'close', () => lifecycle.push(event));
    }
    const publishFromDevice = async (payload: string): Promise<ReceivedMessage> => {
      const arrival = messageMatching(observer, (m) => m.payload.toString() === payload);
      const ack = await publishQos1(device, 'outage/data', payload);
      assert.equal(ack.reasonCode, 0, ack.error?.message);
      return arrival;
    };
    assert.equal(userProperties(await publishFromDevice('before')).fw, undefined);

    // NATS goes away.
    await nats.stop();

    // The JSON API still answers: the change is committed, but no gateway could confirm it.
    const res = await sys.api(
      'alterMqSession',
      { clientName: 'outage-dev', userProperties: [{ key: 'fw', value: '2' }], keepAliveSeconds: 2 },
      { authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.equal(res.body.result.liveApplied, false);
    const version = String(res.body.result.version);
    const described = await sys.api(
      'describeMqSessions',
      { clientNames: ['outage-dev'] },
      { authToken: token },
    );
    assert.equal(String(described.body.result.data[0].version), version);
    assert.equal(device.connected, true, 'the device stays connected through the outage');

    // NATS is back on the same port and store.
    await nats.start();

    // The gateway converges: the device's messages carry the new user property...
    let attempt = 0;
    await until(
      async () => {
        const m = await publishFromDevice(`probe-${++attempt}`);
        return userProperties(m).fw === '2';
      },
      20000,
      100,
    );
    const described2 = await sys.api(
      'describeMqSessions',
      { clientNames: ['outage-dev'] },
      { authToken: token },
    );
    assert.equal(String(described2.body.result.data[0].version), version);
    assert.equal(described2.body.result.data[0].connectionStatus, 'connected');
    assert.deepEqual(lifecycle, [], 'no reconnect through the outage');
    assert.equal(device.stream, socket, 'still the same socket');

    // The live path (JetStream events) resumes too: a new alteration is confirmed and in force.
    // The gateway's ordered consumer needs a moment to re-attach, longer on a loaded machine, so
    // alterations are retried (each with a new value) until one is confirmed.
    let fw = 2;
    await until(
      async () => {
        const next = await sys.api(
          'alterMqSession',
          { clientName: 'outage-dev', userProperties: [{ key: 'fw', value: String(++fw) }] },
          { authToken: token },
        );
        assert.equal(next.body.errorCode, 0, next.body.errorMessage);
        return next.body.result.liveApplied === true;
      },
      20000,
      0,
    );
    assert.equal(userProperties(await publishFromDevice('after-outage')).fw, String(fw));

    // ...and the broker's idle timer runs with the new keep-alive (1.5 × 2 s) from the last packet.
    const lastPacketAt = Date.now();
    const disconnect = nextEvent<[IDisconnectPacket]>(asEmitter(device), 'disconnect', 10000);
    const [packet] = await disconnect;
    const elapsed = Date.now() - lastPacketAt;
    assert.equal(packet.reasonCode, 0x8d, 'DISCONNECT: keep alive timeout');
    assert.ok(elapsed >= 2500 && elapsed <= 6000, `closed after ${elapsed} ms with keepAliveSeconds 2`);
  });
});
