// A production start on a database made in development (docs/security.md): MQFLEET_ADMIN_PASSWORD
// only sets ADMIN's password in a new database, so a database first started without it keeps
// "ADMIN". With NODE_ENV=production the session-service then refuses to start and says what to do;
// once the password is changed, it starts and the old password no longer logs in. Real processes
// on real Postgres and NATS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { AccountServiceClient, AuthServiceClient } from '@mqfleet/proto';
import { createInfra, freePort, startService, TEST_STREAM_LIMITS, type Infra } from '@mqfleet/testkit';

describe('a production start whose ADMIN still has the password "ADMIN"', () => {
  let infra: Infra;
  before(async () => {
    infra = await createInfra();
  });
  after(async () => {
    await infra?.close();
  });
  const env = async (production: boolean): Promise<Record<string, string>> => ({
    DATABASE_URL: infra.databaseUrl,
    NATS_URL: infra.natsUrl,
    MQFLEET_NATS_PREFIX: infra.natsPrefix,
    MQFLEET_GRPC_PORT: String(await freePort()),
    ...TEST_STREAM_LIMITS,
    ...(production
      ? {
          NODE_ENV: 'production',
          MQFLEET_ADMIN_PASSWORD: 'prod-secret-1',
          MQFLEET_INTERNAL_TOKEN: 'prod-token',
        }
      : {}),
  });
  const unary = <Res>(run: (cb: (err: grpc.ServiceError | null, res?: Res) => void) => void): Promise<Res> =>
    new Promise((resolve, reject) => run((err, res) => (err ? reject(err) : resolve(res!))));

  it('is refused; after the password is changed it starts and "ADMIN" no longer logs in', async () => {
    // A development start makes the database, and ADMIN with the password "ADMIN".
    const dev = await env(false);
    let service = await startService('session-service', dev);
    await service.stop();

    await assert.rejects(startService('session-service', await env(true)), (err: Error) => {
      assert.match(
        err.message,
        /session-service failed to start: account ADMIN in this database still has the password "ADMIN"/,
      );
      assert.match(err.message, /alterAccount/);
      return true;
    });

    // The way out the message names: a development start, the password changed.
    service = await startService('session-service', dev);
    const address = `127.0.0.1:${dev.MQFLEET_GRPC_PORT}`;
    const auth = new AuthServiceClient(address, grpc.credentials.createInsecure());
    const accounts = new AccountServiceClient(address, grpc.credentials.createInsecure());
    try {
      const { token } = await unary<{ token: string }>((cb) =>
        auth.createToken({ username: 'ADMIN', password: 'ADMIN' }, cb),
      );
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      await unary((cb) =>
        accounts.alterAccount({ username: 'ADMIN', password: 'changed-pass-1' }, metadata, cb),
      );
    } finally {
      auth.close();
      accounts.close();
      await service.stop();
    }

    const prod = await env(true);
    service = await startService('session-service', prod);
    const prodAuth = new AuthServiceClient(
      `127.0.0.1:${prod.MQFLEET_GRPC_PORT}`,
      grpc.credentials.createInsecure(),
    );
    try {
      await assert.rejects(
        unary((cb) => prodAuth.createToken({ username: 'ADMIN', password: 'ADMIN' }, cb)),
        (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED,
      );
      const ok = await unary<{ username: string }>((cb) =>
        prodAuth.createToken({ username: 'ADMIN', password: 'changed-pass-1' }, cb),
      );
      assert.equal(ok.username, 'ADMIN');
    } finally {
      prodAuth.close();
      await service.stop();
    }
  });
});
