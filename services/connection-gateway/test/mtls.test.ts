// The connection-gateway's session-service client over mutual TLS (certificates made by openssl
// at test time): with a certificate of an internal service its gateway calls go through
// without the internal token; without a certificate it cannot reach the service.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@mqfleet/core';
import { startTlsSessionService, type TestCertificates, type TlsSessionService } from '@mqfleet/testkit';
import { SessionClient } from '../src/session-client';
import type { SessionServiceError } from '../src/errors';

describe('SessionClient over mutual TLS', () => {
  let server: TlsSessionService;
  let certs: TestCertificates;
  let address: string;

  before(async () => {
    server = await startTlsSessionService(['connection-gateway'], {
      MQFLEET_GRPC_TLS_INTERNAL_NAMES: 'connection-gateway',
    });
    ({ certs, address } = server);
  });
  after(() => server?.close());

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
