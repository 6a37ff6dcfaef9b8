// The session-service's gRPC takes gateway calls (open and close sessions, list names) that trust
// the caller: guarded by the internal token (MQFLEET_INTERNAL_TOKEN) or mutual TLS. Without either,
// only this machine may reach it (docs/security.md).
import { isLoopback, type Config } from '@mqfleet/core';

export { isLoopback };

/** Why the session-service must not listen as configured, or undefined when it may. */
export function unguardedListen(config: Config): string | undefined {
  if (config.internalToken || config.grpcTls.caFile || isLoopback(config.host)) return undefined;
  return (
    `the session-service would listen on ${config.host}:${config.grpcPort} with nothing guarding the ` +
    'calls gateways make: set MQFLEET_INTERNAL_TOKEN (the same value on every service), or mutual ' +
    'TLS (MQFLEET_GRPC_TLS_CA_FILE with certificates), or listen on 127.0.0.1 (MQFLEET_HOST)'
  );
}
