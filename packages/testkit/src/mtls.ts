// A session-service process that requires mutual TLS from its callers, on a fresh database and
// NATS prefix, with throw-away certificates (certs.ts) for the given client CNs.
import { makeTestCertificates, type TestCertificates } from './certs';
import { createInfra, type Infra } from './infra';
import { FAKE_GATEWAYS_ENV, freePort, startService, type ServiceProcess } from './process';

export interface TlsSessionService {
  certs: TestCertificates;
  infra: Infra;
  service: ServiceProcess;
  /** host:port of its gRPC server. */
  address: string;
  close(): Promise<void>;
}

export async function startTlsSessionService(
  clientNames: string[],
  env: Record<string, string> = {},
): Promise<TlsSessionService> {
  const certs = makeTestCertificates(clientNames);
  const infra = await createInfra();
  const port = await freePort();
  let service: ServiceProcess;
  try {
    service = await startService('session-service', {
      DATABASE_URL: infra.databaseUrl,
      NATS_URL: infra.natsUrl,
      MQFLEET_NATS_PREFIX: infra.natsPrefix,
      MQFLEET_GRPC_PORT: String(port),
      MQFLEET_GRPC_TLS_CERT_FILE: certs.serverCertFile,
      MQFLEET_GRPC_TLS_KEY_FILE: certs.serverKeyFile,
      MQFLEET_GRPC_TLS_CA_FILE: certs.caFile,
      ...FAKE_GATEWAYS_ENV,
      ...env,
    });
  } catch (err) {
    await infra.close();
    certs.remove();
    throw err;
  }
  return {
    certs,
    infra,
    service,
    address: `127.0.0.1:${port}`,
    async close() {
      await service.stop();
      await infra.close();
      certs.remove();
    },
  };
}
