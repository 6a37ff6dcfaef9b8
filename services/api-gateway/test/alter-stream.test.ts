// alterMqSession travels over one long-lived AlterSessionStream (src/alter-stream.ts): many
// concurrent requests share it and each gets its own answer; when the session-service goes away
// the waiting requests fail with 12019 and, once it is back, the next request opens a new stream.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createInfra,
  FAKE_GATEWAYS_ENV,
  freePort,
  startService,
  until,
  type Infra,
  type ServiceProcess,
} from '@mqfleet/testkit';
import type { ApiGateway } from '../src/index';
import { gateway, openSessions, post } from './helpers';

describe('alterMqSession over the AlterSessionStream', () => {
  let infra: Infra;
  let port: number;
  let service: ServiceProcess | undefined;
  let gw: ApiGateway;
  let token: string;

  const startSessionService = async (): Promise<void> => {
    service = await startService('session-service', {
      DATABASE_URL: infra.databaseUrl,
      NATS_URL: infra.natsUrl,
      MQFLEET_NATS_PREFIX: infra.natsPrefix,
      MQFLEET_GRPC_PORT: String(port),
      ...FAKE_GATEWAYS_ENV,
    });
  };
  const alter = (clientName: string, params: Record<string, unknown>, authToken = token) =>
    post(gw, { api: 'mq', action: 'alterMqSession', authToken, params: { clientName, ...params } });

  before(async () => {
    infra = await createInfra();
    port = await freePort();
    await startSessionService();
    gw = gateway({ MQFLEET_SESSION_SERVICE: `127.0.0.1:${port}` });
    token = (await post(gw, { action: 'createSession', params: { username: 'ADMIN', password: 'ADMIN' } }))
      .body.authToken as string;
    await openSessions(`127.0.0.1:${port}`, ['stream-1', 'stream-2', 'stream-3']);
  });
  after(async () => {
    await gw?.close();
    await service?.stop();
    await infra?.close();
  });

  it('concurrent requests of different callers each get their own answer', async () => {
    const replies = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => alter(`stream-${(i % 3) + 1}`, { keepAliveSeconds: 100 + i })),
      alter('stream-missing', { keepAliveSeconds: 5 }),
      alter('stream-1', { keepAliveSeconds: 70000 }),
      alter('stream-2', { keepAliveSeconds: 5 }, 'not-a-token'),
    ]);
    const ok = replies.slice(0, 30);
    for (const [i, r] of ok.entries()) {
      assert.equal(r.body.errorCode, 0, JSON.stringify(r.body));
      assert.deepEqual((r.body.result as { changedFields: string[] }).changedFields, ['keepAliveSeconds']);
      assert.equal((r.body.result as { keepAliveSeconds: number }).keepAliveSeconds, 100 + i);
    }
    // Per session, ten alterations, ten distinct versions.
    for (const name of ['stream-1', 'stream-2', 'stream-3']) {
      const versions = ok
        .filter((r) => (r.body.result as { clientName: string }).clientName === name)
        .map((r) => String((r.body.result as { version: unknown }).version));
      assert.equal(new Set(versions).size, 10, name);
    }
    assert.deepEqual(
      replies.slice(30).map((r) => r.body.errorCode),
      [100, 12012, 12031],
    );
    assert.match(replies[31]!.body.errorMessage as string, /keepAliveSeconds/);
  });

  it('fails with 12019 while the session-service is gone and works again once it is back', async () => {
    assert.equal((await alter('stream-1', { keepAliveSeconds: 41 })).body.errorCode, 0);
    await service!.stop();
    const during = await alter('stream-1', { keepAliveSeconds: 42 });
    assert.equal(during.body.errorCode, 12019, JSON.stringify(during.body));
    await startSessionService();
    // The token lives in Postgres, so it is still valid for the new process. gRPC reconnects with
    // a backoff, so the first attempts may still be 12019 (as for any call); a new stream works.
    const afterwards = await until(async () => {
      const r = await alter('stream-1', { keepAliveSeconds: 43 });
      if (r.body.errorCode !== 0) assert.equal(r.body.errorCode, 12019, JSON.stringify(r.body));
      return r.body.errorCode === 0 ? r : undefined;
    }, 20000);
    assert.equal((afterwards.body.result as { keepAliveSeconds: number }).keepAliveSeconds, 43);
  });
});
