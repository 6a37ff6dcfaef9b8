// describeAlterationPropagation through the JSON API, against a real session-service process and
// NATS: the numbers are those the gateways' heartbeats report (packages/core/src/propagation.ts),
// merged over the window. The heartbeats here are published the way a connection-gateway does
// (services/connection-gateway/src/index.ts publishHeartbeat), with reports recorded by the same
// PropagationRecorder; test/e2e/alteration-propagation.test.ts measures real alterations.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PropagationRecorder, subjects, type GatewayHeartbeat } from '@mqfleet/core';
import { natsConnection, nothingPropagated, until } from '@mqfleet/testkit';
import { post, startBackend, type Backend } from './helpers';

type Data = Record<string, number | null>;

describe('describeAlterationPropagation', () => {
  let backend: Backend;
  let nc: Awaited<ReturnType<typeof natsConnection>>;
  let token: string;

  const describeIt = (params: Record<string, unknown>, authToken = token) =>
    post(backend.gw, { api: 'mq', action: 'describeAlterationPropagation', params, authToken }).then(
      (r) => r.body,
    );

  const beat = (gatewayId: string, measured: number[]): void => {
    const recorder = new PropagationRecorder();
    for (const ms of measured) recorder.record(ms);
    const propagation = recorder.take();
    const heartbeat: GatewayHeartbeat = {
      gatewayId,
      instance: `${gatewayId}-run`,
      host: '127.0.0.1',
      mqttPort: 1883,
      connections: measured.length,
      ...(propagation ? { propagation } : {}),
    };
    nc.publish(subjects(backend.infra.natsPrefix).gatewayHeartbeat(gatewayId), JSON.stringify(heartbeat));
  };

  before(async () => {
    backend = await startBackend();
    nc = await natsConnection(backend.infra.natsUrl);
    token = (
      await post(backend.gw, { action: 'createSession', params: { username: 'ADMIN', password: 'ADMIN' } })
    ).body.authToken;
  });
  after(async () => {
    await nc?.close();
    await backend?.close();
  });

  it('answers count 0 and null times before any gateway measured an alteration', async () => {
    const body = await describeIt({});
    assert.equal(body.errorCode, 0, body.errorMessage);
    // The default window: 60 s.
    assert.deepEqual(body.result.data, nothingPropagated(60));
  });

  it("merges the gateways' reports of the window", async () => {
    // Gateway a: 98 alterations at 3 ms, then b: one at 40 ms and one at 900 ms.
    beat(
      'gw-a',
      Array.from({ length: 98 }, () => 3),
    );
    beat('gw-b', [40, 900]);
    // A heartbeat without a report (nothing measured) changes nothing.
    beat('gw-c', []);
    let data: Data = {};
    await until(async () => {
      data = (await describeIt({ windowSeconds: 30 })).result.data as Data;
      return data.count === 100;
    });
    assert.equal(data.windowSeconds, 30);
    assert.equal(data.gateways, 2);
    assert.equal(data.p50Ms, 3, 'the median is in the 3 ms bucket');
    assert.equal(data.p90Ms, 3);
    assert.equal(data.p99Ms, 40, 'the 99th of 100 is the 40 ms one');
    assert.equal(data.maxMs, 900);
    assert.equal(data.meanMs, Math.round(((98 * 3 + 40 + 900) / 100) * 10) / 10);
  });

  it('refuses a window outside 1 to 300 seconds, and a caller without a token', async () => {
    for (const windowSeconds of [0, 301, 2.5, '60']) {
      const body = await describeIt({ windowSeconds });
      assert.equal(body.errorCode, 12012, `windowSeconds ${JSON.stringify(windowSeconds)} is refused`);
    }
    const anonymous = await describeIt({}, '');
    assert.equal(anonymous.errorCode, 12031);
  });

  it('is for administrators only', async () => {
    const created = await post(backend.gw, {
      api: 'admin',
      action: 'createAccount',
      params: { username: 'viewer-1', password: 'viewer-password-1', role: 'user' },
      authToken: token,
    });
    assert.equal(created.body.errorCode, 0, created.body.errorMessage);
    const login = await post(backend.gw, {
      action: 'createSession',
      params: { username: 'viewer-1', password: 'viewer-password-1' },
    });
    assert.equal(login.body.errorCode, 0, login.body.errorMessage);
    const body = await describeIt({}, login.body.authToken);
    assert.equal(body.errorCode, 12030, 'a user account is refused');
  });
});
