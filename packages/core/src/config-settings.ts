// The settings table: every setting mqfleet reads, declared once (docs/configuration.md). Each
// entry is a TypeBox schema with its type, limits, default and description, under its key in the
// MQFLEET_CONFIG file; its environment variable is MQFLEET_ + that key in upper snake case. The
// loading, merging and cross-field rules are in config.ts.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  DEFAULT_STREAM_LIMITS,
  DEFAULT_STREAM_REPLICAS,
  STREAM_KINDS,
  streamLimitVariable,
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
/** Prometheus's /metrics: the session-service here, the api-gateway + 1, gateway i + 2 + i. */
export const DEFAULT_METRICS_PORT = 9464;
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
/**
 * Distinct topics recorded for listTopics / describeTopics (docs/json-api.md): the size of the
 * session-service's topics table, and of each gateway's counts between two reports.
 */
export const DEFAULT_MAX_TOPICS = 100_000;
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
/** A draining gateway ends its connections in batches spread over this long (docs/mqtt.md, "Graceful drain"). */
export const DEFAULT_DRAIN_WINDOW_MS = 5000;
/** The shortest time a drained connection's will waits for its client to come back elsewhere. */
export const DEFAULT_DRAIN_WILL_GRACE_MS = 30_000;
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
 * What a CONNECT gets when its client id names a session another user name created (docs/mqtt.md,
 * "Client ids belong to someone"): refused (0x87 / return code 5), a clean start (the session is
 * made anew for the new user), or `off` (the session is taken as it is; refused in production).
 */
export const CLIENT_ID_OWNERSHIP = ['refuse', 'clean-start', 'off'] as const;
export type ClientIdOwnership = (typeof CLIENT_ID_OWNERSHIP)[number];
/**
 * How long, under load, a gateway keeps a persistent session whose connection ended before it
 * stores the close: a reconnect within it resumes from the gateway's state (docs/mqtt.md,
 * "Resumed from the gateway's hold"). Long enough for a fleet's reconnect storm on one gateway: 19,000
 * sessions reconnecting at once to one gateway on a 2-core machine took 20 s, and a 10 s hold ran
 * out for 1,166 of them (which then waited for the session-service).
 */
export const DEFAULT_RESUME_HOLD_MS = 30_000;

// The kinds of setting. `default` is the value in force when neither the environment nor the
// file gives one; a setting without it is undefined then (or derived from others in loadConfig).
const port = (byDefault: number, description: string) =>
  Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: byDefault,
    description,
    expects: 'be a port number (0-65535)',
  });
const int = (minimum: number, maximum: number, byDefault: number | undefined, description: string) =>
  Type.Integer({ minimum, maximum, ...(byDefault !== undefined ? { default: byDefault } : {}), description });
const text = (description: string, byDefault?: string) =>
  Type.String({ ...(byDefault !== undefined ? { default: byDefault } : {}), description });
const oneOf = <const T extends readonly string[]>(values: T, byDefault: T[number], description: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], default: byDefault, description });
const flag = (byDefault: boolean | undefined, description: string) =>
  Type.Boolean({ ...(byDefault !== undefined ? { default: byDefault } : {}), description });
const token = (byDefault: string | undefined, description: string) =>
  Type.String({
    pattern: '^[A-Za-z0-9_-]{1,32}$',
    ...(byDefault !== undefined ? { default: byDefault } : {}),
    description,
    expects: 'be 1-32 letters, digits, "_" or "-"',
  });
const DAY_SECONDS = 86_400;

/** The limits of each JetStream stream, declared once per stream kind (stream-limits.ts). */
const streamSettings = Object.fromEntries(
  STREAM_KINDS.flatMap((kind) => {
    const d = DEFAULT_STREAM_LIMITS[kind];
    return [
      [
        fileKeyOf(streamLimitVariable(kind, 'maxBytes')),
        int(0, Number.MAX_SAFE_INTEGER, d.maxBytes, `bytes the ${kind} stream may hold; 0 = no limit`),
      ],
      [
        fileKeyOf(streamLimitVariable(kind, 'maxMessages')),
        int(0, Number.MAX_SAFE_INTEGER, d.maxMessages, `messages the ${kind} stream may hold; 0 = no limit`),
      ],
      [
        fileKeyOf(streamLimitVariable(kind, 'maxAgeSeconds')),
        int(
          0,
          100 * 365 * DAY_SECONDS,
          d.maxAgeSeconds,
          `seconds a message of the ${kind} stream is kept; 0 = no limit`,
        ),
      ],
    ];
  }),
) as Record<string, ReturnType<typeof int>>;

/**
 * Every setting, by its key in the configuration file; its environment variable is
 * MQFLEET_ + the key in upper snake case (variableOf). docs/configuration.md and the README's
 * table describe them for readers; a test checks that they name every one.
 */
export const SETTINGS = Type.Object({
  host: text('address every listener and the gRPC server bind to', DEFAULT_HOST),
  mqttPort: port(DEFAULT_MQTT_PORT, 'MQTT over TCP; gateway i listens on port + i'),
  mqttsPort: port(DEFAULT_MQTTS_PORT, 'MQTT over TLS; port + i'),
  wsPort: port(DEFAULT_WS_PORT, 'MQTT over WebSocket; port + i'),
  wssPort: port(DEFAULT_WSS_PORT, 'MQTT over secure WebSocket; port + i'),
  listeners: Type.Optional(
    Type.Array(Type.Unsafe<ListenerKind>({ type: 'string', enum: [...LISTENER_KINDS] }), {
      description: 'listeners a gateway opens, comma-separated (default mqtt, plus mqtts with a certificate)',
      expects: `list some of ${LISTENER_KINDS.join(', ')} (comma-separated)`,
    }),
  ),
  tlsCertFile: Type.Optional(text('PEM certificate (with chain) of the TLS listeners')),
  tlsKeyFile: Type.Optional(text('PEM private key of that certificate')),
  tlsCaFile: Type.Optional(text('TLS clients must present a certificate signed by this CA (mutual TLS)')),
  httpPort: port(DEFAULT_HTTP_PORT, 'JSON API and health of the api-gateway'),
  httpTlsCertFile: Type.Optional(
    text('api-gateway: PEM certificate (with chain); HTTPS instead of HTTP when set'),
  ),
  httpTlsKeyFile: Type.Optional(text('api-gateway: PEM private key of that certificate')),
  httpTlsCaFile: Type.Optional(
    text('api-gateway: HTTPS clients must present a certificate signed by this CA (mutual TLS)'),
  ),
  httpAllowPlain: flag(
    false,
    'api-gateway: with NODE_ENV=production, serve plain HTTP on a non-loopback address (TLS ends in a proxy in front)',
  ),
  grpcPort: port(DEFAULT_GRPC_PORT, 'gRPC of the session-service'),
  metricsPort: port(
    DEFAULT_METRICS_PORT,
    'Prometheus GET /metrics: session-service on it, api-gateway + 1, gateway i + 2 + i; 0 = free ports (logged)',
  ),
  gateways: int(1, 64, DEFAULT_GATEWAYS, 'connection-gateways npm start runs'),
  gatewayIndex: int(0, 63, 0, 'which gateway this process is (its port offset)'),
  gatewayId: Type.Optional(token(undefined, 'gateway id (default: host name and port)')),
  sessionService: Type.Optional(text('host:port of the session-service (default: host and grpcPort)')),
  adminPassword: Type.Optional(
    text('password of account ADMIN when it is first created; the default is refused in production'),
  ),
  internalToken: Type.Optional(
    text('shared secret of gateway calls to the session-service; needed in production without mutual TLS'),
  ),
  natsPrefix: token(DEFAULT_NATS_PREFIX, 'first token of every NATS subject and stream name stem'),
  natsUser: Type.Optional(text('NATS user name the services log in with (with natsPassword)')),
  natsPassword: Type.Optional(text('password of that NATS user')),
  natsNkeySeedFile: Type.Optional(
    text('file holding the NATS user nkey seed ("SU...") the services sign the NATS login with'),
  ),
  natsCredsFile: Type.Optional(
    text('NATS credentials file (user JWT and nkey seed) for JWT-based NATS auth'),
  ),
  natsTlsCaFile: Type.Optional(text("CA of the NATS server's certificate; TLS to NATS is on when set")),
  natsTlsCertFile: Type.Optional(text('client certificate (PEM) presented to NATS, when it asks for one')),
  natsTlsKeyFile: Type.Optional(text('key of that client certificate')),
  grpcDeadlineMs: int(
    100,
    600_000,
    DEFAULT_GRPC_DEADLINE_MS,
    'deadline of gRPC calls (closes: at least 30 s)',
  ),
  logLevel: oneOf(['debug', 'info', 'warn', 'error'] as const, 'info', 'log level (JSON lines on stdout)'),
  dataDir: text('where npm start keeps its Postgres and nats-server data', '.data'),
  allowAnonymous: Type.Optional(
    flag(undefined, 'MQTT clients without a user name may connect (default true, false in production)'),
  ),
  storedTopics: Type.Optional(
    text(
      'comma-separated topic filters whose messages are kept in JetStream for getMessagesFromMqTopic (default none)',
    ),
  ),
  tokenMaxLifetimeSeconds: int(
    0,
    10 * 365 * DAY_SECONDS,
    DAY_SECONDS,
    'seconds an API token lives from its creation, however often it is used; 0 = no bound (refused when NODE_ENV=production)',
  ),
  clientIdOwnership: oneOf(
    CLIENT_ID_OWNERSHIP,
    'refuse',
    "a CONNECT whose client id names another user's session: refused (0x87 / return code 5), given a clean start, or off (refused when NODE_ENV=production)",
  ),
  loginFreeFailures: int(
    1,
    1000,
    5,
    'failed logins of one username from one address before each further one is delayed',
  ),
  loginAddressFreeFailures: int(
    1,
    1_000_000,
    20,
    'failed logins from one address (any username) before each further one is delayed',
  ),
  loginThrottleMaxSeconds: int(1, 86_400, 300, 'longest delay a throttled login waits for'),
  passwordHashCost: int(
    14,
    20,
    17,
    'log2 of scrypt N for new password hashes (17: OWASP; below 17 refused when NODE_ENV=production)',
  ),
  hashConcurrency: int(1, 64, 2, 'password hashes computed at once'),
  hashQueue: int(0, 100_000, 32, 'logins waiting for a hash beyond those; more are answered busy'),
  maxConnections: int(0, 10_000_000, 100_000, 'open connections a gateway accepts; 0 = no bound'),
  maxConnectionsPerAddress: int(
    0,
    10_000_000,
    50_000,
    'open connections a gateway accepts from one address; 0 = no bound',
  ),
  connectRate: int(0, 10_000_000, 0, 'new connections a second a gateway accepts in all; 0 = no bound'),
  connectRatePerAddress: int(
    0,
    10_000_000,
    25_000,
    'new connections a second a gateway accepts from one address; 0 = no bound',
  ),
  mqttMayUseMqApiNames: flag(
    false,
    'an MQTT CONNECT may take the client id of an MQ API session (otherwise refused: 0x85 / return code 2)',
  ),
  applyTimeoutMs: int(
    0,
    60_000,
    DEFAULT_APPLY_TIMEOUT_MS,
    "how long an alteration waits for the gateway's confirmation",
  ),
  maxPacketSize: int(
    128,
    268_435_460,
    DEFAULT_MAX_PACKET_SIZE,
    'largest packet a gateway accepts from a client',
  ),
  maxKeepAlive: int(0, 65535, 0, 'largest keep alive in seconds; 0 = no maximum'),
  receiveMaximum: int(
    1,
    65535,
    DEFAULT_RECEIVE_MAXIMUM,
    'inbound QoS 1/2 messages a client may leave unacknowledged',
  ),
  topicAliasMaximum: int(
    0,
    65535,
    DEFAULT_TOPIC_ALIAS_MAXIMUM,
    'topic aliases accepted from each MQTT 5 client',
  ),
  maximumQos: int(0, 2, 2, 'highest QoS accepted and granted'),
  retainAvailable: flag(true, 'retained messages are stored'),
  healthIntervalMs: int(
    100,
    60_000,
    DEFAULT_HEALTH_INTERVAL_MS,
    'how often a gateway evaluates session health',
  ),
  statsTimeoutMs: int(
    1,
    60_000,
    DEFAULT_STATS_TIMEOUT_MS,
    "how long includeStats waits for a gateway's statistics",
  ),
  maxTopics: int(
    0,
    10_000_000,
    DEFAULT_MAX_TOPICS,
    'distinct topics recorded for listTopics and describeTopics; 0 = none',
  ),
  grpcTlsCertFile: Type.Optional(text('session-service: its gRPC server certificate (PEM)')),
  grpcTlsKeyFile: Type.Optional(text('session-service: the key of that certificate')),
  grpcTlsCaFile: Type.Optional(
    text("session-service: callers' CA (mutual TLS); callers: the CA of the session-service's certificate"),
  ),
  grpcTlsClientCertFile: Type.Optional(text('callers: the client certificate they present (PEM)')),
  grpcTlsClientKeyFile: Type.Optional(text('callers: the key of that client certificate')),
  grpcTlsInternalNames: Type.Optional(
    text('session-service: comma-separated certificate CNs that count as internal services'),
  ),
  grpcTlsServerName: Type.Optional(text("callers: the name checked in the session-service's certificate")),
  maxQueuedMessages: int(
    0,
    1_000_000,
    DEFAULT_MAX_QUEUED_MESSAGES,
    'QoS 1/2 messages waiting for a session beyond its in-flight window',
  ),
  publishTimeoutMs: int(
    100,
    600_000,
    DEFAULT_PUBLISH_TIMEOUT_MS,
    'how long a QoS 1/2 PUBLISH waits for the bus to confirm its copies',
  ),
  maxQueuedBytes: int(
    1024,
    2 ** 40,
    DEFAULT_MAX_QUEUED_BYTES,
    'bytes of QoS 1/2 messages a connection holds',
  ),
  queueFullPolicy: oneOf(
    QUEUE_FULL_POLICIES,
    DEFAULT_QUEUE_FULL_POLICY,
    'what a full queue does with one more message',
  ),
  maxOutboundBytes: int(
    MIN_OUTBOUND_BYTES,
    2 ** 40,
    DEFAULT_MAX_OUTBOUND_BYTES,
    "unsent bytes a connection's socket may hold",
  ),
  gatewayHeartbeatMs: int(100, 60_000, DEFAULT_GATEWAY_HEARTBEAT_MS, 'how often a gateway announces itself'),
  gatewayTimeoutMs: int(500, 600_000, DEFAULT_GATEWAY_TIMEOUT_MS, 'a gateway silent this long is lost'),
  drainWindowMs: int(
    0,
    600_000,
    DEFAULT_DRAIN_WINDOW_MS,
    'a stopping gateway ends its connections spread over this long; 0 = all at once',
  ),
  drainWillGraceMs: int(
    0,
    86_400_000,
    DEFAULT_DRAIN_WILL_GRACE_MS,
    "shortest wait of a drained connection's will for its client to come back",
  ),
  maxSessionExpiry: int(
    0,
    4294967295,
    DEFAULT_MAX_SESSION_EXPIRY,
    'longest session expiry in seconds; 0 = no bound',
  ),
  answerFirst: oneOf(
    ANSWER_FIRST,
    'load',
    'when a gateway answers a new client before its session is stored',
  ),
  answerFirstRate: int(
    1,
    1_000_000,
    DEFAULT_ANSWER_FIRST_RATE,
    'CONNECTs or ends a second from which load counts',
  ),
  resumeHoldMs: int(
    0,
    600_000,
    DEFAULT_RESUME_HOLD_MS,
    'how long a persistent session close is held under load; 0 = never',
  ),
  streamReplicas: int(1, 5, DEFAULT_STREAM_REPLICAS, 'replicas of every JetStream stream'),
  ...streamSettings,
  natsMaxControlLine: int(
    1024,
    16_777_216,
    DEFAULT_NATS_MAX_CONTROL_LINE,
    "the nats-server's max_control_line",
  ),
  maxSubscriptions: int(
    0,
    1_000_000,
    DEFAULT_MAX_SUBSCRIPTIONS,
    'subscriptions one session may hold; 0 = no bound',
  ),
  maxSubscriptionBytes: int(
    1024,
    67_108_864,
    DEFAULT_MAX_SUBSCRIPTION_BYTES,
    'bytes of topic filters one session may hold',
  ),
});

/** The settings as validated (defaults applied), by file key. */
export type ConfigSettings = Static<typeof SETTINGS>;

/** MQFLEET_MAX_PACKET_SIZE → maxPacketSize: the key of a variable in the MQFLEET_CONFIG file. */
export function fileKeyOf(variable: string): string {
  return variable
    .slice('MQFLEET_'.length)
    .toLowerCase()
    .replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** maxPacketSize → MQFLEET_MAX_PACKET_SIZE: the environment variable of a setting. */
export function variableOf(key: string): string {
  return `MQFLEET_${key.replace(/([A-Z])/g, '_$1').toUpperCase()}`;
}

export const PROPERTIES = SETTINGS.properties as Record<string, TSchema>;
export const KEY_OF_VARIABLE = new Map(Object.keys(PROPERTIES).map((key) => [variableOf(key), key]));
/** MQFLEET_CONFIG names the file: a variable, not a setting the file can hold. */
export const CONFIG_VARIABLE = 'MQFLEET_CONFIG';
/**
 * Variables of the mqfleet command line (packages/cli, docs/cli.md), not of the services: a shell
 * that exported them for the CLI can still start the services.
 */
export const CLI_VARIABLES: readonly string[] = ['MQFLEET_TOKEN', 'MQFLEET_API_URL'];
/** What a setting must be, for an error message ("must be an integer from 1 to 64"). */
export function expectation(schema: TSchema): string {
  if (schema.expects) return `must ${String(schema.expects)}`;
  if (schema.enum) return `must be one of ${(schema.enum as string[]).join(', ')}`;
  if (schema.type === 'integer') return `must be an integer from ${schema.minimum} to ${schema.maximum}`;
  if (schema.type === 'boolean') return 'must be one of true, false';
  return 'must be a string';
}

/**
 * The reference of every setting, as each service prints it with --help: variable, file key,
 * what it must be, default, description.
 */
export function configReference(): string {
  const lines = [
    'Configuration: environment variables, or the same settings under their keys in the JSON file',
    'named by MQFLEET_CONFIG (the environment wins). Details: docs/configuration.md.',
    '',
    `${CONFIG_VARIABLE}  JSON file with any of the settings below, plus "authorization" rules`,
  ];
  for (const [key, schema] of Object.entries(PROPERTIES)) {
    const byDefault = schema.default === undefined ? '' : ` (default ${JSON.stringify(schema.default)})`;
    lines.push(
      `${variableOf(key)} / "${key}": ${String(schema.description)}; ${expectation(schema).replace(/^must (be )?/, '')}${byDefault}`,
    );
  }
  return lines.join('\n') + '\n';
}
