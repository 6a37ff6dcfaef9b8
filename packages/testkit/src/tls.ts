// Certificates for the MQTT listeners' TLS tests, in the shape those tests use: the files of
// makeTestCertificates (certs.ts; made with openssl at test time, never committed) for a server
// on localhost / 127.0.0.1 and one client, plus the PEM contents for clients that take buffers.
import { readFileSync } from 'node:fs';
import { makeTestCertificates } from './certs';

export interface ListenerCertificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** PEM contents, for clients that take buffers (MQTT.js, node:tls). */
  ca: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  remove(): void;
}

export function createTestCertificates(): ListenerCertificates {
  const made = makeTestCertificates(['test-client']);
  const client = made.clients['test-client']!;
  return {
    dir: made.dir,
    caFile: made.caFile,
    certFile: made.serverCertFile,
    keyFile: made.serverKeyFile,
    clientCertFile: client.certFile,
    clientKeyFile: client.keyFile,
    ca: readFileSync(made.caFile),
    clientCert: readFileSync(client.certFile),
    clientKey: readFileSync(client.keyFile),
    remove: made.remove,
  };
}
