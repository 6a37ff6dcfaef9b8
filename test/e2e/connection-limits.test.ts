// Connection limits of a gateway (issue 15, docs/security.md): in all, per source address at
// once, and per source address a second. A connection over a limit gets a refusing CONNACK before
// any session work (MQTT 5 0x97 / 0x9F, 3.1.1 return code 3), is counted in the gateway's stats
// (ListGateways refusedConnections), and the connections within the limits keep working. Each
// source is its own loopback address (Linux routes all of 127/8 to lo).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { MqttClient, type IClientOptions } from 'mqtt';
import { MqfleetClient } from '@mqfleet/client';
import { until } from '@mqfleet/testkit';
import { startSystem, type System } from './system';

const QUOTA_EXCEEDED = 0x97;
const CONNECTION_RATE_EXCEEDED = 0x9f;

interface Attempt {
  code: number;
  client: MqttClient;
}

/** One CONNECT from `localAddress`: the CONNACK code (0 accepted) and the client, left open. */
async function connectFrom(port: number, localAddress: string, options: IClientOptions): Promise<Attempt> {
  const client = new MqttClient(() => netConnect({ host: '127.0.0.1', port, localAddress }), {
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    protocolVersion: 5,
    ...options,
  });
  const code = await new Promise<number>((resolve, reject) => {
    client.once('connect', () => resolve(0));
    client.once('error', (err: Error & { code?: number }) =>
      typeof err.code === 'number' ? resolve(err.code) : reject(err),
    );
  });
  return { code, client };
}

describe('connection limits', () => {
  let system: System;
  let port: number;
  const open: MqttClient[] = [];

  const keep = (a: Attempt): number => {
    if (a.code === 0) open.push(a.client);
    else a.client.end(true);
    return a.code;
  };
  let admin: MqfleetClient | undefined;
  /** The gateway as its last heartbeat described it (ListGateways). */
  const gatewayInfo = async (): Promise<{ connections: number; refused: number }> => {
    admin ??= await MqfleetClient.login(system.env.MQFLEET_SESSION_SERVICE!, 'ADMIN', 'ADMIN');
    const [gateway] = await admin.listGateways();
    return { connections: gateway?.connections ?? -1, refused: Number(gateway?.refusedConnections ?? 0) };
  };

  before(async () => {
    system = await startSystem({
      env: {
        MQFLEET_MAX_CONNECTIONS: '6',
        MQFLEET_MAX_CONNECTIONS_PER_ADDRESS: '4',
        MQFLEET_CONNECT_RATE_PER_ADDRESS: '3',
        MQFLEET_GATEWAY_HEARTBEAT_MS: '200',
      },
    });
    port = system.gateways[0]!.port;
  });
  after(async () => {
    for (const c of open) c.end(true);
    admin?.close();
    await system?.close();
  });

  it('connections from one address faster than its rate are refused with 0x9F; others connect', async () => {
    // Four at once: the bucket holds three (a second's worth).
    const attempts = await Promise.all(
      [0, 1, 2, 3].map((i) => connectFrom(port, '127.0.0.22', { clientId: `fast-${i}` })),
    );
    const codes = attempts.map((a) => a.code).sort();
    for (const a of attempts) a.client.end(true);
    assert.deepEqual(codes, [0, 0, 0, CONNECTION_RATE_EXCEEDED]);
    // Another address is not held back.
    assert.equal(keep(await connectFrom(port, '127.0.0.23', { clientId: 'calm' })), 0);
    open.pop()!.end(true);
    // Once the bucket refills, the fast address connects again.
    await until(
      async () => keep(await connectFrom(port, '127.0.0.22', { clientId: 'fast-again' })) === 0,
      10_000,
      200,
    );
    open.pop()!.end(true);
  });

  it('more connections from one address than allowed at once: 0x97 (MQTT 5), return code 3 (3.1.1)', async () => {
    // The rate test's connections have closed on the gateway's side.
    await until(async () => (await gatewayInfo()).connections === 0);
    for (let i = 0; i < 4; i++) {
      // Opened one after the other, faster than the rate (3 a second): a rate refusal is tried again.
      await until(
        async () => {
          const code = keep(await connectFrom(port, '127.0.0.20', { clientId: `held-${i}` }));
          assert.ok(code === 0 || code === CONNECTION_RATE_EXCEEDED, `code ${code}`);
          return code === 0;
        },
        10_000,
        100,
      );
    }
    assert.equal(keep(await connectFrom(port, '127.0.0.20', { clientId: 'one-more' })), QUOTA_EXCEEDED);
    assert.equal(
      keep(await connectFrom(port, '127.0.0.20', { clientId: 'one-more-v4', protocolVersion: 4 })),
      3,
    );
    // The connections held keep working.
    const first = open[0]!;
    await first.subscribeAsync('limits/t', { qos: 1 });
    const got = new Promise<string>((resolve) => first.once('message', (_t, p) => resolve(p.toString())));
    await open[3]!.publishAsync('limits/t', 'still here', { qos: 1 });
    assert.equal(await got, 'still here');
  });

  it('beyond the gateway-wide maximum: 0x97, until a connection ends; refusals are counted', async () => {
    // Four held from 127.0.0.20; two more from elsewhere reach MQFLEET_MAX_CONNECTIONS=6.
    assert.equal(keep(await connectFrom(port, '127.0.0.24', { clientId: 'fourth' })), 0);
    assert.equal(keep(await connectFrom(port, '127.0.0.25', { clientId: 'fifth' })), 0);
    assert.equal(keep(await connectFrom(port, '127.0.0.26', { clientId: 'sixth' })), QUOTA_EXCEEDED);
    // One leaves: a new one gets in once the gateway has seen the socket close.
    open.shift()!.end(true);
    await until(
      async () => keep(await connectFrom(port, '127.0.0.26', { clientId: 'sixth' })) === 0,
      10_000,
      100,
    );
    // rate 1 + address 2 + gateway 1 at least (the until loops may add more).
    const refused = await until(async () => {
      const n = (await gatewayInfo()).refused;
      return n >= 4 ? n : undefined;
    });
    assert.ok(refused >= 4);
  });
});
