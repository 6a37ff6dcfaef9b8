// JSON API errors through real HTTP against the running system.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, type System } from './system';

describe('JSON API errors over HTTP (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem();
    token = await system.login();
    // A real session, so that validation errors are not masked by "not found".
    await system.mqtt('api-dev');
  });
  after(async () => {
    await system?.close();
  });

  it('GET /health/ready answers 200', async () => {
    const res = await fetch(`${system.baseUrl}/health/ready`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ready');
  });

  it('describeMqSessions finds the connected device', async () => {
    const res = await system.api('describeMqSessions', { clientNames: ['api-dev'] }, { authToken: token });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.equal(res.body.result.data.length, 1);
    assert.equal(res.body.result.data[0].connectionStatus, 'connected');
  });

  it('missing authToken → 12031', async () => {
    const res = await system.api('alterMqSession', { clientName: 'api-dev', keepAliveSeconds: 30 });
    assert.equal(res.status, 200);
    assert.equal(res.body.errorCode, 12031, res.body.errorMessage);
    assert.equal(res.body.requestId, 'e2e-alterMqSession');
  });

  it('unknown clientName → 100', async () => {
    const res = await system.api(
      'alterMqSession',
      { clientName: 'no-such-client', keepAliveSeconds: 30 },
      { authToken: token },
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.errorCode, 100, res.body.errorMessage);
  });

  for (const bad of [-1, 'abc', 1.5, 65536]) {
    it(`keepAliveSeconds ${JSON.stringify(bad)} → 12012`, async () => {
      const res = await system.api(
        'alterMqSession',
        { clientName: 'api-dev', keepAliveSeconds: bad },
        { authToken: token },
      );
      assert.equal(res.status, 200);
      assert.equal(res.body.errorCode, 12012, res.body.errorMessage);
    });
  }

  it('missing clientName → 12025', async () => {
    const res = await system.api('alterMqSession', { keepAliveSeconds: 30 }, { authToken: token });
    assert.equal(res.status, 200);
    assert.equal(res.body.errorCode, 12025, res.body.errorMessage);
  });

  it('an unparseable body → HTTP 400 with -1038', async () => {
    const res = await system.postRaw('{"action": "alterMqSession", ');
    assert.equal(res.status, 400);
    assert.equal(res.body.errorCode, -1038, res.body.errorMessage);
  });
});
