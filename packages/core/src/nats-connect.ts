// How every mqfleet service connects to NATS: the server URL plus the login and TLS of
// MQFLEET_NATS_* (config.ts, NatsAuthConfig). The files are read and checked at start, so a
// missing file or a malformed seed stops the service with the setting's name, and a server that
// refuses the login, or whose certificate is not trusted, stops it with what to check
// (deploy/README.md, "NATS credentials").
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  ErrorCode,
  Events,
  NatsError,
  nkeyAuthenticator,
  nkeys,
  type ConnectionOptions,
  type NatsConnection,
} from 'nats';
import { ConfigError, type Config } from './config';
import type { Logger } from './log';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

function readSetting(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${variable} "${file}" cannot be read: ${(err as Error).message}`);
  }
}

/** The login and TLS options of the NATS client (no servers, no name). */
export function natsAuthOptions(config: Pick<Config, 'nats'>): ConnectionOptions {
  const { user, password, nkeySeedFile, credsFile, tls } = config.nats;
  const options: ConnectionOptions = {};
  if (user !== undefined && password !== undefined) {
    options.user = user;
    options.pass = password;
  }
  if (nkeySeedFile !== undefined) {
    const seed = readSetting(nkeySeedFile, 'MQFLEET_NATS_NKEY_SEED_FILE').trim();
    let valid = false;
    try {
      valid = nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey().startsWith('U');
    } catch {
      valid = false;
    }
    if (!valid)
      throw new ConfigError(
        `MQFLEET_NATS_NKEY_SEED_FILE "${nkeySeedFile}" does not hold a NATS user nkey seed (one line starting "SU", as "nk -gen user" or scripts/nats-nkeys.mjs writes it)`,
      );
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  if (credsFile !== undefined) {
    const creds = readSetting(credsFile, 'MQFLEET_NATS_CREDS_FILE');
    if (!/-----BEGIN NATS USER JWT-----/.test(creds) || !/-----BEGIN USER NKEY SEED-----/.test(creds))
      throw new ConfigError(
        `MQFLEET_NATS_CREDS_FILE "${credsFile}" is not a NATS credentials file (a user JWT and its nkey seed, as "nsc generate creds" writes it)`,
      );
    options.authenticator = credsAuthenticator(new TextEncoder().encode(creds));
  }
  if (tls !== undefined) {
    options.tls = {
      ca: readSetting(tls.caFile, 'MQFLEET_NATS_TLS_CA_FILE'),
      ...(tls.certFile !== undefined && tls.keyFile !== undefined
        ? {
            cert: readSetting(tls.certFile, 'MQFLEET_NATS_TLS_CERT_FILE'),
            key: readSetting(tls.keyFile, 'MQFLEET_NATS_TLS_KEY_FILE'),
          }
        : {}),
    };
  }
  return options;
}

/** Which MQFLEET_NATS_* settings gave the login, for messages. */
function loginSettings(config: Pick<Config, 'nats'>): string | undefined {
  const { user, nkeySeedFile, credsFile } = config.nats;
  if (nkeySeedFile !== undefined) return 'MQFLEET_NATS_NKEY_SEED_FILE';
  if (credsFile !== undefined) return 'MQFLEET_NATS_CREDS_FILE';
  if (user !== undefined) return 'MQFLEET_NATS_USER / MQFLEET_NATS_PASSWORD';
  return undefined;
}

/**
 * Connects to NATS with the configured login. A server that refuses the login ends the attempt
 * (the client gives up after the second refusal) with an error saying which setting to check, as
 * does a server certificate that is not trusted; other failures are passed on as they are.
 */
export async function connectNats(
  config: Pick<Config, 'nats' | 'natsUrl'>,
  options: ConnectionOptions & { name: string },
): Promise<NatsConnection> {
  const servers = config.natsUrl ?? DEFAULT_NATS_URL;
  try {
    return await connect({ servers, ...natsAuthOptions(config), ...options });
  } catch (err) {
    if (err instanceof NatsError && err.code === ErrorCode.AuthorizationViolation) {
      const given = loginSettings(config);
      throw new Error(
        given
          ? `NATS at ${servers} refused the login of ${options.name} (${err.message}): the user of ${given} is not one the server accepts; check that setting against the server's users (deploy/nats/accounts.conf)`
          : `NATS at ${servers} asks for a login (${err.message}): set MQFLEET_NATS_NKEY_SEED_FILE (or MQFLEET_NATS_USER and MQFLEET_NATS_PASSWORD, or MQFLEET_NATS_CREDS_FILE) to a user of the server's mqfleet account`,
        { cause: err },
      );
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /CERT|UNABLE_TO_VERIFY|SELF_SIGNED|ERR_TLS/.test(code)) {
      throw new Error(
        config.nats.tls
          ? `NATS at ${servers}: its TLS certificate was not accepted (${(err as Error).message}): check that MQFLEET_NATS_TLS_CA_FILE is the CA that signed it and that the host of NATS_URL is a name in it`
          : `NATS at ${servers} speaks TLS and its certificate was not accepted (${(err as Error).message}): set MQFLEET_NATS_TLS_CA_FILE to the CA that signed it`,
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * Logs what the NATS server reports as an error on a connection that stays up, above all a
 * permissions violation: the server refuses a publish or subscription the account's rules deny
 * (deploy/nats/accounts.conf) without closing the connection, and a JetStream request refused so
 * only times out. One warning line per report names the operation and the subject.
 */
export async function logNatsErrors(nc: NatsConnection, logger: Logger, connection: string): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type !== Events.Error) continue;
    const refused = status.data === ErrorCode.PermissionsViolation;
    logger.warn(refused ? 'NATS refused it: permissions violation' : 'NATS reported an error', {
      connection,
      error: String(status.data),
      ...(status.permissionContext
        ? { operation: status.permissionContext.operation, subject: status.permissionContext.subject }
        : {}),
    });
  }
}
