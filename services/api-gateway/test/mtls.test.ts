// The api-gateway in front of a session-service that requires client certificates (mutual TLS;
// certificates made by openssl at test time).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTlsSessionService, type TestCertificates, type TlsSessionService } from '@mqfleet/testkit';
import { gateway, post } from './helpers';

describe('api-gateway over mutual TLS', () => {
  let server: TlsSessionService;
  let certs: TestCertificates;
  let address: string;

  before(async () => {
    server = await startTlsSessionService(['api-gateway']);
    ({ certs, address } = server);
  });
  after(() => server?.close());

  it('with its client certificate it works; without one the session-service is unreachable (12019)', async () => {
    const withCert = gateway({
      MQFLEET_SESSION_SERVICE: address,
      MQFLEET_GRPC_TLS_CA_FILE: certs.caFile,
      MQFLEET_GRPC_TLS_CLIENT_CERT_FILE: certs.clients['api-gateway']!.certFile,
      MQFLEET_GRPC_TLS_CLIENT_KEY_FILE: certs.clients['api-gateway']!.keyFile,
    });
    const withoutCert = gateway({ MQFLEET_SESSION_SERVICE: address, MQFLEET_GRPC_TLS_CA_FILE: certs.caFile });
    const plaintext = gateway({ MQFLEET_SESSION_SERVICE: address });
    try {
      const login = { action: 'createSession', params: { username: 'ADMIN', password: 'ADMIN' } };
      const ok = await post(withCert, login);
      assert.equal(ok.body.errorCode, 0, ok.body.errorMessage);
      const listed = await post(withCert, {
        action: 'listMqSessions',
        params: {},
        authToken: ok.body.authToken,
      });
      assert.equal(listed.body.errorCode, 0, listed.body.errorMessage);
      for (const gw of [withoutCert, plaintext]) {
        const refused = await post(gw, login);
        assert.equal(refused.body.errorCode, 12019, refused.body.errorMessage);
      }
    } finally {
      await withCert.close();
      await withoutCert.close();
      await plaintext.close();
    }
  });
});
