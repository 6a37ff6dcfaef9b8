// CONNECTs answered before their OpenSession is written (docs/mqtt.md, "Connects at scale"):
// which ones, what the session-service stores behind them, a stored session the gateway had not
// heard of, and a connection that ends before its open was sent. A real session-service process
// (stopped and resumed with SIGSTOP / SIGCONT), real NATS and Postgres.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { IConnackPacket, IDisconnectPacket } from 'mqtt-packet';
import { clientDigest, DEFAULT_SETTINGS } from '@mqfleet/core';
import { eventMatching, until } from '@mqfleet/testkit';
import { connectPacket, endClient, mqttClient, RawClient, startCluster, type Cluster } from './helpers';
import type { Gateway } from '../src/index';

describe('CONNECTs answered first', () => {
  let cluster: Cluster;
  let db: pg.Pool;

  before(async () => {
    cluster = await startCluster();
    db = new pg.Pool({ connectionString: cluster.infra.databaseUrl, max: 2 });
  });
  after(async () => {
    await db?.end();
    await cluster?.close();
  });

  async function gatewayWith(mode: string): Promise<{ gateway: Gateway; port: number }> {
    const { gateway, port } = await cluster.startGateway({ MQFLEET_ANSWER_FIRST: mode });
    await until(() => gateway.known.ready);
    return { gateway, port };
  }

  async function row(clientName: string): Promise<Record<string, unknown> | undefined> {
    const { rows } = await db.query('SELECT * FROM sessions WHERE client_name = $1', [clientName]);
    return rows[0] as Record<string, unknown> | undefined;
  }

  test('a new client id gets its CONNACK first; the session is stored behind it and removed at its end', async () => {
    const { gateway, port } = await gatewayWith('always');
    const answered = eventMatching(gateway, 'answeredFirst', (name: string) => name === 'af-new');
    const client = await mqttClient(port, { clientId: 'af-new', protocolVersion: 5 });
    await answered;
    // A SUBSCRIBE while the open is held: its write goes after the open (the open is sent at once).
    await client.subscribeAsync('af/new/#', { qos: 1 });
    const stored = await until(async () => (await row('af-new')) ?? false);
    assert.equal(stored.connection_status, 'connected');
    const filters = async (): Promise<string[]> =>
      (
        await db.query<{ topic_filter: string }>(
          'SELECT topic_filter FROM session_subscriptions WHERE client_key = $1',
          [stored.client_key],
        )
      ).rows.map((r) => r.topic_filter);
    const found = await until(async () => {
      const now = await filters();
      return now.length > 0 && now;
    });
    assert.deepEqual(found, ['af/new/#']);
    // The connection applies the stored session when its open lands (version 1), then the
    // version its subscription made (2).
    await until(() => gateway.byClient.get('af-new')?.version === 2n);
    await endClient(client);
    await until(async () => (await row('af-new')) === undefined);
  });

  test('a client id with a stored session waits for its OpenSession, also with Clean Start', async () => {
    const { gateway, port } = await gatewayWith('always');
    const first = await mqttClient(port, { clientId: 'af-stored', clean: false });
    await first.subscribeAsync('af/stored', { qos: 1 });
    await endClient(first);
    await until(async () => (await row('af-stored'))?.connection_status === 'disconnected');
    let answeredFirst = false;
    const onAnswered = (name: string): void => {
      if (name === 'af-stored') answeredFirst = true;
    };
    gateway.on('answeredFirst', onAnswered);
    try {
      const again = await mqttClient(port, { clientId: 'af-stored', clean: false });
      assert.equal(answeredFirst, false);
      assert.equal(gateway.byClient.get('af-stored')?.sessionResumed, true);
      assert.deepEqual([...gateway.byClient.get('af-stored')!.subscriptions.keys()], ['af/stored']);
      await endClient(again);
      // The stored session could be banned or pinned: a clean CONNECT of its id waits too (the
      // close just written told the gateway the session stays).
      await until(async () => (await row('af-stored'))?.connection_status === 'disconnected');
      const clean = await mqttClient(port, { clientId: 'af-stored', clean: true });
      assert.equal(answeredFirst, false);
      assert.ok(gateway.byClient.get('af-stored')!.version > 1n);
      await endClient(clean);
    } finally {
      gateway.off('answeredFirst', onAnswered);
    }
  });

  test('a session another gateway opened is known from its event: the CONNECT here waits and takes it over', async () => {
    const { gateway: a, port: portA } = await gatewayWith('always');
    const { port: portB } = await gatewayWith('always');
    const onB = await mqttClient(portB, { clientId: 'af-elsewhere' });
    // Its connected event reaches gateway A (which reads every session event's subject).
    await until(() => a.known.mayExist('af-elsewhere'));
    let answeredFirst = false;
    const onAnswered = (name: string): void => {
      if (name === 'af-elsewhere') answeredFirst = true;
    };
    a.on('answeredFirst', onAnswered);
    try {
      const closedOnB = new Promise<void>((resolve) => onB.once('close', () => resolve()));
      const onA = await mqttClient(portA, { clientId: 'af-elsewhere' });
      assert.equal(answeredFirst, false);
      await closedOnB;
      await endClient(onA);
    } finally {
      a.off('answeredFirst', onAnswered);
      onB.end(true);
    }
  });

  test('a CONNECT with a will, a user name or a session that outlives it waits for its OpenSession', async () => {
    const { gateway, port } = await gatewayWith('always');
    let answeredFirst = 0;
    const onAnswered = (): void => {
      answeredFirst++;
    };
    gateway.on('answeredFirst', onAnswered);
    try {
      const withWill = await mqttClient(port, {
        clientId: 'af-will',
        will: { topic: 'af/will', payload: Buffer.from('gone'), qos: 0, retain: false },
      });
      assert.equal(gateway.byClient.get('af-will')?.version, 1n, 'stored before its CONNACK');
      const withUser = await mqttClient(port, { clientId: 'af-user', username: 'ADMIN', password: 'ADMIN' });
      assert.equal(gateway.byClient.get('af-user')?.version, 1n, 'stored before its CONNACK');
      const persistent = await mqttClient(port, { clientId: 'af-persistent', clean: false });
      assert.equal(gateway.byClient.get('af-persistent')?.version, 1n, 'stored before its CONNACK');
      const expiring = await mqttClient(port, {
        clientId: 'af-expiring',
        protocolVersion: 5,
        properties: { sessionExpiryInterval: 60 },
      });
      assert.equal(gateway.byClient.get('af-expiring')?.version, 1n, 'stored before its CONNACK');
      assert.equal(answeredFirst, 0);
      await endClient(withWill);
      await endClient(withUser);
      await endClient(persistent);
      await endClient(expiring);
    } finally {
      gateway.off('answeredFirst', onAnswered);
    }
  });

  test('a banned session the gateway had not heard of ends the answered connection (0x87)', async () => {
    const { port } = await gatewayWith('always');
    // Written behind the session-service's back: no event tells the gateway about it.
    await db.query(
      `INSERT INTO sessions (client_key, client_name, settings, session_status)
       VALUES ($1, $2, $3, 'banned')`,
      [
        clientDigest('af-banned'),
        'af-banned',
        JSON.stringify({ ...DEFAULT_SETTINGS, sessionStatus: 'SESSION_STATUS_BANNED' }),
      ],
    );
    const raw = await RawClient.open(port, 5);
    raw.send(connectPacket('af-banned', { protocolVersion: 5 }));
    const connack = (await raw.next()) as IConnackPacket;
    assert.equal(connack.cmd, 'connack');
    assert.equal(connack.reasonCode, 0);
    const disconnect = (await raw.next()) as IDisconnectPacket;
    assert.equal(disconnect.cmd, 'disconnect');
    assert.equal(disconnect.reasonCode, 0x87);
    const stored = await row('af-banned');
    assert.equal(stored?.session_status, 'banned');
    assert.equal(stored?.last_failed_reason, 'banned');
    assert.equal(stored?.connection_status, 'disconnected');
    raw.destroy();
  });

  test("another user's session the gateway had not heard of ends the answered connection (0x87) and gives it nothing", async () => {
    const { port } = await gatewayWith('always');
    // A persistent session of user alice with a subscription, written behind the session-service's
    // back: no event tells the gateway about it, so an anonymous CONNECT of its id is answered
    // first; the session-service, deciding ownership, refuses the open.
    await db.query(
      `INSERT INTO sessions (client_key, client_name, settings, mqtt_owner, username)
       VALUES ($1, $2, $3, 'alice', 'alice')`,
      [
        clientDigest('af-alice'),
        'af-alice',
        JSON.stringify({ ...DEFAULT_SETTINGS, sessionExpiryInterval: 600, temporarySession: false }),
      ],
    );
    await db.query(
      `INSERT INTO session_subscriptions (client_key, filter_key, topic_filter, qos, no_local, retain_as_published, retain_handling, subscription_identifier)
       VALUES ($1, sha256('af-alice/#'::bytea), 'af-alice/#', 1, false, false, 0, 0)`,
      [clientDigest('af-alice')],
    );
    const raw = await RawClient.open(port, 5);
    raw.send(connectPacket('af-alice', { protocolVersion: 5 }));
    const connack = (await raw.next()) as IConnackPacket;
    assert.equal(connack.cmd, 'connack');
    assert.equal(connack.sessionPresent, false);
    const disconnect = (await raw.next()) as IDisconnectPacket;
    assert.equal(disconnect.cmd, 'disconnect', 'nothing of the session comes before the DISCONNECT');
    assert.equal(disconnect.reasonCode, 0x87);
    const stored = await row('af-alice');
    assert.equal(stored?.mqtt_owner, 'alice');
    assert.equal(stored?.last_failed_reason, 'the client id belongs to another user');
    const { rows } = await db.query('SELECT topic_filter FROM session_subscriptions WHERE client_key = $1', [
      clientDigest('af-alice'),
    ]);
    assert.deepEqual(rows, [{ topic_filter: 'af-alice/#' }], "alice's subscription is untouched");
    raw.destroy();
  });

  test('with the session-service stopped, new clients are answered; one that leaves before its open was sent costs no write', async () => {
    const { gateway, port } = await gatewayWith('always');
    const pid = cluster.sessionService.child.pid!;
    process.kill(pid, 'SIGSTOP');
    const names = ['af-stop-1', 'af-stop-2', 'af-stop-3', 'af-stop-4', 'af-stop-5', 'af-stop-6'];
    const clients = [];
    try {
      // The first four opens leave in calls of their own and wait for the stopped service; the
      // others wait for a free call.
      for (const clientId of names) clients.push(await mqttClient(port, { clientId }));
      const withdrawn = eventMatching(gateway, 'openWithdrawn', (name: string) => name === 'af-stop-6');
      await endClient(clients.pop()!);
      await withdrawn;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    for (const name of names.slice(0, 5)) {
      await until(async () => (await row(name))?.connection_status === 'connected');
    }
    assert.equal(await row('af-stop-6'), undefined);
    for (const client of clients) await endClient(client);
    for (const name of names.slice(0, 5)) await until(async () => (await row(name)) === undefined);
    assert.equal(await row('af-stop-6'), undefined);
  });

  test('by default (load) a CONNECT is answered first only from MQFLEET_ANSWER_FIRST_RATE CONNECTs a second, and for 10 s after', async () => {
    const { gateway, port } = await cluster.startGateway({ MQFLEET_ANSWER_FIRST_RATE: '4' });
    await until(() => gateway.known.ready);
    const answered: string[] = [];
    const onAnswered = (name: string): void => {
      answered.push(name);
    };
    gateway.on('answeredFirst', onAnswered);
    const raws: RawClient[] = [];
    try {
      // Six CONNECTs in one burst: the first three to arrive are below the rate and wait for their
      // OpenSession; from the fourth on (four within a second) they are answered first.
      for (let i = 1; i <= 6; i++) raws.push(await RawClient.open(port, 4));
      raws.forEach((raw, i) => raw.send(connectPacket(`af-load-${i + 1}`)));
      for (const raw of raws) {
        const connack = (await raw.next()) as IConnackPacket;
        assert.equal(connack.returnCode, 0);
        assert.equal(connack.sessionPresent, false);
      }
      assert.equal(answered.length, 3, answered.join());
      for (let i = 1; i <= 6; i++) {
        await until(async () => (await row(`af-load-${i}`))?.connection_status === 'connected');
      }
      // Below the rate again (the burst left the last second), but within the 10 s the load
      // lingers: still answered first.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const late = await RawClient.open(port, 4);
      raws.push(late);
      late.send(connectPacket('af-load-7'));
      assert.equal(((await late.next()) as IConnackPacket).returnCode, 0);
      assert.deepEqual(answered.slice(3), ['af-load-7']);
    } finally {
      gateway.off('answeredFirst', onAnswered);
      for (const raw of raws) {
        raw.destroy();
        await raw.waitClosed();
      }
    }
  });
});
