// alterMqSession's session fields on live MQTT 5 connections, end to end (separate processes):
// session expiry / permanence taking effect when the connection ends, session status (hidden,
// inactive), stored-only fields (label, health thresholds, metadata), and the stored settings
// coming back at the next CONNECT (Server Keep Alive, flow limits capped by the client).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import {
  endClient,
  messageMatching,
  publishQos1,
  startSystem,
  type ApiResponse,
  type System,
  alterLive as alterLiveIn,
} from './system';
import { rawConnect, type RawClient } from './raw-mqtt';

/** A session as the JSON API renders it. */
type SessionJson = ApiResponse['body'];

describe('alterMqSession session settings on a live connection (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem();
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  const alterLive = (clientName: string, changes: Record<string, unknown>) =>
    alterLiveIn(system, token, clientName, changes);

  async function describeSession(clientName: string): Promise<SessionJson | undefined> {
    const res = await system.api('describeMqSessions', { clientNames: [clientName] }, { authToken: token });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    return res.body.result.data[0];
  }

  async function listNames(params: Record<string, unknown>): Promise<string[]> {
    const res = await system.api('listMqSessions', params, { authToken: token });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    return (res.body.result.data as { clientName: string }[]).map((s) => s.clientName);
  }

  it('temporarySession / sessionExpiryInterval decide what happens when the connection ends', async () => {
    const opts = { protocolVersion: 5 as const, clean: false, properties: { sessionExpiryInterval: 300 } };
    const temp = await system.mqtt('exp-temp', opts);
    const short = await system.mqtt('exp-short', opts);
    const perm = await system.mqtt('exp-perm', {
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 0 },
    });
    const sockets = [temp.stream, short.stream, perm.stream];

    const t = await alterLive('exp-temp', { temporarySession: true });
    assert.equal(t.temporarySession, true);
    assert.equal(t.sessionExpiryInterval, 0);
    const s = await alterLive('exp-short', { sessionExpiryInterval: 2 });
    assert.equal(s.sessionExpiryInterval, 2);
    const p = await alterLive('exp-perm', { temporarySession: false });
    assert.equal(p.temporarySession, false);
    assert.equal(p.sessionExpiryInterval, 4294967295);

    // The alterations left every client connected on its socket.
    assert.deepEqual(
      [temp, short, perm].map((c, i) => c.connected && c.stream === sockets[i]),
      [true, true, true],
    );

    // temporarySession true: the session is gone once the client disconnects.
    await endClient(temp);
    await until(async () => (await describeSession('exp-temp')) === undefined, 5000, 50);

    // sessionExpiryInterval 2: kept while disconnected, gone about 2 s later. The permanent
    // session, disconnected at the same moment, survives the same wait.
    await Promise.all([endClient(short), endClient(perm)]);
    const disconnectedAt = Date.now();
    const kept = await until(async () => {
      const d = await describeSession('exp-short');
      return d?.connectionStatus === 'disconnected' ? d : undefined;
    });
    assert.equal(kept.sessionExpiryInterval, 2);
    await until(async () => (await describeSession('exp-short')) === undefined, 8000, 50);
    const gone = Date.now() - disconnectedAt;
    assert.ok(gone >= 1500, `expired after ${gone} ms, before its 2 s`);
    assert.ok(gone <= 6000, `expired only after ${gone} ms`);
    const survivor = await describeSession('exp-perm');
    assert.equal(survivor?.connectionStatus, 'disconnected');
    assert.equal(survivor?.temporarySession, false);
  });

  it('sessionStatus hidden keeps the client working but out of listings; inactive turns normal on reconnect', async () => {
    const hidden = await system.mqtt('st-hidden');
    await hidden.subscribeAsync('st/in', { qos: 1 });
    const other = await system.mqtt('st-other');
    await other.subscribeAsync('st/out', { qos: 1 });
    const socket = hidden.stream;

    const h = await alterLive('st-hidden', { sessionStatus: 'hidden' });
    assert.equal(h.sessionStatus, 'hidden');
    // Still publishes and receives.
    const out = messageMatching(other, (m) => m.topic === 'st/out');
    assert.equal((await publishQos1(hidden, 'st/out', 'from-hidden')).reasonCode, 0);
    assert.equal((await out).payload.toString(), 'from-hidden');
    const inbound = messageMatching(hidden, (m) => m.topic === 'st/in');
    assert.equal((await publishQos1(other, 'st/in', 'to-hidden')).reasonCode, 0);
    assert.equal((await inbound).payload.toString(), 'to-hidden');
    assert.equal(hidden.connected && hidden.stream === socket, true);

    assert.deepEqual(await listNames({ partialClientName: 'st-' }), ['st-other']);
    assert.deepEqual(await listNames({ partialClientName: 'st-', sessionStatusFilter: ['hidden'] }), [
      'st-hidden',
    ]);
    assert.deepEqual(
      await listNames({ partialClientName: 'st-', sessionStatusFilter: ['normal', 'hidden'] }),
      ['st-hidden', 'st-other'],
    );

    // inactive: stored while connected; the next CONNECT makes it normal again.
    await system
      .mqtt('st-inactive', { clean: false, properties: { sessionExpiryInterval: 300 } })
      .then(async (c) => {
        const i = await alterLive('st-inactive', { sessionStatus: 'inactive' });
        assert.equal(i.sessionStatus, 'inactive');
        assert.equal(c.connected, true, 'inactive does not disconnect');
        assert.equal((await describeSession('st-inactive'))?.sessionStatus, 'inactive');
        await endClient(c);
      });
    await system.mqtt('st-inactive', { clean: false, properties: { sessionExpiryInterval: 300 } });
    assert.equal((await describeSession('st-inactive'))?.sessionStatus, 'normal');
  });

  it('label, health thresholds and metadata are stored and described while connected', async () => {
    const device = await system.mqtt('meta-dev');
    // A session's label names an existing label (docs/json-api.md).
    const created = await system.api(
      'createLabel',
      { group: 'e2e', name: 'pumps' },
      { api: 'admin', authToken: token },
    );
    assert.equal(created.body.errorCode, 0, JSON.stringify(created.body));
    const labelId = (created.body.result as { id: number }).id;
    const changes = {
      label: { group: 'e2e', name: 'pumps' },
      minHealthySendRatePerMinute: 2,
      maxHealthySendRatePerMinute: 120,
      maxHealthyBacklogRatePerMinute: 10,
      minHealthySubscribedTopicFiltersCount: 1,
      maxHealthySubscribedTopicFiltersCount: 8,
      metadata: { site: 'north', rack: 7, tags: ['a', 'b'] },
    };
    const res = await alterLive('meta-dev', changes);
    const described = await describeSession('meta-dev');
    for (const source of [res, described]) {
      assert.equal(source?.connectionStatus, 'connected');
      for (const [key, value] of Object.entries(changes)) {
        const expected = key === 'label' ? { id: labelId, ...(value as object) } : value;
        assert.deepEqual(source?.[key], expected, key);
      }
      assert.equal(source?.labelId, labelId);
    }
    assert.equal(device.connected, true);
  });

  it('a reconnecting client gets the stored settings again, capped by what it declares', async () => {
    const port = system.gateways[0]!.port;
    const connectDevice = (keepalive: number, receiveMaximum: number): Promise<RawClient> =>
      rawConnect(port, {
        clientId: 'rc-dev',
        keepalive,
        clean: false,
        properties: { sessionExpiryInterval: 300, receiveMaximum },
      });
    let device = await connectDevice(60, 10);
    assert.equal(device.connack.properties?.serverKeepAlive, undefined, 'the client keeps its 60 s at first');
    await device.subscribe('rc/#', 1);
    await alterLive('rc-dev', { keepAliveSeconds: 20, receiveMaximum: 4 });
    assert.equal(device.closed, false);
    await device.disconnect();

    const publisher = await system.mqtt('rc-pub');
    /** Publishes `count` QoS 1 messages and returns how many the device has in flight. */
    const inFlight = async (count: number): Promise<number> => {
      const observer = await system.mqtt(`rc-observer-${count}-${Date.now()}`);
      await observer.subscribeAsync('rc/#', { qos: 1 });
      const last = messageMatching(observer, (m) => m.payload.toString() === `last-${count}`);
      for (let i = 0; i < count; i++) {
        const payload = i === count - 1 ? `last-${count}` : `x${i}`;
        assert.equal((await publishQos1(publisher, 'rc/t', payload)).reasonCode, 0);
      }
      await last;
      await device.ping();
      await endClient(observer);
      return device.unacked.size;
    };

    // Reconnect with 60: the stored 20 wins and the client is told (Server Keep Alive); the
    // stored receiveMaximum 4 applies, capped by the 3 this CONNECT declares.
    device = await connectDevice(60, 3);
    assert.equal(device.connack.sessionPresent, true);
    assert.equal(device.connack.properties?.serverKeepAlive, 20);
    await device.subscribe('rc/#', 1);
    assert.equal(await inFlight(6), 3, 'min(stored 4, declared 3)');
    device.ackAll();
    await device.ping();
    device.ackAll();
    await device.disconnect();

    // Declaring more than the stored value: the stored 4 is the cap.
    device = await connectDevice(60, 10);
    assert.equal(device.connack.properties?.serverKeepAlive, 20);
    await device.subscribe('rc/#', 1);
    assert.equal(await inFlight(6), 4, 'min(stored 4, declared 10)');
    await device.disconnect();
  });
});
