// The session-service does not listen beyond this machine with nothing guarding the calls
// gateways make (docs/security.md): refused at start, with what to do; with the internal token it
// starts, and a caller without the token is refused while one with it is served. The service
// runs as a real process on real Postgres and NATS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { loadConfig } from '@mqfleet/core';
import { SessionServiceClient } from '@mqfleet/proto';
import { createInfra, freePort, startService, TEST_STREAM_LIMITS, type Infra } from '@mqfleet/testkit';
import { isLoopback, unguardedListen } from '../src/exposure';

describe('where the session-service may listen unguarded', () => {
  it('only on loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST']) {
      assert.equal(isLoopback(host), true, host);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.5',
      '192.168.1.1',
      'sessions.internal',
      '127.0.0.1.example',
    ]) {
      assert.equal(isLoopback(host), false, host);
    }
    assert.equal(unguardedListen(loadConfig({ MQFLEET_HOST: '127.0.0.1' })), undefined);
    assert.match(unguardedListen(loadConfig({ MQFLEET_HOST: '0.0.0.0' }))!, /MQFLEET_INTERNAL_TOKEN/);
    assert.equal(
      unguardedListen(loadConfig({ MQFLEET_HOST: '0.0.0.0', MQFLEET_INTERNAL_TOKEN: 't' })),
      undefined,
    );
  });
});

describe('a session-service process on 0.0.0.0', () => {
  let infra: Infra;
  before(async () => {
    infra = await createInfra();
  });
  after(async () => {
    await infra?.close();
  });
  const env = async (extra: Record<string, string>): Promise<Record<string, string>> => ({
    DATABASE_URL: infra.databaseUrl,
    NATS_URL: infra.natsUrl,
    MQFLEET_NATS_PREFIX: infra.natsPrefix,
    MQFLEET_HOST: '0.0.0.0',
    MQFLEET_GRPC_PORT: String(await freePort()),
    ...TEST_STREAM_LIMITS,
    ...extra,
  });

  it('refuses to start without the internal token or mutual TLS, saying what to do', async () => {
    await assert.rejects(startService('session-service', await env({})), (err: Error) => {
      assert.match(
        err.message,
        /session-service failed to start: the session-service would listen on 0\.0\.0\.0/,
      );
      assert.match(err.message, /MQFLEET_INTERNAL_TOKEN/);
      return true;
    });
  });

  it('starts with the token; gateway calls without it are refused, with it served', async () => {
    const settings = await env({ MQFLEET_INTERNAL_TOKEN: 'exposure-test-token' });
    const service = await startService('session-service', settings);
    const client = new SessionServiceClient(
      `127.0.0.1:${settings.MQFLEET_GRPC_PORT}`,
      grpc.credentials.createInsecure(),
    );
    const listNames = (metadata: grpc.Metadata): Promise<unknown> =>
      new Promise((resolve, reject) =>
        client.listSessionNames(
          { after: '', limit: 10 },
          metadata,
          { deadline: Date.now() + 5000 },
          (err, res) => (err ? reject(err) : resolve(res)),
        ),
      );
    try {
      await assert.rejects(listNames(new grpc.Metadata()), (err: grpc.ServiceError) => {
        assert.equal(err.code, grpc.status.UNAUTHENTICATED);
        return true;
      });
      const wrong = new grpc.Metadata();
      wrong.set('x-mqfleet-internal', 'exposure-test-tokeN');
      await assert.rejects(
        listNames(wrong),
        (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED,
      );
      const right = new grpc.Metadata();
      right.set('x-mqfleet-internal', 'exposure-test-token');
      assert.ok(await listNames(right));
      // KeepWills (a stopping gateway's delayed wills) is a gateway call too: nobody else can make
      // the session-service publish a session's will later.
      const keepWills = (metadata: grpc.Metadata): Promise<{ kept: boolean[] }> =>
        new Promise((resolve, reject) =>
          client.keepWills(
            { wills: [{ clientName: 'exposure-nobody', connectionId: 'x.y', dueInMs: 1000 }] },
            metadata,
            { deadline: Date.now() + 5000 },
            (err, res) => (err ? reject(err) : resolve(res as { kept: boolean[] })),
          ),
        );
      await assert.rejects(
        keepWills(new grpc.Metadata()),
        (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED,
      );
      // No such session: the will is due now, for the gateway to publish.
      assert.deepEqual((await keepWills(right)).kept, [false]);
    } finally {
      client.close();
      await service.stop();
    }
  });
});
