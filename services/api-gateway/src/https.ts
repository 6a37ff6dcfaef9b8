// HTTPS of the JSON API (docs/configuration.md, "HTTPS of the JSON API"): with
// MQFLEET_HTTP_TLS_CERT_FILE and MQFLEET_HTTP_TLS_KEY_FILE the api-gateway serves POST /api, the
// WebSocket /ws (then wss), the OpenAPI document and the health endpoints over TLS only, on
// MQFLEET_HTTP_PORT; with MQFLEET_HTTP_TLS_CA_FILE every client must present a certificate that
// CA signed (the handshake fails otherwise). In production, plain HTTP on an address other
// machines reach would carry passwords and tokens in clear: the start is refused unless
// MQFLEET_HTTP_ALLOW_PLAIN says TLS ends in a proxy in front.
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import { ConfigError, isLoopback, type Config } from '@mqfleet/core';

function read(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${variable} "${file}" cannot be read: ${(err as Error).message}`);
  }
}

/** The options of Node's https server, or undefined for plain HTTP. */
export function httpsOptions(config: Pick<Config, 'httpTls'>): ServerOptions | undefined {
  const tls = config.httpTls;
  if (!tls) return undefined;
  const options: ServerOptions = {
    cert: read(tls.certFile, 'MQFLEET_HTTP_TLS_CERT_FILE'),
    key: read(tls.keyFile, 'MQFLEET_HTTP_TLS_KEY_FILE'),
  };
  if (tls.caFile) {
    options.ca = read(tls.caFile, 'MQFLEET_HTTP_TLS_CA_FILE');
    options.requestCert = true;
    options.rejectUnauthorized = true;
  }
  return options;
}

/** Why the api-gateway must not serve as configured, or undefined when it may. */
export function plainHttpRefusal(
  config: Pick<Config, 'production' | 'httpTls' | 'httpAllowPlain' | 'host' | 'httpPort'>,
): string | undefined {
  if (!config.production || config.httpTls || config.httpAllowPlain || isLoopback(config.host))
    return undefined;
  return (
    `the api-gateway would serve plain HTTP on ${config.host}:${config.httpPort} with NODE_ENV=production, ` +
    'so passwords and tokens would cross the network in clear: set MQFLEET_HTTP_TLS_CERT_FILE and ' +
    'MQFLEET_HTTP_TLS_KEY_FILE (HTTPS), or MQFLEET_HTTP_ALLOW_PLAIN=true when a proxy in front ends TLS, ' +
    'or listen on 127.0.0.1 (MQFLEET_HOST)'
  );
}
