// Configuration: one schema of every environment variable mqfleet reads, with named defaults,
// validated once at start. Unknown MQFLEET_* variables are refused by name (a typo must not be
// silently ignored). Only a service's main.ts calls loadConfig; everything else takes a Config.
//
// MQFLEET_CONFIG names one JSON file that can give every MQFLEET_* setting under its camelCase
// key (MQFLEET_MAX_PACKET_SIZE → "maxPacketSize"), plus the file-only "authorization" rules. The
// environment overrides the file. Unknown keys in the file are refused by name, like unknown
// variables. A variable added to SCHEMA is therefore in the file too, with no other change.
import { readFileSync } from 'node:fs';
import { parseAuthorization, type AuthorizationRule } from './authorization';
import {
  DEFAULT_STREAM_LIMITS,
  DEFAULT_STREAM_REPLICAS,
  STREAM_KINDS,
  streamLimitVariable,
  type StreamKind,
  type StreamLimits,
} from './stream-limits';
import {
  DEFAULT_MAX_SUBSCRIPTION_BYTES,
  DEFAULT_MAX_SUBSCRIPTIONS,
  DEFAULT_NATS_MAX_CONTROL_LINE,
} from './bus-limits';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_MQTTS_PORT = 8883;
export const DEFAULT_WS_PORT = 9001;
/** Secure WebSocket: clear of 8883+i and 9001+i for up to 64 gateways. */
export const DEFAULT_WSS_PORT = 9443;
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
/** Inbound topic aliases per MQTT 5 client (CONNACK Topic Alias Maximum). */
export const DEFAULT_TOPIC_ALIAS_MAXIMUM = 10;
/**
 * Inbound QoS 1/2 PUBLISH packets a client may leave unacknowledged (CONNACK Receive Maximum;
 * more: DISCONNECT 0x93). Mosquitto announces 20, EMQX 32.
 */
export const DEFAULT_RECEIVE_MAXIMUM = 100;

/** The listeners a connection-gateway can open (each on its port + gateway index). */
export const LISTENER_KINDS = ['mqtt', 'mqtts', 'ws', 'wss'] as const;
export type ListenerKind = (typeof LISTENER_KINDS)[number];

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** Client certificates signed by this CA are required (mutual TLS) when set. */
  caFile: string | undefined;
}
/**
 * QoS 1/2 messages waiting for a session beyond its in-flight window: while it is connected (the
 * window is full or the outbound budget is reached) and in its offline queue. Mosquitto's
 * max_queued_messages and EMQX's max_mqueue_len default to 1000 too.
 */
export const DEFAULT_MAX_QUEUED_MESSAGES = 1000;
/**
 * How long a QoS 1/2 PUBLISH waits for NATS (and JetStream) to confirm every copy before its
 * acknowledgement reports a failure (MQTT 5: 0x80; MQTT 3.1.1: the connection is closed).
 */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;
/**
 * Bytes (payload + topic) of the QoS 1/2 messages a connection holds: in flight and queued; an
 * offline queue delivers at most this much when the session resumes.
 */
export const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;
/**
 * Bytes a connection's socket may hold unsent before PUBLISH packets stop being written to it
 * (QoS 0 is then dropped, QoS 1/2 waits in the queue) and reading from the client pauses.
 */
export const DEFAULT_MAX_OUTBOUND_BYTES = 1024 * 1024;
/** Not below the sockets' write high-water mark (16 KiB), so that a full budget ends with 'drain'. */
export const MIN_OUTBOUND_BYTES = 65_536;
/** What a connection's full queue does with one more QoS 1/2 delivery. */
export const QUEUE_FULL_POLICIES = ['drop-oldest', 'drop-newest', 'disconnect'] as const;
export type QueueFullPolicy = (typeof QUEUE_FULL_POLICIES)[number];
export const DEFAULT_QUEUE_FULL_POLICY: QueueFullPolicy = 'drop-oldest';
/** How often a connection-gateway announces itself (heartbeat on NATS). */
export const DEFAULT_GATEWAY_HEARTBEAT_MS = 2000;
/** A gateway silent this long is lost (five heartbeats; HiveMQ's failure detection waits 9 s). */
export const DEFAULT_GATEWAY_TIMEOUT_MS = 10_000;
/**
 * The longest a session outlives its connection: 7 days. It bounds every Session Expiry Interval a
 * client asks for, "never" included (MQTT 3.1.1 Clean Session 0, MQTT 5 0xFFFFFFFF), as Mosquitto's
 * persistent_client_expiration and HiveMQ's max session expiry do (docs/mqtt.md).
 */
export const DEFAULT_MAX_SESSION_EXPIRY = 7 * 24 * 60 * 60;
export const ANSWER_FIRST = ['load', 'always', 'never'] as const;
export type AnswerFirst = (typeof ANSWER_FIRST)[number];
export const DEFAULT_ANSWER_FIRST_RATE = 500;
/**
 * How long, under load, a gateway keeps a persistent session whose connection ended before it
 * stores the close: a reconnect within it resumes from the gateway's state (docs/mqtt.md,
 * "Resumed from the gateway's hold"). Long enough for a fleet's reconnect storm on one gateway: 19,000
 * sessions reconnecting at once to one gateway on a 2-core machine took 20 s, and a 10 s hold ran
 * out for 1,166 of them (which then waited for the session-service).
 */
export const DEFAULT_RESUME_HOLD_MS = 30_000;

export interface Config {
  production: boolean;
  host: string;
  mqttPort: number;
  mqttsPort: number;
  wsPort: number;
  wssPort: number;
  /** The listeners a gateway opens (MQFLEET_LISTENERS; default mqtt, plus mqtts with a certificate). */
  listeners: ListenerKind[];
  /** MQFLEET_LISTENERS was given (env or file): npm start leaves the choice alone. */
  listenersConfigured: boolean;
  /** Certificate and key of the TLS listeners (mqtts, wss). */
  tls: TlsFiles | undefined;
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
  /** Largest keep alive a client may use, 0 = no maximum (MQTT 5: Server Keep Alive). */
  maxKeepAlive: number;
  /** Inbound QoS 1/2 PUBLISH a client may have unacknowledged (CONNACK Receive Maximum). */
  receiveMaximum: number;
  /** Inbound topic aliases per client (CONNACK Topic Alias Maximum). */
  topicAliasMaximum: number;
  /** Highest QoS accepted and granted (CONNACK Maximum QoS). */
  maximumQos: 0 | 1 | 2;
  /** Retained messages are stored (CONNACK Retain Available). */
  retainAvailable: boolean;
  /** Publish/subscribe rules from the config file; undefined = everything is allowed. */
  authorization: AuthorizationRule[] | undefined;
  /** The MQFLEET_CONFIG file that was read, if any. */
  configFile: string | undefined;
  /** How long an alteration waits for the gateway's confirmation that it is in force. */
  applyTimeoutMs: number;
  /** How often a gateway evaluates the health of its connections (and reports changes). */
  healthIntervalMs: number;
  /** How long describeMqSessions includeStats waits for a gateway's live statistics. */
  statsTimeoutMs: number;
  /**
   * QoS 1/2 messages waiting for a session beyond its in-flight window, online (then
   * queueFullPolicy applies) and offline (newer ones are discarded).
   */
  maxQueuedMessages: number;
  /** How long a QoS 1/2 PUBLISH waits for the bus to confirm its copies (docs/mqtt.md). */
  publishTimeoutMs: number;
  /** Bytes of QoS 1/2 messages a connection holds (in flight + queued); also caps an offline queue. */
  maxQueuedBytes: number;
  /** What a full online queue does: drop the oldest, drop the newest, or disconnect (0x97). */
  queueFullPolicy: QueueFullPolicy;
  /** Unsent bytes a connection's socket may hold before PUBLISH packets wait or are dropped. */
  maxOutboundBytes: number;
  /** How often a connection-gateway publishes its heartbeat. */
  gatewayHeartbeatMs: number;
  /** A gateway (or one run of it) silent this long is lost: the cluster takes care of its sessions. */
  gatewayTimeoutMs: number;
  /** Bound of every session's expiry interval, in seconds ("never" included); 0 = no bound. */
  maxSessionExpiry: number;
  /**
   * When a gateway answers the CONNECT of a client id without a stored session before its
   * OpenSession is written (docs/mqtt.md, "Connects at scale"): `load` while it receives at
   * least answerFirstRate CONNECTs a second, `always`, or `never`.
   */
  answerFirst: AnswerFirst;
  /** CONNECTs per second (per gateway) from which `load` answers first. */
  answerFirstRate: number;
  /**
   * Under the same rule as answerFirst (`load`: from answerFirstRate CONNECTs or connection ends a
   * second), how long the close of a persistent session is held for a reconnect to the same
   * gateway that resumes it from the gateway's state; 0 = never held.
   */
  resumeHoldMs: number;
  /** Replicas of every JetStream stream (1 on one machine, 3 in a 3-node cluster). */
  streamReplicas: number;
  /** Byte, message and age limits of each JetStream stream (stream-limits.ts). */
  streams: Record<StreamKind, StreamLimits>;
  /** nats-server's max_control_line: mapped topics and filters must fit it (bus-limits.ts). */
  natsMaxControlLine: number;
  /** Subscriptions one session may hold; 0 = no bound on the count. */
  maxSubscriptions: number;
  /** Sum of the bytes of one session's topic filters. */
  maxSubscriptionBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  dataDir: string;
  /** TLS of the session-service's gRPC (mutual TLS when a CA is given); all undefined = plaintext. */
  grpcTls: GrpcTlsConfig;
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
const listenerList: VarSpec = {
  parse(raw, name) {
    const items = raw.split(',').map((x) => x.trim());
    for (const item of items) {
      if (!(LISTENER_KINDS as readonly string[]).includes(item))
        throw new ConfigError(
          `${name} must list some of ${LISTENER_KINDS.join(', ')} (comma-separated); got "${raw}"`,
        );
    }
    return [...new Set(items)];
  },
};
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
  MQFLEET_WSS_PORT: port,
  MQFLEET_LISTENERS: listenerList,
  MQFLEET_TLS_CERT_FILE: text,
  MQFLEET_TLS_KEY_FILE: text,
  MQFLEET_TLS_CA_FILE: text,
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
  MQFLEET_MAX_KEEP_ALIVE: count(0, 65535),
  MQFLEET_RECEIVE_MAXIMUM: count(1, 65535),
  MQFLEET_TOPIC_ALIAS_MAXIMUM: count(0, 65535),
  MQFLEET_MAXIMUM_QOS: count(0, 2),
  MQFLEET_RETAIN_AVAILABLE: oneOf('true', 'false'),
  MQFLEET_HEALTH_INTERVAL_MS: count(100, 60_000),
  MQFLEET_STATS_TIMEOUT_MS: count(1, 60_000),
  MQFLEET_GRPC_TLS_CERT_FILE: text,
  MQFLEET_GRPC_TLS_KEY_FILE: text,
  MQFLEET_GRPC_TLS_CA_FILE: text,
  MQFLEET_GRPC_TLS_CLIENT_CERT_FILE: text,
  MQFLEET_GRPC_TLS_CLIENT_KEY_FILE: text,
  MQFLEET_GRPC_TLS_INTERNAL_NAMES: text,
  MQFLEET_GRPC_TLS_SERVER_NAME: text,
  MQFLEET_MAX_QUEUED_MESSAGES: count(0, 1_000_000),
  MQFLEET_PUBLISH_TIMEOUT_MS: count(100, 600_000),
  MQFLEET_MAX_QUEUED_BYTES: count(1024, 2 ** 40),
  MQFLEET_QUEUE_FULL_POLICY: oneOf(...QUEUE_FULL_POLICIES),
  MQFLEET_MAX_OUTBOUND_BYTES: count(MIN_OUTBOUND_BYTES, 2 ** 40),
  MQFLEET_GATEWAY_HEARTBEAT_MS: count(100, 60_000),
  MQFLEET_GATEWAY_TIMEOUT_MS: count(500, 600_000),
  MQFLEET_MAX_SESSION_EXPIRY: count(0, 4294967295),
  MQFLEET_ANSWER_FIRST: oneOf(...ANSWER_FIRST),
  MQFLEET_ANSWER_FIRST_RATE: count(1, 1_000_000),
  MQFLEET_RESUME_HOLD_MS: count(0, 600_000),
  MQFLEET_STREAM_REPLICAS: count(1, 5),
  MQFLEET_EVENTS_STREAM_MAX_BYTES: count(0, Number.MAX_SAFE_INTEGER),
  MQFLEET_EVENTS_STREAM_MAX_MESSAGES: count(0, Number.MAX_SAFE_INTEGER),
  MQFLEET_EVENTS_STREAM_MAX_AGE_SECONDS: count(0, 100 * 365 * 86400),
  MQFLEET_RETAINED_STREAM_MAX_BYTES: count(0, Number.MAX_SAFE_INTEGER),
  MQFLEET_RETAINED_STREAM_MAX_MESSAGES: count(0, Number.MAX_SAFE_INTEGER),
  MQFLEET_RETAINED_STREAM_MAX_AGE_SECONDS: count(0, 100 * 365 * 86400),
  MQFLEET_QUEUE_STREAM_MAX_BYTES: count(0, Number.MAX_SAFE_INTEGER),
  MQFLEET_QUEUE_STREAM_MAX_MESSAGES: count(0, Number.MAX_SAFE_INTEGER),
  MQFLEET_QUEUE_STREAM_MAX_AGE_SECONDS: count(0, 100 * 365 * 86400),
  MQFLEET_WORK_STREAM_MAX_BYTES: count(0, Number.MAX_SAFE_INTEGER),
  MQFLEET_WORK_STREAM_MAX_MESSAGES: count(0, Number.MAX_SAFE_INTEGER),
  MQFLEET_WORK_STREAM_MAX_AGE_SECONDS: count(0, 100 * 365 * 86400),
  MQFLEET_NATS_MAX_CONTROL_LINE: count(1024, 16_777_216),
  MQFLEET_MAX_SUBSCRIPTIONS: count(0, 1_000_000),
  MQFLEET_MAX_SUBSCRIPTION_BYTES: count(1024, 67_108_864),
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** MQFLEET_MAX_PACKET_SIZE → maxPacketSize: the key of a variable in the MQFLEET_CONFIG file. */
export function fileKeyOf(variable: string): string {
  return variable
    .slice('MQFLEET_'.length)
    .toLowerCase()
    .replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Keys of the config file that are not variables (structured values). */
const FILE_ONLY_KEYS = new Set(['authorization']);

const VARIABLE_OF_KEY = new Map(
  Object.keys(SCHEMA)
    .filter((name) => name !== 'MQFLEET_CONFIG')
    .map((name) => [fileKeyOf(name), name]),
);

interface FileSettings {
  /** Raw values by variable name, as strings (what the variable would hold). */
  values: Map<string, string>;
  authorization: unknown;
}

function readConfigFile(path: string, read: (path: string) => string): FileSettings {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    throw new ConfigError(`MQFLEET_CONFIG: cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
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
    const name = VARIABLE_OF_KEY.get(key);
    if (!name) {
      unknown.push(key);
      continue;
    }
    if (Array.isArray(value) && name === 'MQFLEET_LISTENERS') values.set(name, value.map(String).join(','));
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      values.set(name, String(value));
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
  const unknown = Object.keys(env).filter((k) => k.startsWith('MQFLEET_') && !(k in SCHEMA));
  if (unknown.length > 0) {
    throw new ConfigError(`unknown configuration variable(s): ${unknown.join(', ')}`);
  }
  const configFile = env.MQFLEET_CONFIG || undefined;
  const file = configFile ? readConfigFile(configFile, readFile) : undefined;
  /** The raw value of a variable: the environment first, then the file; "" counts as unset. */
  const raw = (name: string): string | undefined => {
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    const fromFile = file?.values.get(name);
    return fromFile === '' ? undefined : fromFile;
  };
  /** How an error names a setting: the variable, or the file's key when it came from the file. */
  const label = (name: string): string => {
    const fromEnv = env[name];
    if ((fromEnv === undefined || fromEnv === '') && file?.values.has(name))
      return `"${fileKeyOf(name)}" in ${configFile}`;
    return name;
  };
  const get = <T>(name: string, fallback: T): T => {
    const value = raw(name);
    if (value === undefined) return fallback;
    return SCHEMA[name]!.parse(value, label(name)) as T;
  };
  const production = env.NODE_ENV === 'production';
  const host = get('MQFLEET_HOST', DEFAULT_HOST);
  const grpcPort = get('MQFLEET_GRPC_PORT', DEFAULT_GRPC_PORT);
  const rawPassword = raw('MQFLEET_ADMIN_PASSWORD');
  const adminPasswordIsDefault = rawPassword === undefined || rawPassword === DEFAULT_ADMIN_PASSWORD;
  if (production && adminPasswordIsDefault) {
    throw new ConfigError(
      'MQFLEET_ADMIN_PASSWORD must be set to something other than the default when NODE_ENV=production',
    );
  }
  const internalToken = get<string | undefined>('MQFLEET_INTERNAL_TOKEN', undefined);
  const grpcTls: GrpcTlsConfig = {
    certFile: get<string | undefined>('MQFLEET_GRPC_TLS_CERT_FILE', undefined),
    keyFile: get<string | undefined>('MQFLEET_GRPC_TLS_KEY_FILE', undefined),
    caFile: get<string | undefined>('MQFLEET_GRPC_TLS_CA_FILE', undefined),
    clientCertFile: get<string | undefined>('MQFLEET_GRPC_TLS_CLIENT_CERT_FILE', undefined),
    clientKeyFile: get<string | undefined>('MQFLEET_GRPC_TLS_CLIENT_KEY_FILE', undefined),
    internalNames: get('MQFLEET_GRPC_TLS_INTERNAL_NAMES', '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== ''),
    serverName: get<string | undefined>('MQFLEET_GRPC_TLS_SERVER_NAME', undefined),
  };
  for (const [a, b] of [
    ['MQFLEET_GRPC_TLS_CERT_FILE', 'MQFLEET_GRPC_TLS_KEY_FILE'],
    ['MQFLEET_GRPC_TLS_CLIENT_CERT_FILE', 'MQFLEET_GRPC_TLS_CLIENT_KEY_FILE'],
  ] as const) {
    // The merged values (environment over file), like every other check: a pair split between
    // the file and the environment is complete.
    if ((raw(a) === undefined) !== (raw(b) === undefined))
      throw new ConfigError(`${label(a)} and ${label(b)} must be set together`);
  }
  if (production && !internalToken && !grpcTls.caFile) {
    throw new ConfigError(
      'MQFLEET_INTERNAL_TOKEN (or mutual TLS: MQFLEET_GRPC_TLS_CA_FILE with certificates) must be set when NODE_ENV=production (it guards gateway calls)',
    );
  }
  const gateways = get('MQFLEET_GATEWAYS', DEFAULT_GATEWAYS);
  const gatewayIndex = get('MQFLEET_GATEWAY_INDEX', 0);
  if (gatewayIndex >= gateways) {
    throw new ConfigError(
      `MQFLEET_GATEWAY_INDEX (${gatewayIndex}) must be lower than MQFLEET_GATEWAYS (${gateways})`,
    );
  }

  // TLS: a listener is on only when configured; TLS needs a certificate and its key.
  const certFile = get<string | undefined>('MQFLEET_TLS_CERT_FILE', undefined);
  const keyFile = get<string | undefined>('MQFLEET_TLS_KEY_FILE', undefined);
  const caFile = get<string | undefined>('MQFLEET_TLS_CA_FILE', undefined);
  if (certFile && !keyFile)
    throw new ConfigError('MQFLEET_TLS_KEY_FILE must be set with MQFLEET_TLS_CERT_FILE');
  if (keyFile && !certFile)
    throw new ConfigError('MQFLEET_TLS_CERT_FILE must be set with MQFLEET_TLS_KEY_FILE');
  if (caFile && !certFile)
    throw new ConfigError('MQFLEET_TLS_CA_FILE needs MQFLEET_TLS_CERT_FILE and MQFLEET_TLS_KEY_FILE');
  const tls = certFile && keyFile ? { certFile, keyFile, caFile } : undefined;
  const listenersConfigured = raw('MQFLEET_LISTENERS') !== undefined;
  const listeners = get<ListenerKind[]>('MQFLEET_LISTENERS', tls ? ['mqtt', 'mqtts'] : ['mqtt']);
  for (const kind of listeners) {
    if ((kind === 'mqtts' || kind === 'wss') && !tls) {
      throw new ConfigError(
        `${label('MQFLEET_LISTENERS')} includes ${kind}, which needs MQFLEET_TLS_CERT_FILE and MQFLEET_TLS_KEY_FILE`,
      );
    }
  }
  const ports: Record<ListenerKind, number> = {
    mqtt: get('MQFLEET_MQTT_PORT', DEFAULT_MQTT_PORT),
    mqtts: get('MQFLEET_MQTTS_PORT', DEFAULT_MQTTS_PORT),
    ws: get('MQFLEET_WS_PORT', DEFAULT_WS_PORT),
    wss: get('MQFLEET_WSS_PORT', DEFAULT_WSS_PORT),
  };
  const portName = { mqtt: 'MQTT', mqtts: 'MQTTS', ws: 'WS', wss: 'WSS' } as const;
  for (const a of listeners) {
    for (const b of listeners) {
      if (a < b && ports[a] !== 0 && ports[a] === ports[b]) {
        throw new ConfigError(
          `MQFLEET_${portName[a]}_PORT and MQFLEET_${portName[b]}_PORT are both ${ports[a]}; the ${a} and ${b} listeners need different ports`,
        );
      }
    }
  }

  const gatewayHeartbeatMs = get('MQFLEET_GATEWAY_HEARTBEAT_MS', DEFAULT_GATEWAY_HEARTBEAT_MS);
  const gatewayTimeoutMs = get('MQFLEET_GATEWAY_TIMEOUT_MS', DEFAULT_GATEWAY_TIMEOUT_MS);
  if (gatewayTimeoutMs < 2 * gatewayHeartbeatMs) {
    throw new ConfigError(
      `${label('MQFLEET_GATEWAY_TIMEOUT_MS')} (${gatewayTimeoutMs}) must be at least twice ${label('MQFLEET_GATEWAY_HEARTBEAT_MS')} (${gatewayHeartbeatMs}): one late heartbeat must not make a gateway lost`,
    );
  }
  const streams = Object.fromEntries(
    STREAM_KINDS.map((kind) => {
      const d = DEFAULT_STREAM_LIMITS[kind];
      const limits: StreamLimits = {
        maxBytes: get(streamLimitVariable(kind, 'maxBytes'), d.maxBytes),
        maxMessages: get(streamLimitVariable(kind, 'maxMessages'), d.maxMessages),
        maxAgeSeconds: get(streamLimitVariable(kind, 'maxAgeSeconds'), d.maxAgeSeconds),
      };
      return [kind, limits];
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

  return {
    production,
    host,
    mqttPort: ports.mqtt,
    mqttsPort: ports.mqtts,
    wsPort: ports.ws,
    wssPort: ports.wss,
    listeners,
    listenersConfigured,
    tls,
    httpPort: get('MQFLEET_HTTP_PORT', DEFAULT_HTTP_PORT),
    grpcPort,
    gateways,
    gatewayIndex,
    gatewayId: get<string | undefined>('MQFLEET_GATEWAY_ID', undefined),
    sessionServiceAddress: get('MQFLEET_SESSION_SERVICE', `${host}:${grpcPort}`),
    adminPassword: adminPasswordIsDefault ? DEFAULT_ADMIN_PASSWORD : rawPassword,
    adminPasswordIsDefault,
    internalToken,
    allowAnonymous: get('MQFLEET_ALLOW_ANONYMOUS', production ? 'false' : 'true') === 'true',
    natsPrefix: get('MQFLEET_NATS_PREFIX', DEFAULT_NATS_PREFIX),
    databaseUrl: env.DATABASE_URL || undefined,
    natsUrl: env.NATS_URL || undefined,
    grpcDeadlineMs: get('MQFLEET_GRPC_DEADLINE_MS', DEFAULT_GRPC_DEADLINE_MS),
    applyTimeoutMs: get('MQFLEET_APPLY_TIMEOUT_MS', DEFAULT_APPLY_TIMEOUT_MS),
    maxPacketSize: get('MQFLEET_MAX_PACKET_SIZE', DEFAULT_MAX_PACKET_SIZE),
    maxKeepAlive: get('MQFLEET_MAX_KEEP_ALIVE', 0),
    receiveMaximum: get('MQFLEET_RECEIVE_MAXIMUM', DEFAULT_RECEIVE_MAXIMUM),
    topicAliasMaximum: get('MQFLEET_TOPIC_ALIAS_MAXIMUM', DEFAULT_TOPIC_ALIAS_MAXIMUM),
    maximumQos: get<0 | 1 | 2>('MQFLEET_MAXIMUM_QOS', 2),
    retainAvailable: get('MQFLEET_RETAIN_AVAILABLE', 'true') === 'true',
    authorization,
    configFile,
    healthIntervalMs: get('MQFLEET_HEALTH_INTERVAL_MS', DEFAULT_HEALTH_INTERVAL_MS),
    statsTimeoutMs: get('MQFLEET_STATS_TIMEOUT_MS', DEFAULT_STATS_TIMEOUT_MS),
    maxQueuedMessages: get('MQFLEET_MAX_QUEUED_MESSAGES', DEFAULT_MAX_QUEUED_MESSAGES),
    publishTimeoutMs: get('MQFLEET_PUBLISH_TIMEOUT_MS', DEFAULT_PUBLISH_TIMEOUT_MS),
    maxQueuedBytes: get('MQFLEET_MAX_QUEUED_BYTES', DEFAULT_MAX_QUEUED_BYTES),
    queueFullPolicy: get<QueueFullPolicy>('MQFLEET_QUEUE_FULL_POLICY', DEFAULT_QUEUE_FULL_POLICY),
    maxOutboundBytes: get('MQFLEET_MAX_OUTBOUND_BYTES', DEFAULT_MAX_OUTBOUND_BYTES),
    gatewayHeartbeatMs,
    gatewayTimeoutMs,
    maxSessionExpiry: get('MQFLEET_MAX_SESSION_EXPIRY', DEFAULT_MAX_SESSION_EXPIRY),
    answerFirst: get<AnswerFirst>('MQFLEET_ANSWER_FIRST', 'load'),
    answerFirstRate: get('MQFLEET_ANSWER_FIRST_RATE', DEFAULT_ANSWER_FIRST_RATE),
    resumeHoldMs: get('MQFLEET_RESUME_HOLD_MS', DEFAULT_RESUME_HOLD_MS),
    streamReplicas: get('MQFLEET_STREAM_REPLICAS', DEFAULT_STREAM_REPLICAS),
    streams,
    natsMaxControlLine: get('MQFLEET_NATS_MAX_CONTROL_LINE', DEFAULT_NATS_MAX_CONTROL_LINE),
    maxSubscriptions: get('MQFLEET_MAX_SUBSCRIPTIONS', DEFAULT_MAX_SUBSCRIPTIONS),
    maxSubscriptionBytes: get('MQFLEET_MAX_SUBSCRIPTION_BYTES', DEFAULT_MAX_SUBSCRIPTION_BYTES),
    logLevel: get('MQFLEET_LOG_LEVEL', 'info'),
    dataDir: get('MQFLEET_DATA_DIR', '.data'),
    grpcTls,
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
