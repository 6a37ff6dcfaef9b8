// Mutual TLS on the session-service's gRPC: certificates made by openssl at test time. A caller
// without a certificate (or with one another CA signed) cannot connect; one with a certificate
// of an internal service may make gateway calls without the internal token; any other valid
// certificate connects but needs a token like everyone else.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ConfigError, loadConfig } from '@mqfleet/core';
import {
  clientCredentials,
  SessionServiceClient,
  AuthServiceClient,
  type CreateTokenResponse__Output,
  type ListSessionsResponse__Output,
  type OpenSessionResponse__Output,
  type SessionServiceClientType,
} from '@mqfleet/proto';
import { makeTestCertificates, type TestCertificates } from '@mqfleet/testkit';
import { bearer, call, declaration, startHarness, type Harness } from './helpers';

describe('mutual TLS on gRPC', () => {
  let certs: TestCertificates;
  let h: Harness;
  let address: string;
  const opened: grpc.Client[] = [];

  before(async () => {
    certs = makeTestCertificates(['connection-gateway', 'api-gateway']);
    h = await startHarness({
      MQFLEET_GRPC_TLS_CERT_FILE: certs.serverCertFile,
      MQFLEET_GRPC_TLS_KEY_FILE: certs.serverKeyFile,
      MQFLEET_GRPC_TLS_CA_FILE: certs.caFile,
      MQFLEET_GRPC_TLS_INTERNAL_NAMES: 'connection-gateway',
    });
    address = h.address;
  });
  after(async () => {
    for (const c of opened) c.close();
    await h?.close();
    certs?.remove();
  });

  /** A SessionService client as a caller with the given certificate (or none). */
  const client = (who: 'none' | 'insecure' | 'foreign' | string): SessionServiceClientType => {
    const ca = readFileSync(certs.caFile);
    let made: SessionServiceClientType;
    if (who === 'insecure') {
      made = new SessionServiceClient(address, grpc.credentials.createInsecure());
    } else {
      const pair =
        who === 'none' ? undefined : who === 'foreign' ? certs.foreign : certs.clients[who as string];
      const { credentials, options } = clientCredentials({
        ca,
        cert: pair ? readFileSync(pair.certFile) : undefined,
        key: pair ? readFileSync(pair.keyFile) : undefined,
      });
      made = new SessionServiceClient(address, credentials, options);
    }
    opened.push(made);
    return made;
  };
  const open = (c: SessionServiceClientType, clientName: string) =>
    call<object, OpenSessionResponse__Output>(c, c.OpenSession, {
      clientName,
      gatewayId: 'gw-tls',
      connectionId: `c-${clientName}`,
      declared: declaration(),
    });

  test('callers without a valid client certificate cannot connect at all', async () => {
    for (const who of ['insecure', 'none', 'foreign']) {
      await assert.rejects(
        open(client(who), `refused-${who}`),
        (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE,
        who,
      );
    }
  });

  test('a certificate of an internal service (CN in the list) makes gateway calls without the token', async () => {
    const res = await open(client('connection-gateway'), 'tls-device');
    assert.equal(res.refusal, 'OPEN_REFUSAL_NONE');
    assert.equal(res.session?.clientName, 'tls-device');
  });

  test('another valid certificate connects, but gateway calls are refused and tokens decide the rest', async () => {
    const apiGateway = client('api-gateway');
    await assert.rejects(open(apiGateway, 'not-internal'), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.UNAUTHENTICATED);
      assert.match(err.details, /client certificate of an internal service/);
      return true;
    });
    const auth = new AuthServiceClient(address, grpc.credentials.createInsecure(), {
      channelOverride: apiGateway.getChannel(),
    });
    const { token } = await call<object, CreateTokenResponse__Output>(auth, auth.CreateToken, {
      username: 'ADMIN',
      password: 'ADMIN',
    });
    const listed = await call<object, ListSessionsResponse__Output>(
      apiGateway,
      apiGateway.ListSessions,
      {},
      bearer(token),
    );
    assert.deepEqual(
      listed.sessions.map((s) => s.clientName),
      ['tls-device'],
    );
  });

  test('the configuration: certificate and key come in pairs; production accepts mTLS instead of the token', () => {
    assert.throws(() => loadConfig({ MQFLEET_GRPC_TLS_CERT_FILE: 'x.crt' }), ConfigError);
    assert.throws(() => loadConfig({ MQFLEET_GRPC_TLS_CLIENT_KEY_FILE: 'x.key' }), ConfigError);
    const production = { NODE_ENV: 'production', MQFLEET_ADMIN_PASSWORD: 'secret' };
    assert.throws(() => loadConfig(production), ConfigError);
    const config = loadConfig({
      ...production,
      MQFLEET_GRPC_TLS_CA_FILE: 'ca.crt',
      MQFLEET_GRPC_TLS_INTERNAL_NAMES: ' connection-gateway , ops ',
    });
    assert.deepEqual(config.grpcTls.internalNames, ['connection-gateway', 'ops']);
  });
});
