// MQTT protocol behaviour of one gateway: CONNECT/CONNACK in 3.1.1 and 5, the connection state
// machine, malformed input and keep-alive.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventMatching, freePort } from '@mqfleet/testkit';
import type { IConnackPacket, IDisconnectPacket } from 'mqtt-packet';
import { connectPacket, endClient, mqttClient, RawClient, startCluster, type Cluster } from './helpers';
import type { Gateway } from '../src/index';

describe('connection-gateway protocol', () => {
  let cluster: Cluster;
  let gateway: Gateway;
  let port: number;

  before(async () => {
    cluster = await startCluster();
    ({ gateway, port } = await cluster.startGateway());
  });
  after(async () => {
    await cluster?.close();
  });

  test('MQTT 3.1.1 CONNECT gets CONNACK 0 and PINGRESP', async () => {
    const raw = await RawClient.open(port, 4);
    try {
      raw.send(connectPacket('proto-v4'));
      const connack = (await raw.next()) as IConnackPacket;
      assert.equal(connack.cmd, 'connack');
      assert.equal(connack.returnCode, 0);
      assert.equal(connack.sessionPresent, false);
      raw.send({ cmd: 'pingreq' });
      assert.equal((await raw.next())?.cmd, 'pingresp');
    } finally {
      raw.destroy();
    }
  });

  test('a CONNECT with U+0000 in a UTF-8 string is malformed: closed, nothing stored [MQTT-1.5.4-2]', async () => {
    const cases: [string, Partial<Parameters<typeof connectPacket>[1]>][] = [
      ['nul-user', { username: 'a\u0000b', password: Buffer.from('x') }],
      [
        'nul-will',
        {
          protocolVersion: 5,
          will: {
            topic: 'w',
            payload: Buffer.from('x'),
            qos: 0,
            retain: false,
            properties: { contentType: 'a\u0000' },
          },
        },
      ],
      ['nul-prop', { protocolVersion: 5, properties: { userProperties: { k: 'v\u0000' } } }],
    ];
    for (const [clientId, options] of cases) {
      const raw = await RawClient.open(port, options?.protocolVersion === 5 ? 5 : 4);
      try {
        const refused = eventMatching(gateway, 'protocolError', (_name: string, err: Error) =>
          err.message.includes('U+0000'),
        );
        raw.send(connectPacket(clientId, options));
        const [, error] = (await refused) as [string, Error];
        assert.match(error.message, /U\+0000/);
        assert.equal(await raw.next(), undefined, `${clientId}: closed without CONNACK`);
      } finally {
        raw.destroy();
      }
    }
    const { sessions } = await gateway.sessions.describeSessions(['nul-user', 'nul-will', 'nul-prop']);
    assert.deepEqual(sessions, []);
  });

  test('MQTT 5 CONNECT with an empty client id gets an Assigned Client Identifier', async () => {
    const raw = await RawClient.open(port, 5);
    try {
      raw.send(connectPacket('', { protocolVersion: 5 }));
      const connack = (await raw.next()) as IConnackPacket;
      assert.equal(connack.reasonCode, 0);
      assert.match(String(connack.properties?.assignedClientIdentifier), /^mqfleet-/);
    } finally {
      raw.destroy();
    }
  });

  test('MQTT 5 CONNACK properties: topic alias maximum, retain available', async () => {
    const raw = await RawClient.open(port, 5);
    try {
      raw.send(connectPacket('proto-v5', { protocolVersion: 5, keepalive: 30 }));
      const connack = (await raw.next()) as IConnackPacket;
      assert.equal(connack.reasonCode, 0);
      assert.equal(connack.properties?.topicAliasMaximum, 10);
      assert.equal(connack.properties?.retainAvailable, true);
      // MQFLEET_MAX_PACKET_SIZE (1 MiB), less what a NATS message of max_payload 1 MiB needs for
      // headers (1,024) and the longest topic (max_control_line 4,096): docs/mqtt.md.
      assert.equal(connack.properties?.maximumPacketSize, 1048576 - 1024 - 4096);
      assert.equal(connack.properties?.serverKeepAlive, undefined); // the declared keep-alive stands
    } finally {
      raw.destroy();
    }
  });

  test('a QoS 1 PUBLISH too short for its packet identifier is malformed, not acknowledged', async () => {
    // Found by the fuzzer (MQFLEET_FUZZ_SEED=200735581, case 501): remaining length 6 = topic only;
    // the gateway answered PUBACK with packet identifier -1.
    const raw = await RawClient.open(port, 5);
    try {
      raw.send(connectPacket('publish-no-id', { protocolVersion: 5 }));
      assert.equal((await raw.next())?.cmd, 'connack');
      raw.write(Buffer.from([0x32, 0x07, 0x00, 0x04, 0x61, 0x2f, 0x62, 0x63, 0x00]));
      const reply = await raw.next();
      assert.equal(reply?.cmd, 'disconnect');
      assert.equal((reply as IDisconnectPacket).reasonCode, 0x81);
      await raw.waitClosed();
    } finally {
      raw.destroy();
    }
  });

  test('PUBREL without a packet identifier is malformed, not answered with a broken PUBCOMP', async () => {
    // Found by the fuzzer (MQFLEET_FUZZ_SEED=1043041182, case 394): PUBREL with remaining length 0.
    const raw = await RawClient.open(port, 5);
    try {
      raw.send(connectPacket('pubrel-no-id', { protocolVersion: 5 }));
      assert.equal((await raw.next())?.cmd, 'connack');
      raw.write(Buffer.from([0x62, 0x00]));
      const reply = await raw.next();
      assert.equal(reply?.cmd, 'disconnect');
      assert.equal((reply as IDisconnectPacket).reasonCode, 0x81);
      await raw.waitClosed();
    } finally {
      raw.destroy();
    }
  });

  for (const protocolVersion of [4, 5] as const) {
    test(`a packet announcing more than the Maximum Packet Size is refused before its body (v${protocolVersion})`, async () => {
      const raw = await RawClient.open(port, protocolVersion);
      try {
        raw.send(connectPacket(`too-big-${protocolVersion}`, { protocolVersion }));
        assert.equal((await raw.next())?.cmd, 'connack');
        // A PUBLISH header with a remaining length of 2 MiB (0x80 0x80 0x80 0x01), then only a few
        // bytes of its body: the gateway must not wait for (or buffer) the other 2 MiB.
        raw.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x01, 0x00, 0x01, 0x61]));
        const reply = await raw.next();
        if (protocolVersion === 5) {
          assert.equal(reply?.cmd, 'disconnect');
          assert.equal((reply as IDisconnectPacket).reasonCode, 0x95);
        } else {
          assert.equal(reply, undefined, 'MQTT 3.1.1: the connection is closed');
        }
        await raw.waitClosed();
      } finally {
        raw.destroy();
      }
    });
  }

  test('MQTT 3.1.1 empty client id with cleanSession 0 is refused with return code 2', async () => {
    const raw = await RawClient.open(port, 4);
    try {
      // (mqtt-packet refuses to encode this CONNECT, so it is written by hand.)
      raw.write(
        Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]),
      );
      const connack = (await raw.next()) as IConnackPacket;
      assert.equal(connack.returnCode, 2);
      await raw.waitClosed();
    } finally {
      raw.destroy();
    }
  });

  test('an unsupported protocol level gets CONNACK 1', async () => {
    const raw = await RawClient.open(port, 4);
    try {
      const bytes = Buffer.from([
        0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x06, 0x02, 0x00, 0x00, 0x00, 0x01, 0x61,
      ]);
      raw.write(bytes);
      const connack = (await raw.next()) as IConnackPacket;
      assert.equal(connack.cmd, 'connack');
      assert.equal(connack.returnCode, 1);
      await raw.waitClosed();
    } finally {
      raw.destroy();
    }
  });

  test('a first packet other than CONNECT closes the connection', async () => {
    const raw = await RawClient.open(port, 4);
    try {
      raw.send({ cmd: 'pingreq' });
      assert.equal(await raw.next(), undefined);
      assert.ok(raw.closed);
    } finally {
      raw.destroy();
    }
  });

  test('a second CONNECT is a protocol error: MQTT 5 DISCONNECT 0x82, then close', async () => {
    const raw = await RawClient.open(port, 5);
    try {
      raw.send(connectPacket('proto-twice', { protocolVersion: 5 }));
      assert.equal((await raw.next())?.cmd, 'connack');
      raw.send(connectPacket('proto-twice', { protocolVersion: 5 }));
      const disconnect = (await raw.next()) as IDisconnectPacket;
      assert.equal(disconnect.cmd, 'disconnect');
      assert.equal(disconnect.reasonCode, 0x82);
      await raw.waitClosed();
    } finally {
      raw.destroy();
    }
  });

  test('a malformed packet closes only that connection (MQTT 5: DISCONNECT 0x81)', async () => {
    const bystander = await mqttClient(port, { protocolVersion: 5, clientId: 'proto-bystander' });
    const raw = await RawClient.open(port, 5);
    try {
      raw.send(connectPacket('proto-malformed', { protocolVersion: 5 }));
      assert.equal((await raw.next())?.cmd, 'connack');
      const ended = eventMatching(gateway, 'connectionClosed', (name) => name === 'proto-malformed');
      // PUBLISH with QoS bits 11 (forbidden [MQTT-3.3.1-4]).
      raw.write(Buffer.from([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]));
      const disconnect = (await raw.next()) as IDisconnectPacket;
      assert.equal(disconnect.cmd, 'disconnect');
      assert.equal(disconnect.reasonCode, 0x81);
      await raw.waitClosed();
      await ended;
      // The gateway and the other client carry on.
      assert.ok(bystander.connected);
      await bystander.subscribeAsync('proto/alive', { qos: 1 });
      const got = new Promise<string>((resolve) =>
        bystander.once('message', (_t, p: Buffer) => resolve(p.toString())),
      );
      await bystander.publishAsync('proto/alive', 'yes', { qos: 1 });
      assert.equal(await got, 'yes');
    } finally {
      raw.destroy();
      await endClient(bystander);
    }
  });

  test('garbage bytes before CONNECT close the connection without crashing', async () => {
    const raw = await RawClient.open(port, 4);
    try {
      raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
      await raw.waitClosed();
    } finally {
      raw.destroy();
    }
  });

  test('keep-alive: nothing received for 1.5 x keepAlive closes the connection', async () => {
    const raw = await RawClient.open(port, 5);
    try {
      const closed = eventMatching<[string, string, string]>(
        gateway,
        'connectionClosed',
        (name) => name === 'proto-idle',
      );
      raw.send(connectPacket('proto-idle', { protocolVersion: 5, keepalive: 1 }));
      assert.equal((await raw.next())?.cmd, 'connack');
      const started = Date.now();
      const disconnect = (await raw.next(4000)) as IDisconnectPacket;
      assert.equal(disconnect.reasonCode, 0x8d);
      const [, , reason] = await closed;
      assert.equal(reason, 'keep-alive timeout');
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1400 && elapsed < 3000, `closed after ${elapsed} ms`);
    } finally {
      raw.destroy();
    }
  });

  test('session-service unreachable: CONNACK 0x88 (MQTT 5) / 3 (3.1.1), then close', async () => {
    const { port: deadPort } = await cluster.startGateway({
      MQFLEET_SESSION_SERVICE: `127.0.0.1:${await freePort()}`,
      MQFLEET_GRPC_DEADLINE_MS: '500',
    });
    for (const [version, field, code] of [
      [5, 'reasonCode', 0x88],
      [4, 'returnCode', 3],
    ] as const) {
      const raw = await RawClient.open(deadPort, version);
      try {
        raw.send(connectPacket(`proto-unavailable-${version}`, { protocolVersion: version }));
        const connack = (await raw.next()) as IConnackPacket;
        assert.equal(connack[field], code);
        await raw.waitClosed();
      } finally {
        raw.destroy();
      }
    }
  });
});
