// The listeners: MQTT over TCP, TLS, WebSocket and secure WebSocket, with real clients (MQTT.js,
// node:tls, the ws package) against one gateway. The connection code is the same for all four.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as mqttPacket from 'mqtt-packet';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { ConfigError, type ListenerKind } from '@mqfleet/core';
import { createTestCertificates, freePort, type ListenerCertificates } from '@mqfleet/testkit';
import type { Gateway } from '../src/index';
import { connectPacket, endClient, nextMessage, startCluster, type Cluster } from './helpers';

let cluster: Cluster;
let certs: ListenerCertificates;
let ports: Partial<Record<ListenerKind, number>>;
let gateway: Gateway;
const clients: MqttClient[] = [];

before(async () => {
  certs = createTestCertificates();
  cluster = await startCluster();
  ({ ports, gateway } = await cluster.startGateway({
    MQFLEET_LISTENERS: 'mqtt,mqtts,ws,wss',
    MQFLEET_TLS_CERT_FILE: certs.certFile,
    MQFLEET_TLS_KEY_FILE: certs.keyFile,
  }));
});
after(async () => {
  for (const c of clients) c.end(true);
  await cluster?.close();
  certs?.remove();
});

function url(kind: ListenerKind, path = '/mqtt'): string {
  const scheme = { mqtt: 'mqtt', mqtts: 'mqtts', ws: 'ws', wss: 'wss' }[kind];
  const port = ports[kind];
  assert.ok(port, `${kind} listener is on`);
  return kind === 'ws' || kind === 'wss'
    ? `${scheme}://localhost:${port}${path}`
    : `${scheme}://localhost:${port}`;
}

async function client(kind: ListenerKind, options: IClientOptions = {}, path?: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url(kind, path), {
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ca: certs.ca,
    ...options,
  });
  clients.push(c);
  return c;
}

describe('every listener serves MQTT', () => {
  it('opens exactly the configured listeners, on their own ports', () => {
    assert.deepEqual(Object.keys(ports).sort(), ['mqtt', 'mqtts', 'ws', 'wss']);
    assert.equal(new Set(Object.values(ports)).size, 4);
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'}: a message crosses TCP → TLS → WS → WSS`, async () => {
      const kinds: ListenerKind[] = ['mqtt', 'mqtts', 'ws', 'wss'];
      const topic = `listeners/${protocolVersion}`;
      const subscribers = await Promise.all(
        kinds.map((kind) => client(kind, { protocolVersion, clientId: `sub-${kind}-${protocolVersion}` })),
      );
      for (const s of subscribers) await s.subscribeAsync(topic, { qos: 1 });
      for (const kind of kinds) {
        const publisher = await client(kind, { protocolVersion, clientId: `pub-${kind}-${protocolVersion}` });
        for (const qos of [0, 1] as const) {
          const received = subscribers.map((s) => nextMessage(s));
          await publisher.publishAsync(topic, `from ${kind} qos ${qos}`, { qos });
          for (const [i, message] of (await Promise.all(received)).entries()) {
            assert.equal(message.payload.toString(), `from ${kind} qos ${qos}`, `received over ${kinds[i]}`);
            assert.equal(message.packet.qos, qos);
          }
        }
        await endClient(publisher);
      }
    });
  }

  it('WebSocket on "/" as well as "/mqtt"', async () => {
    const c = await client('ws', { protocolVersion: 5, clientId: 'ws-root' }, '/');
    assert.equal(c.connected, true);
    await endClient(c);
  });
});

/** A raw WebSocket with the mqtt subprotocol: sends frames as given, parses what comes back. */
async function rawWebSocket(
  path = '/mqtt',
  protocols: string[] = ['mqtt'],
): Promise<{
  ws: WebSocket;
  packets: mqttPacket.Packet[];
  next(): Promise<mqttPacket.Packet>;
}> {
  const ws = new WebSocket(`ws://127.0.0.1:${ports.ws}${path}`, protocols);
  await once(ws, 'open');
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p: mqttPacket.Packet) => {
    packets.push(p);
    ws.emit('mqtt-packet');
  });
  ws.on('message', (data: Buffer) => parser.parse(data));
  const next = async (): Promise<mqttPacket.Packet> => {
    if (packets.length === 0) await once(ws, 'mqtt-packet', { signal: AbortSignal.timeout(5000) });
    return packets.shift()!;
  };
  return { ws, packets, next };
}

const bytes = (packet: mqttPacket.Packet): Buffer => mqttPacket.generate(packet, { protocolVersion: 5 });

describe('WebSocket framing [MQTT-6.0.0]', () => {
  it('the server selects the "mqtt" subprotocol [MQTT-6.0.0-4]', async () => {
    const { ws } = await rawWebSocket('/mqtt', ['mqttv3.1', 'mqtt']);
    assert.equal(ws.protocol, 'mqtt');
    ws.terminate();
  });

  it('a packet may span frames, a frame may hold several packets [MQTT-6.0.0-2]', async () => {
    const { ws, next } = await rawWebSocket();
    const connect = bytes(connectPacket('ws-frames', { protocolVersion: 5 }));
    // CONNECT in three binary frames, split inside the fixed header and inside the payload.
    ws.send(connect.subarray(0, 1), { binary: true });
    ws.send(connect.subarray(1, 7), { binary: true });
    ws.send(connect.subarray(7), { binary: true });
    const connack = await next();
    assert.equal(connack.cmd, 'connack');
    assert.equal((connack as mqttPacket.IConnackPacket).reasonCode, 0);
    // SUBSCRIBE and PINGREQ in one frame.
    ws.send(
      Buffer.concat([
        bytes({ cmd: 'subscribe', messageId: 7, subscriptions: [{ topic: 'frames/#', qos: 1 }] }),
        bytes({ cmd: 'pingreq' }),
      ]),
      { binary: true },
    );
    // Both answered (SUBACK waits for the session-service, so PINGRESP may come first).
    const answers = [await next(), await next()];
    const suback = answers.find((p) => p.cmd === 'suback') as mqttPacket.ISubackPacket;
    assert.deepEqual(suback?.granted, [1]);
    assert.ok(answers.some((p) => p.cmd === 'pingresp'));
    ws.close();
    await once(ws, 'close');
  });

  it('a text frame closes the connection [MQTT-6.0.0-1]', async () => {
    const { ws, next } = await rawWebSocket();
    ws.send(bytes(connectPacket('ws-text', { protocolVersion: 5 })), { binary: true });
    assert.equal((await next()).cmd, 'connack');
    const closed = once(ws, 'close', { signal: AbortSignal.timeout(5000) });
    ws.send(bytes({ cmd: 'pingreq' }).toString('latin1'), { binary: false });
    const [code] = (await closed) as [number];
    assert.equal(code, 1003);
  });

  it('refuses a handshake without the "mqtt" subprotocol [MQTT-6.0.0-3] or on another path', async () => {
    for (const [path, protocols, status] of [
      ['/mqtt', [], 400],
      ['/mqtt', ['mqttv3.1'], 400],
      ['/other', ['mqtt'], 404],
    ] as const) {
      const ws = new WebSocket(`ws://127.0.0.1:${ports.ws}${path}`, [...protocols]);
      ws.on('error', () => undefined);
      const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
      assert.equal(response.statusCode, status, `${path} ${protocols.join(',')}`);
      ws.terminate();
    }
  });

  it('a plain HTTP request gets 426 Upgrade Required', async () => {
    const response = await fetch(`http://127.0.0.1:${ports.ws}/mqtt`);
    assert.equal(response.status, 426);
  });
});

describe('TLS', () => {
  it('presents the configured certificate (verified against its CA)', async () => {
    const socket = tlsConnect({
      port: ports.mqtts!,
      host: '127.0.0.1',
      ca: certs.ca,
      servername: 'localhost',
    });
    await once(socket, 'secureConnect');
    assert.equal(socket.authorized, true);
    assert.equal(socket.getPeerCertificate().subject.CN, 'localhost');
    socket.destroy();
  });

  it('with MQFLEET_TLS_CA_FILE, a client certificate signed by that CA is required', async () => {
    const { ports: mutual } = await cluster.startGateway({
      MQFLEET_LISTENERS: 'mqtts,wss',
      MQFLEET_TLS_CERT_FILE: certs.certFile,
      MQFLEET_TLS_KEY_FILE: certs.keyFile,
      MQFLEET_TLS_CA_FILE: certs.caFile,
    });
    assert.deepEqual(Object.keys(mutual).sort(), ['mqtts', 'wss']);
    for (const kind of ['mqtts', 'wss'] as const) {
      const path = kind === 'wss' ? '/mqtt' : '';
      const withCert = await mqtt.connectAsync(`${kind}://localhost:${mutual[kind]}${path}`, {
        reconnectPeriod: 0,
        ca: certs.ca,
        cert: certs.clientCert,
        key: certs.clientKey,
        clientId: `mtls-${kind}`,
      });
      assert.equal(withCert.connected, true);
      await endClient(withCert);
      await assert.rejects(
        mqtt.connectAsync(`${kind}://localhost:${mutual[kind]}${path}`, {
          reconnectPeriod: 0,
          connectTimeout: 5000,
          ca: certs.ca,
          clientId: `no-cert-${kind}`,
        }),
      );
    }
  });

  it('an unreadable or invalid certificate stops the start, naming the variable', async () => {
    await assert.rejects(
      cluster.startGateway({
        MQFLEET_TLS_CERT_FILE: join(certs.dir, 'missing.pem'),
        MQFLEET_TLS_KEY_FILE: certs.keyFile,
      }),
      (err: unknown) =>
        err instanceof ConfigError && /MQFLEET_TLS_CERT_FILE: cannot read .*missing\.pem/.test(err.message),
    );
    const garbage = join(certs.dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    await assert.rejects(
      cluster.startGateway({ MQFLEET_TLS_CERT_FILE: garbage, MQFLEET_TLS_KEY_FILE: certs.keyFile }),
      (err: unknown) => err instanceof ConfigError && /not a usable certificate and key/.test(err.message),
    );
  });
});

describe('which listeners are on', () => {
  it('only MQTT over TCP unless configured; TLS on by default once a certificate is given', async () => {
    const plain = await cluster.startGateway();
    assert.deepEqual(Object.keys(plain.ports), ['mqtt']);
    const withCert = await cluster.startGateway({
      MQFLEET_TLS_CERT_FILE: certs.certFile,
      MQFLEET_TLS_KEY_FILE: certs.keyFile,
    });
    assert.deepEqual(Object.keys(withCert.ports).sort(), ['mqtt', 'mqtts']);
  });

  it('gateway i listens on each port + i', async () => {
    const base = { mqtt: await freePort(), ws: await freePort() };
    const { ports: second } = await cluster.startGateway({
      MQFLEET_GATEWAYS: '2',
      MQFLEET_GATEWAY_INDEX: '1',
      MQFLEET_LISTENERS: 'mqtt,ws',
      MQFLEET_MQTT_PORT: String(base.mqtt - 1),
      MQFLEET_WS_PORT: String(base.ws - 1),
    });
    assert.deepEqual(second, { mqtt: base.mqtt, ws: base.ws });
    const c = await mqtt.connectAsync(`ws://127.0.0.1:${base.ws}/mqtt`, {
      reconnectPeriod: 0,
      clientId: 'offset',
    });
    await endClient(c);
  });
});

describe('a listener that fails to accept a connection', () => {
  it('goes on listening (EMFILE during a flood used to end the process), for every kind', async () => {
    // What Node does when accept() fails on a listening server (EMFILE: the process is out of
    // file descriptors): it emits 'error' on the server. Emitted here by hand on each listener.
    const listeners = (
      gateway as unknown as { servers: { kind: ListenerKind; server: NodeJS.EventEmitter }[] }
    ).servers;
    assert.equal(listeners.length, 4);
    for (const { kind, server } of listeners) {
      // More than once: a flood fails many accepts.
      for (let i = 0; i < 3; i++) {
        const err = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' });
        server.emit('error', err);
      }
      const c = await client(kind, { clientId: `after-emfile-${kind}` });
      assert.equal(c.connected, true, kind);
      await endClient(c);
    }
  });
});
