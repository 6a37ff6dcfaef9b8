// watchMqSessionEvents on the WebSocket /ws (services/api-gateway/src/event-watch.ts): an
// administrator's live feed of session events, fed by the session-service's WatchSessionEvents
// stream. A real MQTT client connects and disconnects, an alteration is made over HTTP, and the
// feed shows each in brief; a non-administrator and a bad token are refused, and POST /api says
// the action exists on the WebSocket only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { until } from '@mqfleet/testkit';
import { endClient, startSystem, type System } from './system';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const FRAME_TIMEOUT_MS = 10_000;

interface Feed {
  socket: WebSocket;
  request(body: Json): void;
  frame(test: (f: Json) => boolean): Promise<Json>;
  event(test: (e: Json) => boolean): Promise<Json>;
}

async function openFeed(port: number): Promise<Feed> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const frames: Json[] = [];
  const waiters: { test: (f: Json) => boolean; resolve: (f: Json) => void }[] = [];
  socket.on('message', (data) => {
    const f = JSON.parse(String(data)) as Json;
    frames.push(f);
    for (const w of [...waiters]) {
      if (w.test(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
    }
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const frame = (test: (f: Json) => boolean): Promise<Json> => {
    const seen = frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (f: Json) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      // A frame that never comes fails the test with what did come, rather than hanging it.
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`no such frame within ${FRAME_TIMEOUT_MS} ms; frames: ${JSON.stringify(frames)}`));
      }, FRAME_TIMEOUT_MS);
      waiters.push(waiter);
    });
  };
  return {
    socket,
    request: (body) => socket.send(JSON.stringify(body)),
    frame,
    event: async (test) => {
      const f = await frame(
        (x) =>
          x.push === 'watchMqSessionEvents' && Array.isArray(x.result?.events) && x.result.events.some(test),
      );
      return (f.result.events as Json[]).find(test) as Json;
    },
  };
}

describe('watchMqSessionEvents', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem();
    token = await system.login();
  });
  after(async () => system?.close());

  it('pushes connects, alterations and disconnects of a real MQTT client to an administrator', async () => {
    const feed = await openFeed(system.httpPort);
    try {
      feed.request({ api: 'mq', action: 'watchMqSessionEvents', requestId: 'w1', authToken: token });
      const started = await feed.frame((f) => f.requestId === 'w1' && f.push === undefined);
      assert.equal(started.errorCode, 0, started.errorMessage);
      assert.equal(started.result.watching, true);

      const device = await system.mqtt('watched-device', {
        protocolVersion: 5,
        keepalive: 30,
        // A persistent session: its end is a disconnect (a temporary one's is a deletion).
        clean: false,
        properties: { sessionExpiryInterval: 600 },
      });
      const connected = await feed.event((e) => e.clientName === 'watched-device' && e.type === 'connected');
      assert.equal(connected.connectionStatus, 'connected');
      assert.equal(connected.sessionStatus, 'normal');
      assert.equal(typeof connected.version, 'string');

      const altered = await system.api(
        'alterMqSession',
        { clientName: 'watched-device', keepAliveSeconds: 45 },
        { authToken: token },
      );
      assert.equal(altered.body.errorCode, 0, altered.body.errorMessage);
      const change = await feed.event((e) => e.clientName === 'watched-device' && e.type === 'altered');
      assert.deepEqual(change.changedFields, ['keepAliveSeconds']);
      assert.equal(change.actor, 'ADMIN');
      assert.equal(change.version, String(altered.body.result.version));

      await endClient(device);
      const gone = await feed.event((e) => e.clientName === 'watched-device' && e.type === 'disconnected');
      assert.equal(gone.connectionStatus, 'disconnected');
      assert.equal(gone.sessionHealth, 'offline');
    } finally {
      feed.socket.close();
    }
  });

  it('refuses a bad token and a non-administrator, and POST /api names the WebSocket', async () => {
    const created = await system.api(
      'createAccount',
      { username: 'viewer', password: 'viewer-pw' },
      { api: 'admin', authToken: token },
    );
    assert.equal(created.body.errorCode, 0, created.body.errorMessage);
    const login = await system.api(
      'createSession',
      { username: 'viewer', password: 'viewer-pw' },
      { api: 'admin' },
    );
    assert.equal(login.body.errorCode, 0, login.body.errorMessage);
    const feed = await openFeed(system.httpPort);
    try {
      feed.request({ api: 'mq', action: 'watchMqSessionEvents', requestId: 'bad', authToken: 'not-a-token' });
      const bad = await feed.frame((f) => f.requestId === 'bad');
      assert.equal(bad.errorCode, 12031);
      feed.request({
        api: 'mq',
        action: 'watchMqSessionEvents',
        requestId: 'user',
        authToken: login.body.result.authToken,
      });
      const user = await feed.frame((f) => f.requestId === 'user');
      assert.equal(user.errorCode, 12030);
      // The socket still answers, and an administrator's feed starts on it afterwards.
      feed.request({ api: 'mq', action: 'watchMqSessionEvents', requestId: 'ok', authToken: token });
      const ok = await feed.frame((f) => f.requestId === 'ok');
      assert.equal(ok.errorCode, 0, ok.errorMessage);
    } finally {
      feed.socket.close();
    }
    const posted = await system.api('watchMqSessionEvents', {}, { authToken: token });
    assert.notEqual(posted.body.errorCode, 0);
    assert.match(posted.body.errorMessage, /WebSocket GET \/ws only/);
  });

  it('listGateways lists the live gateway with its connections, for administrators only', async () => {
    const device = await system.mqtt('counted-device');
    try {
      const listed = await until(async () => {
        const res = await system.api('listGateways', {}, { authToken: token });
        assert.equal(res.body.errorCode, 0, res.body.errorMessage);
        const [gw] = res.body.result.data;
        return gw?.connections >= 1 ? gw : undefined;
      });
      assert.equal(listed.mqttPort, system.gateways[0]!.port);
      assert.equal(typeof listed.gatewayId, 'string');
      // The API's one time format (docs/json-api.md): UTC with no zone.
      assert.match(listed.lastSeenAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.ok(!Number.isNaN(Date.parse(`${listed.lastSeenAt}Z`)));
    } finally {
      await endClient(device);
    }
    const login = await system.api(
      'createSession',
      { username: 'viewer', password: 'viewer-pw' },
      { api: 'admin' },
    );
    const refused = await system.api('listGateways', {}, { authToken: login.body.result.authToken });
    assert.equal(refused.body.errorCode, 12030);
  });
});
