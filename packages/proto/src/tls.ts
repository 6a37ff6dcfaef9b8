// gRPC transport security from PEM contents (core readGrpcTlsFiles): what the session-service
// listens with and what its callers connect with. Plaintext when nothing is configured.
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';

export interface ServerTls {
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  /** With a CA, every caller must present a client certificate it signed (mutual TLS). */
  ca?: Buffer | undefined;
}

export function serverCredentials(tls: ServerTls): grpc.ServerCredentials {
  if (!tls.cert || !tls.key) {
    if (tls.ca)
      throw new Error('a gRPC server CA (client certificates) needs the server certificate and key');
    return grpc.ServerCredentials.createInsecure();
  }
  return grpc.ServerCredentials.createSsl(
    tls.ca ?? null,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    tls.ca !== undefined,
  );
}

export interface ClientTls {
  /** Verifies the server's certificate; TLS is on when this (or a client certificate) is given. */
  ca?: Buffer | undefined;
  /** The certificate and key this caller presents (mutual TLS). */
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  /** The name checked in the server's certificate instead of the address's host. */
  serverName?: string | undefined;
}

/** Credentials and channel options for a client of the session-service. */
export function clientCredentials(tls: ClientTls = {}): {
  credentials: grpc.ChannelCredentials;
  options: grpc.ChannelOptions;
} {
  if (!tls.ca && !tls.cert) return { credentials: grpc.credentials.createInsecure(), options: {} };
  return {
    credentials: grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null),
    options: tls.serverName ? { 'grpc.ssl_target_name_override': tls.serverName } : {},
  };
}

/**
 * The subject CN of the verified client certificate of a call over mutual TLS; undefined on a
 * plaintext channel or without a certificate.
 */
export function peerCommonName(call: {
  getAuthContext?: () => { sslPeerCertificate?: PeerCertificate };
}): string | undefined {
  const cert = call.getAuthContext?.().sslPeerCertificate;
  const cn = cert?.subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : Array.isArray(cn) ? cn[0] : undefined;
}
