// Third-party MQTT clients over every listener of a gateway process: Eclipse Paho for Python
// (MQTT 3.1.1 and 5.0 over TCP, TLS, WebSocket and secure WebSocket), MQTT.js over TLS and
// WebSocket, and mosquitto_pub / mosquitto_sub over TLS (--cafile). The TLS certificates are made
// for the test by openssl (testkit) and removed after it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createTestCertificates, freePort, type ListenerCertificates } from '@mqfleet/testkit';
import { run, withTimeout } from './run-command';
import { startSystem, type ReceivedMessage, type System } from './system';

const PAHO_SCRIPT = join(__dirname, 'clients', 'paho_roundtrip.py');

/**
 * A python3 that can import paho: the one on PATH, else Debian's (python3-paho-mqtt installs into
 * /usr/bin/python3's dist-packages, which a pyenv python3 on PATH does not see).
 */
function findPahoPython(): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import paho.mqtt.client'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

type Transport = 'mqtt' | 'mqtts' | 'ws' | 'wss';

describe('third-party clients over TCP, TLS and WebSocket', () => {
  let system: System;
  let certs: ListenerCertificates;
  let observer: MqttClient;
  const ports = {} as Record<Transport, number>;
  const children: ChildProcess[] = [];
  const mqttJs: MqttClient[] = [];
  const python = findPahoPython();

  before(async () => {
    certs = createTestCertificates();
    ports.mqtts = await freePort();
    ports.ws = await freePort();
    ports.wss = await freePort();
    system = await startSystem({
      env: {
        MQFLEET_LISTENERS: 'mqtt,mqtts,ws,wss',
        MQFLEET_MQTTS_PORT: String(ports.mqtts),
        MQFLEET_WS_PORT: String(ports.ws),
        MQFLEET_WSS_PORT: String(ports.wss),
        MQFLEET_TLS_CERT_FILE: certs.certFile,
        MQFLEET_TLS_KEY_FILE: certs.keyFile,
      },
    });
    ports.mqtt = system.gateways[0]!.port;
    // An MQTT.js client on plain TCP sees what every other client publishes.
    observer = await system.mqtt('observer', { protocolVersion: 5 });
    await observer.subscribeAsync('interop/#', { qos: 1 });
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
    for (const c of mqttJs) c.end(true);
    await system?.close();
    certs?.remove();
  });

  /** Resolves with the observer's first message on `topic` whose payload is `payload`. */
  function observed(topic: string, payload: string, timeoutMs = 15000): Promise<ReceivedMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        observer.off('message', onMessage);
        reject(new Error(`observer: no "${payload}" on ${topic} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (t: string, p: Buffer, packet: ReceivedMessage['packet']): void => {
        if (t !== topic || p.toString() !== payload) return;
        clearTimeout(timer);
        observer.off('message', onMessage);
        resolve({ topic: t, payload: p, packet });
      };
      observer.on('message', onMessage);
    });
  }

  for (const protocol of ['3.1.1', '5'] as const) {
    for (const transport of ['mqtt', 'mqtts', 'ws', 'wss'] as const) {
      it(`paho (Python) MQTT ${protocol} over ${transport}: connect, subscribe, publish QoS 0/1, receive`, async (t) => {
        if (!python) {
          t.skip('python3-paho-mqtt is not installed (apt-get install python3-paho-mqtt; .ci/run does it)');
          return;
        }
        const topic = `interop/paho/${protocol}/${transport}`;
        const seen = observed(topic, 'qos 1');
        const args = [
          PAHO_SCRIPT,
          '--host',
          'localhost', // the certificate is for localhost / 127.0.0.1
          '--port',
          String(ports[transport]),
          '--transport',
          transport === 'ws' || transport === 'wss' ? 'websockets' : 'tcp',
          '--protocol',
          protocol,
          '--client-id',
          `paho-${protocol}-${transport}`,
          '--topic',
          topic,
          ...(transport === 'mqtts' || transport === 'wss' ? ['--cafile', certs.caFile] : []),
        ];
        const paho = run(python, args);
        children.push(paho.child);
        const code = await withTimeout(paho.exited, 20000, 'paho');
        const events = paho
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        assert.equal(code, 0, paho.output());
        assert.deepEqual(
          events.find((e) => e.event === 'connack'),
          { event: 'connack', rc: 0 },
        );
        assert.deepEqual(
          events.find((e) => e.event === 'suback'),
          { event: 'suback', granted: [1] },
        );
        const messages = events.filter((e) => e.event === 'message');
        assert.deepEqual(messages.map((m) => [m.topic, m.payload, m.qos]).sort(), [
          [topic, 'qos 0', 0],
          [topic, 'qos 1', 1],
        ]);
        // The message also reached a client on another transport.
        assert.equal((await seen).packet.qos, 1);
      });
    }
  }

  for (const transport of ['mqtts', 'ws', 'wss'] as const) {
    it(`MQTT.js over ${transport}: QoS 1 both ways with a client on TCP`, async () => {
      const path = transport === 'mqtts' ? '' : '/mqtt';
      const client = await mqtt.connectAsync(`${transport}://localhost:${ports[transport]}${path}`, {
        protocolVersion: 5,
        clientId: `mqttjs-${transport}`,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ca: certs.ca,
      });
      mqttJs.push(client);
      await client.subscribeAsync(`interop/back/${transport}`, { qos: 1 });
      const seen = observed(`interop/mqttjs/${transport}`, 'out');
      await client.publishAsync(`interop/mqttjs/${transport}`, 'out', { qos: 1 });
      await seen;
      const back = new Promise<string>((resolve) => client.once('message', (_t, p) => resolve(p.toString())));
      await observer.publishAsync(`interop/back/${transport}`, 'back', { qos: 1 });
      assert.equal(await withTimeout(back, 10000, 'MQTT.js receive'), 'back');
      await client.endAsync();
    });
  }

  it('mosquitto_sub receives over TLS what mosquitto_pub publishes over TLS (--cafile)', async () => {
    const tlsArgs = ['-h', 'localhost', '-p', String(ports.mqtts), '--cafile', certs.caFile];
    const sub = run('mosquitto_sub', [
      ...tlsArgs,
      '-V',
      'mqttv5',
      '-i',
      'tls-sub',
      '-t',
      'interop/tls',
      '-q',
      '1',
      '-C',
      '1',
      '-d',
    ]);
    children.push(sub.child);
    await sub.waitForOutput(/received SUBACK/);
    const pub = run('mosquitto_pub', [
      ...tlsArgs,
      '-V',
      'mqttv311',
      '-i',
      'tls-pub',
      '-q',
      '1',
      '-t',
      'interop/tls',
      '-m',
      'over tls',
      '-d',
    ]);
    children.push(pub.child);
    assert.equal(await withTimeout(pub.exited, 10000, 'mosquitto_pub'), 0, pub.output());
    assert.match(pub.output(), /received PUBACK/);
    assert.equal(await withTimeout(sub.exited, 10000, 'mosquitto_sub'), 0, sub.output());
    assert.match(sub.output(), /^over tls$/m);
  });

  it('mosquitto_pub refuses the server without the right CA (the certificate is really checked)', async () => {
    const other = createTestCertificates();
    try {
      const pub = run('mosquitto_pub', [
        '-h',
        'localhost',
        '-p',
        String(ports.mqtts),
        '--cafile',
        other.caFile,
        '-t',
        'interop/tls',
        '-m',
        'x',
      ]);
      children.push(pub.child);
      assert.notEqual(await withTimeout(pub.exited, 10000, 'mosquitto_pub'), 0);
    } finally {
      other.remove();
    }
  });
});
