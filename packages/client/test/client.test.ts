import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MqfleetError } from '@mqfleet/core';
import { readFileSync } from 'node:fs';
import {
  createInfra,
  freePort,
  startService,
  startTlsSessionService,
  type Infra,
  type ServiceProcess,
  type TestCertificates,
  type TlsSessionService,
} from '@mqfleet/testkit';
import { MqfleetClient } from '../src/index';

describe('MqfleetClient against a real session-service', () => {
  let infra: Infra;
  let service: ServiceProcess;
  let address: string;

  before(async () => {
    infra = await createInfra();
    const port = await freePort();
    service = await startService('session-service', {
      DATABASE_URL: infra.databaseUrl,
      NATS_URL: infra.natsUrl,
      MQFLEET_NATS_PREFIX: infra.natsPrefix,
      MQFLEET_GRPC_PORT: String(port),
    });
    address = `127.0.0.1:${port}`;
  });
  after(async () => {
    await service.stop();
    await infra.close();
  });

  test('login, then typed errors with stable codes', async () => {
    await assert.rejects(
      MqfleetClient.login(address, 'ADMIN', 'nope'),
      (err: MqfleetError) => err.code === 'BAD_PASSWORD',
    );
    const mq = await MqfleetClient.login(address, 'ADMIN', 'ADMIN');
    try {
      await assert.rejects(
        mq.alterSession('ghost', { keepAliveSeconds: 5 }),
        (err: MqfleetError) => err.code === 'NOT_FOUND',
      );
      await assert.rejects(
        mq.listSessions({ sortBy: 'nope' }),
        (err: MqfleetError) => err.code === 'INVALID_VALUE',
      );
      assert.deepEqual(await mq.describeSessions(['ghost']), []);
      assert.deepEqual((await mq.listSessions()).sessions, []);
    } finally {
      mq.close();
    }
  });

  test('a bad token is BAD_TOKEN; an unreachable service is UNAVAILABLE after retries', async () => {
    const bad = new MqfleetClient(address, 'not-a-token');
    await assert.rejects(bad.listSessions(), (err: MqfleetError) => err.code === 'BAD_TOKEN');
    bad.close();
    const nowhere = new MqfleetClient(`127.0.0.1:${await freePort()}`, 'x', { deadlineMs: 2000, retries: 1 });
    await assert.rejects(nowhere.describeSessions(['a']), (err: MqfleetError) =>
      ['UNAVAILABLE', 'TIMEOUT'].includes(err.code),
    );
    nowhere.close();
  });
});

describe('MqfleetClient over mutual TLS', () => {
  let server: TlsSessionService;
  let certs: TestCertificates;
  let address: string;

  before(async () => {
    server = await startTlsSessionService(['ops-bot']);
    ({ certs, address } = server);
  });
  after(() => server?.close());

  test('logs in and calls with a client certificate; without one it cannot reach the service', async () => {
    const ca = readFileSync(certs.caFile);
    const tls = {
      ca,
      cert: readFileSync(certs.clients['ops-bot']!.certFile),
      key: readFileSync(certs.clients['ops-bot']!.keyFile),
    };
    const mq = await MqfleetClient.login(address, 'ADMIN', 'ADMIN', { tls });
    try {
      assert.deepEqual((await mq.listSessions({})).sessions, []);
    } finally {
      mq.close();
    }
    for (const options of [{ tls: { ca } }, {}]) {
      await assert.rejects(
        MqfleetClient.login(address, 'ADMIN', 'ADMIN', { ...options, retries: 0, deadlineMs: 2000 }),
        (err: MqfleetError) => err.code === 'UNAVAILABLE',
      );
    }
  });
});
