// The connection-gateway's session-service client over mutual TLS (certificates made by openssl
// at test time): with a certificate of an internal service its gateway calls go through
// without the internal token; without a certificate it cannot reach the service.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@mqfleet/core';
import {
  createInfra,
  freePort,
  makeTestCertificates,
  startService,
  type Infra,
  type ServiceProcess,
  type TestCertificates,
} from '@mqfleet/testkit';
import { SessionClient } from '../src/session-client';
import type { SessionServiceError } from '../src/errors';

describe('SessionClient over mutual TLS', () => {
  let certs: TestCertificates;
  let infra: Infra;
  let service: ServiceProcess;
  let address: string;

  before(async () => {
    certs = makeTestCertificates(['connection-gateway']);
    infra = await createInfra();
    const port = await freePort();
    service = await startService('session-service', {
      DATABASE_URL: infra.databaseUrl,
      NATS_URL: infra.natsUrl,
      MQFLEET_NATS_PREFIX: infra.natsPrefix,
      MQFLEET_GRPC_PORT: String(port),
      MQFLEET_GRPC_TLS_CERT_FILE: certs.serverCertFile,
      MQFLEET_GRPC_TLS_KEY_FILE: certs.serverKeyFile,
      MQFLEET_GRPC_TLS_CA_FILE: certs.caFile,
      MQFLEET_GRPC_TLS_INTERNAL_NAMES: 'connection-gateway',
    });
    address = `127.0.0.1:${port}`;
  });
  after(async () => {
    await service?.stop();
    await infra?.close();
    certs?.remove();
  });

  const request = (clientName: string) => ({
    clientName,
    gatewayId: 'gw-tls',
    connectionId: `c-${clientName}`,
    declared: { mqttProtocol: '5.0', keepAliveSeconds: 60 },
  });

  it('opens a session with its internal certificate; without one it is refused', async () => {
    const withCert = new SessionClient(
      loadConfig({
        MQFLEET_SESSION_SERVICE: address,
        MQFLEET_GRPC_TLS_CA_FILE: certs.caFile,
        MQFLEET_GRPC_TLS_CLIENT_CERT_FILE: certs.clients['connection-gateway']!.certFile,
        MQFLEET_GRPC_TLS_CLIENT_KEY_FILE: certs.clients['connection-gateway']!.keyFile,
      }),
    );
    const withoutCert = new SessionClient(
      loadConfig({ MQFLEET_SESSION_SERVICE: address, MQFLEET_GRPC_TLS_CA_FILE: certs.caFile }),
    );
    try {
      const opened = await withCert.openSession(request('gw-tls-1'));
      assert.equal(opened.refusal, 'OPEN_REFUSAL_NONE');
      await assert.rejects(withoutCert.openSession(request('gw-tls-2')), (err: SessionServiceError) => {
        assert.equal(err.grpcCode, 14); // UNAVAILABLE: the TLS handshake fails
        return true;
      });
    } finally {
      withCert.close();
      withoutCert.close();
    }
  });
});
