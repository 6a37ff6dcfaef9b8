// Configuration: loading, merging and checking the settings declared once in config-settings.ts
// (SETTINGS: a TypeBox schema with each setting's type, limits, default and description). Its
// name in the environment (MQFLEET_MQTT_PORT) and its key in the MQFLEET_CONFIG file
// ("mqttPort") both derive from that declaration, and so do the validation (Ajv), the error
// messages, the Config type and the reference every service prints with --help. loadConfig
// merges the file and the environment (the environment wins) before anything is validated, so a
// cross-field rule sees the values in force whichever source gave them. Unknown MQFLEET_*
// variables and unknown file keys are refused by name (a typo must not be silently ignored). Only
// a service's main.ts (and npm start) calls loadConfig; everything else takes a Config.
import { readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import Ajv from 'ajv';
import { parseAuthorization, type AuthorizationRule } from './authorization';
import {
  CLI_VARIABLES,
  CONFIG_VARIABLE,
  configReference,
  DEFAULT_ADMIN_PASSWORD,
  expectation,
  fileKeyOf,
  KEY_OF_VARIABLE,
  PROPERTIES,
  SETTINGS,
  variableOf,
  type ConfigSettings,
  type ListenerKind,
} from './config-settings';
import { STREAM_KINDS, streamLimitVariable, type StreamKind, type StreamLimits } from './stream-limits';
import { topicFilterProblem } from './topics';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** Client certificates signed by this CA are required (mutual TLS) when set. */
  caFile: string | undefined;
}

/**
 * gRPC TLS. On the session-service: certFile/keyFile are its server certificate; with caFile,
 * every caller must present a client certificate signed by that CA (mutual TLS), and a caller
 * whose certificate's subject CN is in internalNames (any CN when the list is empty) counts as
 * an internal service, as the x-mqfleet-internal token does. On callers (api-gateway,
 * connection-gateway): caFile verifies the session-service's certificate (TLS is on when it is
 * set), clientCertFile/clientKeyFile are the certificate they present, serverName overrides the
 * name checked in the server's certificate (default: the host of MQFLEET_SESSION_SERVICE).
 */
export interface GrpcTlsConfig {
  certFile: string | undefined;
  keyFile: string | undefined;
  caFile: string | undefined;
  clientCertFile: string | undefined;
  clientKeyFile: string | undefined;
  internalNames: string[];
  serverName: string | undefined;
}

/**
 * How the services log in to NATS (at most one of user/password, nkey seed, credentials file;
 * none: an open server) and its TLS (on when caFile is set; certFile/keyFile when the server asks
 * for a client certificate). nats-connect.ts turns this into the client's options.
 */
export interface NatsAuthConfig {
  user: string | undefined;
  password: string | undefined;
  nkeySeedFile: string | undefined;
  credsFile: string | undefined;
  tls: { caFile: string; certFile: string | undefined; keyFile: string | undefined } | undefined;
}

/** Settings whose place in Config is another (derived) field. */
type Derived =
  | 'tlsCertFile'
  | 'tlsKeyFile'
  | 'tlsCaFile'
  | 'httpTlsCertFile'
  | 'httpTlsKeyFile'
  | 'httpTlsCaFile'
  | 'natsUser'
  | 'natsPassword'
  | 'natsNkeySeedFile'
  | 'natsCredsFile'
  | 'natsTlsCaFile'
  | 'natsTlsCertFile'
  | 'natsTlsKeyFile'
  | 'sessionService'
  | 'adminPassword'
  | 'allowAnonymous'
  | 'maximumQos'
  | 'listeners'
  | 'storedTopics'
  | `grpcTls${string}`
  | `${StreamKind}Stream${string}`;

/**
 * What the services read: the settings, and what loadConfig derives from them and from the
 * environment outside MQFLEET_* (NODE_ENV, DATABASE_URL, NATS_URL).
 */
export type Config = Omit<ConfigSettings, Derived> & {
  production: boolean;
  /** The listeners a gateway opens (MQFLEET_LISTENERS; default mqtt, plus mqtts with a certificate). */
  listeners: ListenerKind[];
  /** MQFLEET_LISTENERS was given (env or file): npm start leaves the choice alone. */
  listenersConfigured: boolean;
  /** Certificate and key of the TLS listeners (mqtts, wss). */
  tls: TlsFiles | undefined;
  /** The api-gateway's HTTPS certificate and key (mutual TLS with caFile); undefined = plain HTTP. */
  httpTls: TlsFiles | undefined;
  /** host:port of the session-service, for the api-gateway and the connection-gateways. */
  sessionServiceAddress: string;
  adminPassword: string;
  adminPasswordIsDefault: boolean;
  /** MQTT clients without a username may connect (default: yes, except in production). */
  allowAnonymous: boolean;
  maximumQos: 0 | 1 | 2;
  /** Publish/subscribe rules from the config file; undefined = everything is allowed. */
  authorization: AuthorizationRule[] | undefined;
  /** The MQFLEET_CONFIG file that was read, if any. */
  configFile: string | undefined;
  databaseUrl: string | undefined;
  natsUrl: string | undefined;
  /** The services' NATS login and TLS (MQFLEET_NATS_*). */
  nats: NatsAuthConfig;
  /** Byte, message and age limits of each JetStream stream (stream-limits.ts). */
  streams: Record<StreamKind, StreamLimits>;
  /** TLS of the session-service's gRPC (mutual TLS when a CA is given); all undefined = plaintext. */
  grpcTls: GrpcTlsConfig;
  /** Topic filters whose messages are kept for getMessagesFromMqTopic (MQFLEET_STORED_TOPICS). */
  storedTopics: string[];
};

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Keys of the config file that are not variables (structured values). */
const FILE_ONLY_KEYS = new Set(['authorization']);

const validate = new Ajv({
  allErrors: false,
  useDefaults: true,
  strict: true,
  keywords: ['expects'],
}).compile(SETTINGS);

/** The typed value of a setting given as text (environment, or a file value as text). */
function fromText(schema: TSchema, raw: string): unknown {
  if (schema.type === 'integer') return /^\d+$/.test(raw) ? Number(raw) : raw;
  if (schema.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (schema.type === 'array') return [...new Set(raw.split(',').map((x) => x.trim()))];
  return raw;
}

interface FileSettings {
  /** Values by setting key, as text (what the variable would hold). */
  values: Map<string, string>;
  authorization: unknown;
}

function readConfigFile(path: string, read: (path: string) => string): FileSettings {
  let content: string;
  try {
    content = read(path);
  } catch (err) {
    throw new ConfigError(`MQFLEET_CONFIG: cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (err) {
    throw new ConfigError(`MQFLEET_CONFIG: ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError(`MQFLEET_CONFIG: ${path} must hold a JSON object`);
  }
  const values = new Map<string, string>();
  const unknown: string[] = [];
  let authorization: unknown;
  for (const [key, value] of Object.entries(json)) {
    if (FILE_ONLY_KEYS.has(key)) {
      authorization = value;
      continue;
    }
    const schema = PROPERTIES[key];
    if (!schema) {
      unknown.push(key);
      continue;
    }
    if (Array.isArray(value) && schema.type === 'array') values.set(key, value.map(String).join(','));
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      values.set(key, String(value));
    else if (value !== null)
      throw new ConfigError(`"${key}" in ${path} must be a string, a number or a boolean`);
  }
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown key(s) in ${path}: ${unknown.map((k) => `"${k}"`).join(', ')} (keys are the camelCase of the MQFLEET_* variables, e.g. "maxPacketSize", plus "authorization")`,
    );
  }
  return { values, authorization };
}

export function loadConfig(
  env: Env = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Config {
  const unknown = Object.keys(env).filter(
    (k) =>
      k.startsWith('MQFLEET_') &&
      k !== CONFIG_VARIABLE &&
      !KEY_OF_VARIABLE.has(k) &&
      !CLI_VARIABLES.includes(k),
  );
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown configuration variable(s): ${unknown.join(', ')}; unset or correct them ` +
        '(--help of any service lists every setting; docs/configuration.md)',
    );
  }
  const configFile = env[CONFIG_VARIABLE] || undefined;
  const file = configFile ? readConfigFile(configFile, readFile) : undefined;

  // Merged first (the environment over the file; "" counts as unset), validated after.
  const given = new Map<string, { raw: string; label: string }>();
  for (const key of Object.keys(PROPERTIES)) {
    const name = variableOf(key);
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '') given.set(key, { raw: fromEnv, label: name });
    else {
      const fromFile = file?.values.get(key);
      if (fromFile !== undefined && fromFile !== '')
        given.set(key, { raw: fromFile, label: `"${key}" in ${configFile}` });
    }
  }
  /** How an error names a setting: its variable, or its key in the file when the file gave it. */
  const label = (key: string): string => given.get(key)?.label ?? variableOf(key);
  const values: Record<string, unknown> = {};
  for (const [key, { raw }] of given) values[key] = fromText(PROPERTIES[key]!, raw);
  if (!validate(values)) {
    const error = validate.errors![0]!;
    const key = error.instancePath.split('/')[1]!;
    const { raw } = given.get(key)!;
    throw new ConfigError(`${label(key)} ${expectation(PROPERTIES[key]!)}; got "${raw}"`);
  }
  // A setting nobody gave and without a default is there, undefined.
  for (const key of Object.keys(PROPERTIES)) if (!(key in values)) values[key] = undefined;
  const settings = values as ConfigSettings;
  checkTogether(settings, env, label);
  return derive(settings, env, file, configFile);
}

/** Rules across settings, on the merged values. */
function checkTogether(settings: ConfigSettings, env: Env, label: (key: string) => string): void {
  const production = env.NODE_ENV === 'production';
  const adminPasswordIsDefault =
    settings.adminPassword === undefined || settings.adminPassword === DEFAULT_ADMIN_PASSWORD;
  if (production && adminPasswordIsDefault) {
    throw new ConfigError(
      'MQFLEET_ADMIN_PASSWORD must be set to something other than the default when NODE_ENV=production',
    );
  }
  for (const [a, b] of [
    ['grpcTlsCertFile', 'grpcTlsKeyFile'],
    ['grpcTlsClientCertFile', 'grpcTlsClientKeyFile'],
  ] as const) {
    // A pair split between the file and the environment is complete.
    if ((settings[a] === undefined) !== (settings[b] === undefined))
      throw new ConfigError(`${label(a)} and ${label(b)} must be set together`);
  }
  if (production && settings.tokenMaxLifetimeSeconds === 0) {
    throw new ConfigError(
      'MQFLEET_TOKEN_MAX_LIFETIME_SECONDS must be more than 0 when NODE_ENV=production (tokens must not live for ever)',
    );
  }
  if (production && settings.clientIdOwnership === 'off') {
    throw new ConfigError(
      "MQFLEET_CLIENT_ID_OWNERSHIP=off is refused when NODE_ENV=production (any user could take over another user's session): use refuse or clean-start",
    );
  }
  if (production && !settings.internalToken && !settings.grpcTlsCaFile) {
    throw new ConfigError(
      'MQFLEET_INTERNAL_TOKEN (or mutual TLS: MQFLEET_GRPC_TLS_CA_FILE with certificates) must be set when NODE_ENV=production (it guards gateway calls)',
    );
  }
  checkNatsAuth(settings, label);
  // HTTPS of the api-gateway: a certificate and its key, or neither.
  if ((settings.httpTlsCertFile === undefined) !== (settings.httpTlsKeyFile === undefined))
    throw new ConfigError(`${label('httpTlsCertFile')} and ${label('httpTlsKeyFile')} must be set together`);
  if (settings.httpTlsCaFile !== undefined && settings.httpTlsCertFile === undefined)
    throw new ConfigError(
      `${label('httpTlsCaFile')} needs ${label('httpTlsCertFile')} and ${label('httpTlsKeyFile')} (client certificates are asked for over HTTPS only)`,
    );
  if (settings.gatewayIndex >= settings.gateways) {
    throw new ConfigError(
      `MQFLEET_GATEWAY_INDEX (${settings.gatewayIndex}) must be lower than MQFLEET_GATEWAYS (${settings.gateways})`,
    );
  }
  // TLS: a listener is on only when configured; TLS needs a certificate and its key.
  const { tlsCertFile, tlsKeyFile, tlsCaFile } = settings;
  if (tlsCertFile && !tlsKeyFile)
    throw new ConfigError('MQFLEET_TLS_KEY_FILE must be set with MQFLEET_TLS_CERT_FILE');
  if (tlsKeyFile && !tlsCertFile)
    throw new ConfigError('MQFLEET_TLS_CERT_FILE must be set with MQFLEET_TLS_KEY_FILE');
  if (tlsCaFile && !tlsCertFile)
    throw new ConfigError('MQFLEET_TLS_CA_FILE needs MQFLEET_TLS_CERT_FILE and MQFLEET_TLS_KEY_FILE');
  for (const kind of settings.listeners ?? []) {
    if ((kind === 'mqtts' || kind === 'wss') && !tlsCertFile) {
      throw new ConfigError(
        `${label('listeners')} includes ${kind}, which needs MQFLEET_TLS_CERT_FILE and MQFLEET_TLS_KEY_FILE`,
      );
    }
  }
  const listeners = settings.listeners ?? (tlsCertFile ? ['mqtt', 'mqtts'] : ['mqtt']);
  const portKey = { mqtt: 'mqttPort', mqtts: 'mqttsPort', ws: 'wsPort', wss: 'wssPort' } as const;
  for (const a of listeners) {
    for (const b of listeners) {
      const pa = settings[portKey[a]];
      if (a < b && pa !== 0 && pa === settings[portKey[b]]) {
        throw new ConfigError(
          `${variableOf(portKey[a])} and ${variableOf(portKey[b])} are both ${pa}; the ${a} and ${b} listeners need different ports`,
        );
      }
    }
  }
  if (settings.gatewayTimeoutMs < 2 * settings.gatewayHeartbeatMs) {
    throw new ConfigError(
      `${label('gatewayTimeoutMs')} (${settings.gatewayTimeoutMs}) must be at least twice ${label('gatewayHeartbeatMs')} (${settings.gatewayHeartbeatMs}): one late heartbeat must not make a gateway lost`,
    );
  }
}

/** One way to log in to NATS, complete, and TLS files that make sense together. */
function checkNatsAuth(settings: ConfigSettings, label: (key: string) => string): void {
  if ((settings.natsUser === undefined) !== (settings.natsPassword === undefined))
    throw new ConfigError(`${label('natsUser')} and ${label('natsPassword')} must be set together`);
  const ways = (['natsUser', 'natsNkeySeedFile', 'natsCredsFile'] as const).filter(
    (key) => settings[key] !== undefined,
  );
  if (ways.length > 1)
    throw new ConfigError(
      `${ways.map(label).join(' and ')} are two ways to log in to NATS; set only one (a user and password, an nkey seed file, or a credentials file)`,
    );
  if ((settings.natsTlsCertFile === undefined) !== (settings.natsTlsKeyFile === undefined))
    throw new ConfigError(`${label('natsTlsCertFile')} and ${label('natsTlsKeyFile')} must be set together`);
  if (settings.natsTlsCertFile !== undefined && settings.natsTlsCaFile === undefined)
    throw new ConfigError(
      `${label('natsTlsCertFile')} needs ${label('natsTlsCaFile')} (the CA of the NATS server's certificate, which turns TLS to NATS on)`,
    );
}

/** The Config of validated settings: what is derived, grouped or taken from outside MQFLEET_*. */
function derive(
  settings: ConfigSettings,
  env: Env,
  file: FileSettings | undefined,
  configFile: string | undefined,
): Config {
  const production = env.NODE_ENV === 'production';
  const {
    tlsCertFile,
    tlsKeyFile,
    tlsCaFile,
    httpTlsCertFile,
    httpTlsKeyFile,
    httpTlsCaFile,
    natsUser,
    natsPassword,
    natsNkeySeedFile,
    natsCredsFile,
    natsTlsCaFile,
    natsTlsCertFile,
    natsTlsKeyFile,
    sessionService,
    adminPassword,
    allowAnonymous,
    maximumQos,
    listeners,
    grpcTlsCertFile,
    grpcTlsKeyFile,
    grpcTlsCaFile,
    grpcTlsClientCertFile,
    grpcTlsClientKeyFile,
    grpcTlsInternalNames,
    grpcTlsServerName,
    storedTopics,
    ...plain
  } = settings;
  const tls =
    tlsCertFile && tlsKeyFile ? { certFile: tlsCertFile, keyFile: tlsKeyFile, caFile: tlsCaFile } : undefined;
  // The stream limits are taken out of the plain settings and grouped by stream.
  const rest = plain as Record<string, unknown>;
  const streams = Object.fromEntries(
    STREAM_KINDS.map((kind) => {
      const take = (field: keyof StreamLimits): number => {
        const key = fileKeyOf(streamLimitVariable(kind, field));
        const value = rest[key] as number;
        delete rest[key];
        return value;
      };
      return [
        kind,
        {
          maxBytes: take('maxBytes'),
          maxMessages: take('maxMessages'),
          maxAgeSeconds: take('maxAgeSeconds'),
        },
      ];
    }),
  ) as Record<StreamKind, StreamLimits>;
  let authorization: AuthorizationRule[] | undefined;
  if (file?.authorization !== undefined) {
    try {
      authorization = parseAuthorization(file.authorization);
    } catch (err) {
      throw new ConfigError(`"authorization" in ${configFile}: ${(err as Error).message}`);
    }
  }
  const stored = [
    ...new Set(
      (storedTopics ?? '')
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f !== ''),
    ),
  ];
  for (const filter of stored) {
    const problem = topicFilterProblem(filter);
    if (problem)
      throw new ConfigError(`MQFLEET_STORED_TOPICS: "${filter}" is not a topic filter (${problem})`);
    if (filter.startsWith('$share/'))
      throw new ConfigError(
        `MQFLEET_STORED_TOPICS: "${filter}" is a shared subscription; give the topic filter`,
      );
  }
  const adminPasswordIsDefault = adminPassword === undefined || adminPassword === DEFAULT_ADMIN_PASSWORD;
  return {
    ...plain,
    production,
    listeners: listeners ?? (tls ? ['mqtt', 'mqtts'] : ['mqtt']),
    listenersConfigured: listeners !== undefined,
    tls,
    httpTls:
      httpTlsCertFile && httpTlsKeyFile
        ? { certFile: httpTlsCertFile, keyFile: httpTlsKeyFile, caFile: httpTlsCaFile }
        : undefined,
    sessionServiceAddress: sessionService ?? `${settings.host}:${settings.grpcPort}`,
    adminPassword: adminPasswordIsDefault ? DEFAULT_ADMIN_PASSWORD : adminPassword,
    adminPasswordIsDefault,
    allowAnonymous: allowAnonymous ?? !production,
    maximumQos: maximumQos as 0 | 1 | 2,
    authorization,
    configFile,
    databaseUrl: env.DATABASE_URL || undefined,
    natsUrl: env.NATS_URL || undefined,
    nats: {
      user: natsUser,
      password: natsPassword,
      nkeySeedFile: natsNkeySeedFile,
      credsFile: natsCredsFile,
      tls: natsTlsCaFile
        ? { caFile: natsTlsCaFile, certFile: natsTlsCertFile, keyFile: natsTlsKeyFile }
        : undefined,
    },
    streams,
    storedTopics: stored,
    grpcTls: {
      certFile: grpcTlsCertFile,
      keyFile: grpcTlsKeyFile,
      caFile: grpcTlsCaFile,
      clientCertFile: grpcTlsClientCertFile,
      clientKeyFile: grpcTlsClientKeyFile,
      internalNames: (grpcTlsInternalNames ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== ''),
      serverName: grpcTlsServerName,
    },
  };
}

/** The port a gateway opens for a listener: the configured port + its index (0 stays 0: any). */
export function listenerPort(config: Config, kind: ListenerKind): number {
  const base = { mqtt: config.mqttPort, mqtts: config.mqttsPort, ws: config.wsPort, wss: config.wssPort }[
    kind
  ];
  return base === 0 ? 0 : base + config.gatewayIndex;
}

/** The PEM contents of the gRPC TLS files that are configured (read at start). */
export interface GrpcTlsFiles {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
  clientCert?: Buffer;
  clientKey?: Buffer;
}

export function readGrpcTlsFiles(tls: GrpcTlsConfig): GrpcTlsFiles {
  const read = (file: string | undefined, name: string): Buffer | undefined => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(`${name} "${file}" cannot be read: ${(err as Error).message}`);
    }
  };
  const files: GrpcTlsFiles = {};
  const set = (key: keyof GrpcTlsFiles, file: string | undefined, name: string): void => {
    const content = read(file, name);
    if (content) files[key] = content;
  };
  set('cert', tls.certFile, 'MQFLEET_GRPC_TLS_CERT_FILE');
  set('key', tls.keyFile, 'MQFLEET_GRPC_TLS_KEY_FILE');
  set('ca', tls.caFile, 'MQFLEET_GRPC_TLS_CA_FILE');
  set('clientCert', tls.clientCertFile, 'MQFLEET_GRPC_TLS_CLIENT_CERT_FILE');
  set('clientKey', tls.clientKeyFile, 'MQFLEET_GRPC_TLS_CLIENT_KEY_FILE');
  return files;
}

/**
 * A service's command line: --help (or -h) prints the configuration reference and exits. The
 * services take no other arguments: everything is configuration.
 */
export function answerHelp(service: string, argv: string[] = process.argv.slice(2)): void {
  if (!argv.includes('--help') && !argv.includes('-h')) return;
  process.stdout.write(
    `${service}: every setting is an environment variable (or a key of the MQFLEET_CONFIG file).\n\n${configReference()}`,
  );
  process.exit(0);
}
