// Connection limits of a gateway (issue 15, docs/security.md): in all, per source address at
// once, and a second in all and per source address. A connection over a limit gets a refusing CONNACK before
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

  /** Refusals this test has seen; the gateway's count must come to the same. */
  let refusalsSeen = 0;
  const keep = (a: Attempt): number => {
    if (a.code === 0) open.push(a.client);
    else {
      refusalsSeen++;
      a.client.end(true);
    }
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
        MQFLEET_CONNECT_RATE_PER_ADDRESS: '2',
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
    // Eight at once: the bucket holds two (a second's worth), and refills at two a second while
    // they arrive (slowly, on a loaded machine), so some of the last are refused.
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => connectFrom(port, '127.0.0.22', { clientId: `fast-${i}` })),
    );
    const codes = attempts.map((a) => a.code);
    for (const a of attempts) a.client.end(true);
    refusalsSeen += codes.filter((c) => c !== 0).length;
    assert.ok(codes.filter((c) => c === 0).length >= 2, codes.join(','));
    assert.ok(codes.includes(CONNECTION_RATE_EXCEEDED), codes.join(','));
    // Beyond the rate only the open-connection bound (4) may refuse one instead.
    assert.ok(
      codes.every((c) => c === 0 || c === CONNECTION_RATE_EXCEEDED || c === QUOTA_EXCEEDED),
      codes.join(','),
    );
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
      // Opened one after the other, faster than the rate (2 a second): a rate refusal is tried again.
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
    // Every refusal seen here, and no other, is in the gateway's count.
    assert.ok(refusalsSeen >= 4);
    await until(async () => (await gatewayInfo()).refused === refusalsSeen);
  });
});

describe('the gateway-wide connection rate', () => {
  let system: System;
  let port: number;

  before(async () => {
    system = await startSystem({
      env: { MQFLEET_CONNECT_RATE: '3', MQFLEET_CONNECT_RATE_PER_ADDRESS: '0' },
    });
    port = system.gateways[0]!.port;
  });
  after(async () => {
    await system?.close();
  });

  it('connections from many addresses together faster than MQFLEET_CONNECT_RATE: 0x9F (3.1.1: 3); then in again', async () => {
    // Nine at once from three addresses, none of them limited on its own: the gateway's bucket
    // holds three (a second's worth) and refills at three a second while they arrive.
    const attempts = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        connectFrom(port, `127.0.0.${40 + (i % 3)}`, { clientId: `many-${i}` }),
      ),
    );
    const codes = attempts.map((a) => a.code);
    for (const a of attempts) a.client.end(true);
    assert.ok(codes.filter((c) => c === 0).length >= 3, codes.join(','));
    assert.ok(codes.includes(CONNECTION_RATE_EXCEEDED), codes.join(','));
    assert.ok(
      codes.every((c) => c === 0 || c === CONNECTION_RATE_EXCEEDED),
      codes.join(','),
    );
    // MQTT 3.1.1 is told "server unavailable" while the bucket is empty; once it refills, any
    // address connects again.
    const burst = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        connectFrom(port, '127.0.0.43', { clientId: `v4-${i}`, protocolVersion: 4 }),
      ),
    );
    for (const a of burst) a.client.end(true);
    assert.ok(
      burst.some((a) => a.code === 3),
      burst.map((a) => a.code).join(','),
    );
    await until(
      async () => {
        const again = await connectFrom(port, '127.0.0.44', { clientId: 'after-refill' });
        again.client.end(true);
        return again.code === 0;
      },
      10_000,
      200,
    );
  });
});
