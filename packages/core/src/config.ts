// Configuration: one schema of every environment variable mqfleet reads, with named defaults,
// validated once at start. Unknown MQFLEET_* variables are refused by name (a typo must not be
// silently ignored). Only a service's main.ts calls loadConfig; everything else takes a Config.

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_MQTTS_PORT = 8883;
export const DEFAULT_WS_PORT = 9001;
export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_GRPC_PORT = 50051;
export const DEFAULT_GATEWAYS = 1;
export const DEFAULT_NATS_PREFIX = 'mqfleet';
export const DEFAULT_ADMIN_PASSWORD = 'ADMIN';
export const DEFAULT_GRPC_DEADLINE_MS = 5000;
export const DEFAULT_TOKEN_IDLE_SECONDS = 3600;
export const DEFAULT_APPLY_TIMEOUT_MS = 1000;
/** 1 MiB, as EMQX: a client cannot make a gateway buffer a 256 MB packet by default. */
export const DEFAULT_MAX_PACKET_SIZE = 1_048_576;
export const DEFAULT_HEALTH_INTERVAL_MS = 2000;
export const DEFAULT_STATS_TIMEOUT_MS = 500;
/** Messages delivered to a resumed session from its offline queue (the oldest first). */
export const DEFAULT_MAX_QUEUED_MESSAGES = 1000;

export interface Config {
  production: boolean;
  host: string;
  mqttPort: number;
  mqttsPort: number;
  wsPort: number;
  httpPort: number;
  grpcPort: number;
  gateways: number;
  /** Index of this connection-gateway (listens on mqttPort + index). */
  gatewayIndex: number;
  gatewayId: string | undefined;
  /** host:port of the session-service, for the api-gateway and the connection-gateways. */
  sessionServiceAddress: string;
  adminPassword: string;
  adminPasswordIsDefault: boolean;
  internalToken: string | undefined;
  /** MQTT clients without a username may connect (default: yes, except in production). */
  allowAnonymous: boolean;
  natsPrefix: string;
  databaseUrl: string | undefined;
  natsUrl: string | undefined;
  grpcDeadlineMs: number;
  /** Largest MQTT packet a gateway accepts from a client (announced to MQTT 5 clients). */
  maxPacketSize: number;
  /** How long an alteration waits for the gateway's confirmation that it is in force. */
  applyTimeoutMs: number;
  /** How often a gateway evaluates the health of its connections (and reports changes). */
  healthIntervalMs: number;
  /** How long describeMqSessions includeStats waits for a gateway's live statistics. */
  statsTimeoutMs: number;
  /** QoS 1/2 messages kept for an offline persistent session; newer ones are discarded. */
  maxQueuedMessages: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  dataDir: string;
}

type Env = Record<string, string | undefined>;

interface VarSpec {
  parse(raw: string, name: string): unknown;
}

const port: VarSpec = {
  parse(raw, name) {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n > 65535)
      throw new ConfigError(`${name} must be a port number (0-65535); got "${raw}"`);
    return n;
  },
};
const count = (min: number, max: number): VarSpec => ({
  parse(raw, name) {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max)
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}; got "${raw}"`);
    return n;
  },
});
const text: VarSpec = { parse: (raw) => raw };
const oneOf = (...values: string[]): VarSpec => ({
  parse(raw, name) {
    if (!values.includes(raw))
      throw new ConfigError(`${name} must be one of ${values.join(', ')}; got "${raw}"`);
    return raw;
  },
});
const subjectToken: VarSpec = {
  parse(raw, name) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(raw))
      throw new ConfigError(`${name} must be 1-32 letters, digits, "_" or "-"; got "${raw}"`);
    return raw;
  },
};

/** Every MQFLEET_* variable: anything else with that prefix is an error. */
const SCHEMA: Record<string, VarSpec> = {
  MQFLEET_HOST: text,
  MQFLEET_MQTT_PORT: port,
  MQFLEET_MQTTS_PORT: port,
  MQFLEET_WS_PORT: port,
  MQFLEET_HTTP_PORT: port,
  MQFLEET_GRPC_PORT: port,
  MQFLEET_GATEWAYS: count(1, 64),
  MQFLEET_GATEWAY_INDEX: count(0, 63),
  MQFLEET_GATEWAY_ID: subjectToken,
  MQFLEET_SESSION_SERVICE: text,
  MQFLEET_ADMIN_PASSWORD: text,
  MQFLEET_INTERNAL_TOKEN: text,
  MQFLEET_NATS_PREFIX: subjectToken,
  MQFLEET_GRPC_DEADLINE_MS: count(100, 600_000),
  MQFLEET_LOG_LEVEL: oneOf('debug', 'info', 'warn', 'error'),
  MQFLEET_DATA_DIR: text,
  MQFLEET_CONFIG: text,
  MQFLEET_ALLOW_ANONYMOUS: oneOf('true', 'false'),
  MQFLEET_APPLY_TIMEOUT_MS: count(0, 60_000),
  MQFLEET_MAX_PACKET_SIZE: count(128, 268_435_460),
  MQFLEET_HEALTH_INTERVAL_MS: count(100, 60_000),
  MQFLEET_STATS_TIMEOUT_MS: count(1, 60_000),
  MQFLEET_MAX_QUEUED_MESSAGES: count(0, 1_000_000),
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Env = process.env): Config {
  const unknown = Object.keys(env).filter((k) => k.startsWith('MQFLEET_') && !(k in SCHEMA));
  if (unknown.length > 0) {
    throw new ConfigError(`unknown configuration variable(s): ${unknown.join(', ')}`);
  }
  const get = <T>(name: string, fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    return SCHEMA[name]!.parse(raw, name) as T;
  };
  const production = env.NODE_ENV === 'production';
  const host = get('MQFLEET_HOST', DEFAULT_HOST);
  const grpcPort = get('MQFLEET_GRPC_PORT', DEFAULT_GRPC_PORT);
  const rawPassword = env.MQFLEET_ADMIN_PASSWORD;
  const adminPasswordIsDefault =
    rawPassword === undefined || rawPassword === '' || rawPassword === DEFAULT_ADMIN_PASSWORD;
  if (production && adminPasswordIsDefault) {
    throw new ConfigError(
      'MQFLEET_ADMIN_PASSWORD must be set to something other than the default when NODE_ENV=production',
    );
  }
  const internalToken = get<string | undefined>('MQFLEET_INTERNAL_TOKEN', undefined);
  if (production && !internalToken) {
    throw new ConfigError(
      'MQFLEET_INTERNAL_TOKEN must be set when NODE_ENV=production (it guards gateway calls)',
    );
  }
  const gateways = get('MQFLEET_GATEWAYS', DEFAULT_GATEWAYS);
  const gatewayIndex = get('MQFLEET_GATEWAY_INDEX', 0);
  if (gatewayIndex >= gateways) {
    throw new ConfigError(
      `MQFLEET_GATEWAY_INDEX (${gatewayIndex}) must be lower than MQFLEET_GATEWAYS (${gateways})`,
    );
  }
  return {
    production,
    host,
    mqttPort: get('MQFLEET_MQTT_PORT', DEFAULT_MQTT_PORT),
    mqttsPort: get('MQFLEET_MQTTS_PORT', DEFAULT_MQTTS_PORT),
    wsPort: get('MQFLEET_WS_PORT', DEFAULT_WS_PORT),
    httpPort: get('MQFLEET_HTTP_PORT', DEFAULT_HTTP_PORT),
    grpcPort,
    gateways,
    gatewayIndex,
    gatewayId: get<string | undefined>('MQFLEET_GATEWAY_ID', undefined),
    sessionServiceAddress: get('MQFLEET_SESSION_SERVICE', `${host}:${grpcPort}`),
    adminPassword: adminPasswordIsDefault ? DEFAULT_ADMIN_PASSWORD : rawPassword!,
    adminPasswordIsDefault,
    internalToken,
    allowAnonymous: get('MQFLEET_ALLOW_ANONYMOUS', production ? 'false' : 'true') === 'true',
    natsPrefix: get('MQFLEET_NATS_PREFIX', DEFAULT_NATS_PREFIX),
    databaseUrl: env.DATABASE_URL || undefined,
    natsUrl: env.NATS_URL || undefined,
    grpcDeadlineMs: get('MQFLEET_GRPC_DEADLINE_MS', DEFAULT_GRPC_DEADLINE_MS),
    applyTimeoutMs: get('MQFLEET_APPLY_TIMEOUT_MS', DEFAULT_APPLY_TIMEOUT_MS),
    maxPacketSize: get('MQFLEET_MAX_PACKET_SIZE', DEFAULT_MAX_PACKET_SIZE),
    healthIntervalMs: get('MQFLEET_HEALTH_INTERVAL_MS', DEFAULT_HEALTH_INTERVAL_MS),
    statsTimeoutMs: get('MQFLEET_STATS_TIMEOUT_MS', DEFAULT_STATS_TIMEOUT_MS),
    maxQueuedMessages: get('MQFLEET_MAX_QUEUED_MESSAGES', DEFAULT_MAX_QUEUED_MESSAGES),
    logLevel: get('MQFLEET_LOG_LEVEL', 'info'),
    dataDir: get('MQFLEET_DATA_DIR', '.data'),
  };
}
