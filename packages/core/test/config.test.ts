import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  DEFAULT_ADMIN_PASSWORD,
  DEFAULT_GATEWAYS,
  DEFAULT_GRPC_DEADLINE_MS,
  DEFAULT_GRPC_PORT,
  DEFAULT_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_METRICS_PORT,
  DEFAULT_MQTTS_PORT,
  DEFAULT_MQTT_PORT,
  DEFAULT_NATS_PREFIX,
  DEFAULT_WSS_PORT,
  DEFAULT_WS_PORT,
  configReference,
  fileKeyOf,
  listenerPort,
  loadConfig,
  SETTINGS,
  variableOf,
} from '../src';

const PRODUCTION = {
  NODE_ENV: 'production',
  MQFLEET_ADMIN_PASSWORD: 's3cret',
  MQFLEET_INTERNAL_TOKEN: 'tok',
};

function refused(env: Record<string, string | undefined>, pattern: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('loadConfig', () => {
  it('defaults', () => {
    assert.deepEqual(loadConfig({}), {
      production: false,
      host: DEFAULT_HOST,
      mqttPort: DEFAULT_MQTT_PORT,
      mqttsPort: DEFAULT_MQTTS_PORT,
      wsPort: DEFAULT_WS_PORT,
      wssPort: DEFAULT_WSS_PORT,
      listeners: ['mqtt'],
      listenersConfigured: false,
      tls: undefined,
      httpPort: DEFAULT_HTTP_PORT,
      httpTls: undefined,
      httpAllowPlain: false,
      grpcPort: DEFAULT_GRPC_PORT,
      metricsPort: DEFAULT_METRICS_PORT,
      gateways: DEFAULT_GATEWAYS,
      gatewayIndex: 0,
      gatewayId: undefined,
      sessionServiceAddress: `${DEFAULT_HOST}:${DEFAULT_GRPC_PORT}`,
      adminPassword: DEFAULT_ADMIN_PASSWORD,
      adminPasswordIsDefault: true,
      internalToken: undefined,
      allowAnonymous: true,
      tokenMaxLifetimeSeconds: 86_400,
      clientIdOwnership: 'refuse',
      loginFreeFailures: 5,
      loginAddressFreeFailures: 20,
      loginThrottleMaxSeconds: 300,
      passwordHashCost: 17,
      hashConcurrency: 2,
      hashQueue: 32,
      maxConnections: 100_000,
      maxConnectionsPerAddress: 50_000,
      connectRate: 0,
      connectRatePerAddress: 25_000,
      mqttMayUseMqApiNames: false,
      applyTimeoutMs: 1000,
      maxPacketSize: 1048576,
      maxKeepAlive: 0,
      receiveMaximum: 100,
      topicAliasMaximum: 10,
      maximumQos: 2,
      retainAvailable: true,
      authorization: undefined,
      configFile: undefined,
      healthIntervalMs: 2000,
      statsTimeoutMs: 500,
      maxTopics: 100_000,
      grpcTls: {
        certFile: undefined,
        keyFile: undefined,
        caFile: undefined,
        clientCertFile: undefined,
        clientKeyFile: undefined,
        internalNames: [],
        serverName: undefined,
      },
      maxQueuedMessages: 1000,
      publishTimeoutMs: 10_000,
      maxQueuedBytes: 16 * 1024 * 1024,
      queueFullPolicy: 'drop-oldest',
      maxOutboundBytes: 1024 * 1024,
      gatewayHeartbeatMs: 2000,
      gatewayTimeoutMs: 10_000,
      drainWindowMs: 5000,
      drainWillGraceMs: 30_000,
      maxSessionExpiry: 604_800,
      answerFirst: 'load',
      answerFirstRate: 500,
      resumeHoldMs: 30_000,
      streamReplicas: 1,
      streams: {
        events: { maxBytes: 1024 ** 3, maxMessages: 10_000_000, maxAgeSeconds: 86_400 },
        retained: { maxBytes: 1024 ** 3, maxMessages: 1_000_000, maxAgeSeconds: 0 },
        queue: { maxBytes: 2 * 1024 ** 3, maxMessages: 10_000_000, maxAgeSeconds: 604_800 },
        work: { maxBytes: 256 * 1024 ** 2, maxMessages: 1_000_000, maxAgeSeconds: 0 },
        mqapi: { maxBytes: 1024 ** 3, maxMessages: 10_000_000, maxAgeSeconds: 604_800 },
        topics: { maxBytes: 1024 ** 3, maxMessages: 10_000_000, maxAgeSeconds: 604_800 },
      },
      storedTopics: [],
      natsMaxControlLine: 4096,
      maxSubscriptions: 1000,
      maxSubscriptionBytes: 262144,
      natsPrefix: DEFAULT_NATS_PREFIX,
      databaseUrl: undefined,
      natsUrl: undefined,
      nats: {
        user: undefined,
        password: undefined,
        nkeySeedFile: undefined,
        credsFile: undefined,
        tls: undefined,
      },
      grpcDeadlineMs: DEFAULT_GRPC_DEADLINE_MS,
      logLevel: 'info',
      dataDir: '.data',
    });
    assert.equal(DEFAULT_MQTT_PORT, 1883);
    assert.equal(DEFAULT_ADMIN_PASSWORD, 'ADMIN');
  });

  it('empty values count as unset', () => {
    const config = loadConfig({ MQFLEET_MQTT_PORT: '', MQFLEET_HOST: '', DATABASE_URL: '', NATS_URL: '' });
    assert.equal(config.mqttPort, DEFAULT_MQTT_PORT);
    assert.equal(config.host, DEFAULT_HOST);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.natsUrl, undefined);
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        MQFLEET_HOST: '0.0.0.0',
        MQFLEET_MQTT_PORT: '0',
        MQFLEET_MQTTS_PORT: '65535',
        MQFLEET_WS_PORT: '9002',
        MQFLEET_HTTP_PORT: '8081',
        MQFLEET_GRPC_PORT: '50052',
        MQFLEET_GATEWAYS: '64',
        MQFLEET_GATEWAY_INDEX: '63',
        MQFLEET_GATEWAY_ID: 'gw_1-a',
        MQFLEET_ADMIN_PASSWORD: 'pw',
        MQFLEET_INTERNAL_TOKEN: 'tok',
        MQFLEET_NATS_PREFIX: 'fleet',
        MQFLEET_GRPC_DEADLINE_MS: '100',
        MQFLEET_LOG_LEVEL: 'debug',
        MQFLEET_DATA_DIR: '/var/lib/mqfleet',
        MQFLEET_CONFIG: 'x',
        DATABASE_URL: 'postgres://db',
        NATS_URL: 'nats://n',
        UNRELATED: 'ignored',
      },
      () => '{}',
    );
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.mqttPort, 0);
    assert.equal(config.mqttsPort, 65535);
    assert.equal(config.wsPort, 9002);
    assert.equal(config.httpPort, 8081);
    assert.equal(config.grpcPort, 50052);
    assert.equal(config.sessionServiceAddress, '0.0.0.0:50052');
    assert.equal(config.gateways, 64);
    assert.equal(config.gatewayIndex, 63);
    assert.equal(config.gatewayId, 'gw_1-a');
    assert.equal(config.adminPassword, 'pw');
    assert.equal(config.adminPasswordIsDefault, false);
    assert.equal(config.internalToken, 'tok');
    assert.equal(config.natsPrefix, 'fleet');
    assert.equal(config.grpcDeadlineMs, 100);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.dataDir, '/var/lib/mqfleet');
    assert.equal(config.databaseUrl, 'postgres://db');
    assert.equal(config.natsUrl, 'nats://n');
    assert.equal(loadConfig({ MQFLEET_SESSION_SERVICE: 'svc:1' }).sessionServiceAddress, 'svc:1');
    assert.deepEqual(
      loadConfig({ MQFLEET_STORED_TOPICS: ' site/+/temp, alarms/#,site/+/temp ' }).storedTopics,
      ['site/+/temp', 'alarms/#'],
    );
  });

  it('refuses an unknown MQFLEET_ variable by name', () => {
    refused({ MQFLEET_MQTT_PROT: '1883' }, /MQFLEET_MQTT_PROT/);
    refused({ MQFLEET_HOST: 'h', MQFLEET_LOGLEVEL: 'info', MQFLEET_X: '' }, /MQFLEET_LOGLEVEL, MQFLEET_X/);
    refused({ MQFLEET_: '1' }, /unknown configuration variable/);
    assert.doesNotThrow(() => loadConfig({ MQFLEETX: '1', OTHER_MQFLEET_HOST: '1' }));
  });

  it('leaves the variables of the mqfleet CLI to it (docs/cli.md)', () => {
    assert.doesNotThrow(() => loadConfig({ MQFLEET_TOKEN: 't', MQFLEET_API_URL: 'http://127.0.0.1:1' }));
    refused({ MQFLEET_TOKENS: 't' }, /MQFLEET_TOKENS; unset or correct them/);
  });

  for (const bad of ['65536', '-1', '1.5', 'abc', '80 ', ' 80', '0x50', '1e3', '99999999999999999999']) {
    it(`refuses port ${JSON.stringify(bad)}`, () => {
      refused({ MQFLEET_MQTT_PORT: bad }, /MQFLEET_MQTT_PORT must be a port number/);
      refused({ MQFLEET_GRPC_PORT: bad }, /MQFLEET_GRPC_PORT/);
    });
  }

  it('refuses bad counts, identifiers and log levels', () => {
    refused({ MQFLEET_GATEWAYS: '0' }, /MQFLEET_GATEWAYS must be an integer from 1 to 64/);
    refused({ MQFLEET_GATEWAYS: '65' }, /MQFLEET_GATEWAYS/);
    refused({ MQFLEET_GRPC_DEADLINE_MS: '99' }, /MQFLEET_GRPC_DEADLINE_MS/);
    refused({ MQFLEET_GATEWAY_ID: 'a.b' }, /MQFLEET_GATEWAY_ID/);
    refused({ MQFLEET_NATS_PREFIX: 'x'.repeat(33) }, /MQFLEET_NATS_PREFIX/);
    refused({ MQFLEET_NATS_PREFIX: 'a>' }, /MQFLEET_NATS_PREFIX/);
    refused({ MQFLEET_LOG_LEVEL: 'trace' }, /MQFLEET_LOG_LEVEL must be one of/);
  });

  it('refuses MQFLEET_GATEWAY_INDEX ≥ MQFLEET_GATEWAYS', () => {
    refused(
      { MQFLEET_GATEWAY_INDEX: '1' },
      /MQFLEET_GATEWAY_INDEX \(1\) must be lower than MQFLEET_GATEWAYS \(1\)/,
    );
    refused({ MQFLEET_GATEWAYS: '3', MQFLEET_GATEWAY_INDEX: '3' }, /MQFLEET_GATEWAY_INDEX/);
    refused({ MQFLEET_GATEWAYS: '3', MQFLEET_GATEWAY_INDEX: '7' }, /MQFLEET_GATEWAY_INDEX/);
    refused({ MQFLEET_GATEWAY_INDEX: '64' }, /MQFLEET_GATEWAY_INDEX/);
    assert.equal(loadConfig({ MQFLEET_GATEWAYS: '3', MQFLEET_GATEWAY_INDEX: '2' }).gatewayIndex, 2);
  });

  describe('NODE_ENV=production', () => {
    it('starts with a real admin password and an internal token', () => {
      const config = loadConfig(PRODUCTION);
      assert.equal(config.production, true);
      assert.equal(config.adminPassword, 's3cret');
      assert.equal(config.adminPasswordIsDefault, false);
      assert.equal(config.internalToken, 'tok');
    });

    it('refuses a missing, empty or default admin password', () => {
      for (const password of [undefined, '', 'ADMIN']) {
        refused({ ...PRODUCTION, MQFLEET_ADMIN_PASSWORD: password }, /MQFLEET_ADMIN_PASSWORD/);
      }
    });

    it('refuses tokens that live for ever', () => {
      refused(
        { ...PRODUCTION, MQFLEET_TOKEN_MAX_LIFETIME_SECONDS: '0' },
        /MQFLEET_TOKEN_MAX_LIFETIME_SECONDS/,
      );
      assert.equal(loadConfig({ MQFLEET_TOKEN_MAX_LIFETIME_SECONDS: '0' }).tokenMaxLifetimeSeconds, 0);
    });

    it('refuses client ids that anyone may take', () => {
      refused({ ...PRODUCTION, MQFLEET_CLIENT_ID_OWNERSHIP: 'off' }, /MQFLEET_CLIENT_ID_OWNERSHIP=off/);
      assert.equal(
        loadConfig({ ...PRODUCTION, MQFLEET_CLIENT_ID_OWNERSHIP: 'clean-start' }).clientIdOwnership,
        'clean-start',
      );
      assert.equal(loadConfig({ MQFLEET_CLIENT_ID_OWNERSHIP: 'off' }).clientIdOwnership, 'off');
      assert.throws(
        () => loadConfig({ MQFLEET_CLIENT_ID_OWNERSHIP: 'maybe' }),
        /MQFLEET_CLIENT_ID_OWNERSHIP.*refuse, clean-start, off/,
      );
    });

    it('refuses password hashes below the OWASP cost', () => {
      refused(
        { ...PRODUCTION, MQFLEET_PASSWORD_HASH_COST: '16' },
        /MQFLEET_PASSWORD_HASH_COST must be at least 17/,
      );
      assert.equal(loadConfig({ ...PRODUCTION, MQFLEET_PASSWORD_HASH_COST: '17' }).passwordHashCost, 17);
      assert.equal(loadConfig({ MQFLEET_PASSWORD_HASH_COST: '14' }).passwordHashCost, 14);
    });

    it('refuses a missing or empty internal token', () => {
      for (const token of [undefined, '']) {
        refused({ ...PRODUCTION, MQFLEET_INTERNAL_TOKEN: token }, /MQFLEET_INTERNAL_TOKEN/);
      }
    });

    it('development allows the default password and no token', () => {
      for (const NODE_ENV of [undefined, 'development', 'test', 'Production']) {
        const config = loadConfig({ NODE_ENV, MQFLEET_ADMIN_PASSWORD: 'ADMIN' });
        assert.equal(config.production, false);
        assert.equal(config.adminPasswordIsDefault, true);
      }
    });
  });

  it('reads process.env when no environment is given', () => {
    const saved = { ...process.env };
    try {
      for (const key of Object.keys(process.env)) if (key.startsWith('MQFLEET_')) delete process.env[key];
      process.env.MQFLEET_HTTP_PORT = '8181';
      assert.equal(loadConfig().httpPort, 8181);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('MQFLEET_ALLOW_ANONYMOUS', () => {
  it('defaults to true, and to false in production', () => {
    assert.equal(loadConfig({}).allowAnonymous, true);
    const production = { NODE_ENV: 'production', MQFLEET_ADMIN_PASSWORD: 'x1', MQFLEET_INTERNAL_TOKEN: 't' };
    assert.equal(loadConfig(production).allowAnonymous, false);
    assert.equal(loadConfig({ ...production, MQFLEET_ALLOW_ANONYMOUS: 'true' }).allowAnonymous, true);
  });
  it('takes only true or false', () => {
    assert.throws(() => loadConfig({ MQFLEET_ALLOW_ANONYMOUS: 'yes' }), /MQFLEET_ALLOW_ANONYMOUS/);
  });
});

describe('NATS login and TLS', () => {
  it('takes one way to log in, complete, and TLS files that belong together', () => {
    assert.deepEqual(loadConfig({ MQFLEET_NATS_NKEY_SEED_FILE: '/keys/gw.nk' }).nats, {
      user: undefined,
      password: undefined,
      nkeySeedFile: '/keys/gw.nk',
      credsFile: undefined,
      tls: undefined,
    });
    const login = loadConfig({
      MQFLEET_NATS_USER: 'mq',
      MQFLEET_NATS_PASSWORD: 'pw',
      MQFLEET_NATS_TLS_CA_FILE: '/tls/ca.pem',
      MQFLEET_NATS_TLS_CERT_FILE: '/tls/c.pem',
      MQFLEET_NATS_TLS_KEY_FILE: '/tls/k.pem',
    }).nats;
    assert.deepEqual([login.user, login.password], ['mq', 'pw']);
    assert.deepEqual(login.tls, { caFile: '/tls/ca.pem', certFile: '/tls/c.pem', keyFile: '/tls/k.pem' });
    assert.equal(loadConfig({ MQFLEET_NATS_CREDS_FILE: '/keys/u.creds' }).nats.credsFile, '/keys/u.creds');
    refused({ MQFLEET_NATS_USER: 'mq' }, /MQFLEET_NATS_USER and MQFLEET_NATS_PASSWORD must be set together/);
    refused({ MQFLEET_NATS_PASSWORD: 'pw' }, /must be set together/);
    refused(
      { MQFLEET_NATS_NKEY_SEED_FILE: '/a', MQFLEET_NATS_CREDS_FILE: '/b' },
      /MQFLEET_NATS_NKEY_SEED_FILE and MQFLEET_NATS_CREDS_FILE are two ways to log in to NATS; set only one/,
    );
    refused(
      { MQFLEET_NATS_USER: 'u', MQFLEET_NATS_PASSWORD: 'p', MQFLEET_NATS_NKEY_SEED_FILE: '/a' },
      /two ways to log in/,
    );
    refused({ MQFLEET_NATS_TLS_CERT_FILE: '/c' }, /MQFLEET_NATS_TLS_CERT_FILE and MQFLEET_NATS_TLS_KEY_FILE/);
    refused(
      { MQFLEET_NATS_TLS_CERT_FILE: '/c', MQFLEET_NATS_TLS_KEY_FILE: '/k' },
      /MQFLEET_NATS_TLS_CERT_FILE needs MQFLEET_NATS_TLS_CA_FILE/,
    );
  });
});

describe('HTTPS of the api-gateway', () => {
  it('a certificate and its key together; a client CA only with them', () => {
    const config = loadConfig({ MQFLEET_HTTP_TLS_CERT_FILE: '/c.pem', MQFLEET_HTTP_TLS_KEY_FILE: '/k.pem' });
    assert.deepEqual(config.httpTls, { certFile: '/c.pem', keyFile: '/k.pem', caFile: undefined });
    refused(
      { MQFLEET_HTTP_TLS_CERT_FILE: '/c.pem' },
      /MQFLEET_HTTP_TLS_CERT_FILE and MQFLEET_HTTP_TLS_KEY_FILE must be set together/,
    );
    refused(
      { MQFLEET_HTTP_TLS_CA_FILE: '/ca.pem' },
      /MQFLEET_HTTP_TLS_CA_FILE needs MQFLEET_HTTP_TLS_CERT_FILE/,
    );
    assert.equal(loadConfig({ MQFLEET_HTTP_ALLOW_PLAIN: 'true' }).httpAllowPlain, true);
    refused({ MQFLEET_HTTP_ALLOW_PLAIN: 'yes' }, /MQFLEET_HTTP_ALLOW_PLAIN must be one of true, false/);
  });
});

describe('listeners and TLS', () => {
  it('TLS listeners need a certificate; with one, mqtts is on by default', () => {
    refused(
      { MQFLEET_LISTENERS: 'mqtt,mqtts' },
      /MQFLEET_LISTENERS includes mqtts, which needs MQFLEET_TLS_CERT_FILE/,
    );
    refused({ MQFLEET_LISTENERS: 'wss' }, /includes wss/);
    refused({ MQFLEET_LISTENERS: 'mqtt,quic' }, /MQFLEET_LISTENERS must list some of mqtt, mqtts, ws, wss/);
    refused({ MQFLEET_TLS_CERT_FILE: 'c.pem' }, /MQFLEET_TLS_KEY_FILE must be set/);
    refused({ MQFLEET_TLS_KEY_FILE: 'k.pem' }, /MQFLEET_TLS_CERT_FILE must be set/);
    refused({ MQFLEET_TLS_CA_FILE: 'ca.pem' }, /MQFLEET_TLS_CA_FILE needs/);
    const tls = { MQFLEET_TLS_CERT_FILE: 'c.pem', MQFLEET_TLS_KEY_FILE: 'k.pem' };
    const config = loadConfig(tls);
    assert.deepEqual(config.listeners, ['mqtt', 'mqtts']);
    assert.deepEqual(config.tls, { certFile: 'c.pem', keyFile: 'k.pem', caFile: undefined });
    const all = loadConfig({ ...tls, MQFLEET_LISTENERS: 'ws, wss,ws', MQFLEET_TLS_CA_FILE: 'ca.pem' });
    assert.deepEqual(all.listeners, ['ws', 'wss']);
    assert.equal(all.listenersConfigured, true);
    assert.equal(all.tls?.caFile, 'ca.pem');
  });

  it('refuses two listeners on one port', () => {
    refused(
      { MQFLEET_LISTENERS: 'mqtt,ws', MQFLEET_WS_PORT: '1883' },
      /MQFLEET_MQTT_PORT and MQFLEET_WS_PORT are both 1883/,
    );
    assert.doesNotThrow(() =>
      loadConfig({ MQFLEET_LISTENERS: 'mqtt,ws', MQFLEET_MQTT_PORT: '0', MQFLEET_WS_PORT: '0' }),
    );
    // Not listening: no conflict.
    assert.doesNotThrow(() => loadConfig({ MQFLEET_WS_PORT: '1883' }));
  });

  it('gateway i listens on every port + i (0 stays 0)', () => {
    const config = loadConfig({ MQFLEET_GATEWAYS: '3', MQFLEET_GATEWAY_INDEX: '2', MQFLEET_WS_PORT: '0' });
    assert.equal(listenerPort(config, 'mqtt'), 1885);
    assert.equal(listenerPort(config, 'mqtts'), 8885);
    assert.equal(listenerPort(config, 'wss'), 9445);
    assert.equal(listenerPort(config, 'ws'), 0);
  });
});

describe('broker limits', () => {
  it('reads each limit and refuses values out of range by name', () => {
    const config = loadConfig({
      MQFLEET_MAX_KEEP_ALIVE: '60',
      MQFLEET_RECEIVE_MAXIMUM: '5',
      MQFLEET_TOPIC_ALIAS_MAXIMUM: '0',
      MQFLEET_MAXIMUM_QOS: '1',
      MQFLEET_RETAIN_AVAILABLE: 'false',
    });
    assert.equal(config.maxKeepAlive, 60);
    assert.equal(config.receiveMaximum, 5);
    assert.equal(config.topicAliasMaximum, 0);
    assert.equal(config.maximumQos, 1);
    assert.equal(config.retainAvailable, false);
    refused({ MQFLEET_MAX_KEEP_ALIVE: '65536' }, /MQFLEET_MAX_KEEP_ALIVE must be an integer from 0 to 65535/);
    refused({ MQFLEET_RECEIVE_MAXIMUM: '0' }, /MQFLEET_RECEIVE_MAXIMUM must be an integer from 1/);
    refused({ MQFLEET_MAXIMUM_QOS: '3' }, /MQFLEET_MAXIMUM_QOS/);
    refused({ MQFLEET_RETAIN_AVAILABLE: '0' }, /MQFLEET_RETAIN_AVAILABLE must be one of true, false/);
  });

  it('reads the outbound budget, the queue bounds and the queue-full policy; refuses bad values by name', () => {
    const config = loadConfig({
      MQFLEET_MAX_OUTBOUND_BYTES: '65536',
      MQFLEET_MAX_QUEUED_MESSAGES: '0',
      MQFLEET_MAX_QUEUED_BYTES: '1024',
      MQFLEET_QUEUE_FULL_POLICY: 'disconnect',
    });
    assert.equal(config.maxOutboundBytes, 65536);
    assert.equal(config.maxQueuedMessages, 0);
    assert.equal(config.maxQueuedBytes, 1024);
    assert.equal(config.queueFullPolicy, 'disconnect');
    assert.equal(loadConfig({ MQFLEET_QUEUE_FULL_POLICY: 'drop-newest' }).queueFullPolicy, 'drop-newest');
    // Below the sockets' write high-water mark a full budget would never end with 'drain'.
    refused(
      { MQFLEET_MAX_OUTBOUND_BYTES: '65535' },
      /MQFLEET_MAX_OUTBOUND_BYTES must be an integer from 65536/,
    );
    refused({ MQFLEET_MAX_QUEUED_BYTES: '1023' }, /MQFLEET_MAX_QUEUED_BYTES must be an integer from 1024/);
    refused(
      { MQFLEET_QUEUE_FULL_POLICY: 'drop' },
      /MQFLEET_QUEUE_FULL_POLICY must be one of drop-oldest, drop-newest, disconnect; got "drop"/,
    );
  });
});

describe('MQFLEET_CONFIG file', () => {
  const withFile = (json: unknown, env: Record<string, string> = {}) =>
    loadConfig({ MQFLEET_CONFIG: '/etc/mqfleet.json', ...env }, (path) => {
      assert.equal(path, '/etc/mqfleet.json');
      return typeof json === 'string' ? json : JSON.stringify(json);
    });
  const fileRefused = (json: unknown, pattern: RegExp, env: Record<string, string> = {}): void => {
    assert.throws(
      () => withFile(json, env),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, pattern);
        return true;
      },
    );
  };

  it('every variable has a camelCase key', () => {
    assert.equal(fileKeyOf('MQFLEET_MAX_PACKET_SIZE'), 'maxPacketSize');
    assert.equal(fileKeyOf('MQFLEET_MQTTS_PORT'), 'mqttsPort');
    assert.equal(fileKeyOf('MQFLEET_TLS_CA_FILE'), 'tlsCaFile');
    assert.equal(fileKeyOf('MQFLEET_MAXIMUM_QOS'), 'maximumQos');
  });

  it('gives settings and limits; the environment overrides the file', () => {
    const config = withFile(
      {
        maxPacketSize: 65536,
        maxKeepAlive: 120,
        receiveMaximum: 20,
        topicAliasMaximum: 3,
        maximumQos: 1,
        retainAvailable: false,
        allowAnonymous: false,
        listeners: ['mqtt', 'ws'],
        wsPort: 9100,
        logLevel: 'warn',
      },
      { MQFLEET_LOG_LEVEL: 'debug', MQFLEET_RECEIVE_MAXIMUM: '30' },
    );
    assert.equal(config.configFile, '/etc/mqfleet.json');
    assert.equal(config.maxPacketSize, 65536);
    assert.equal(config.maxKeepAlive, 120);
    assert.equal(config.receiveMaximum, 30);
    assert.equal(config.topicAliasMaximum, 3);
    assert.equal(config.maximumQos, 1);
    assert.equal(config.retainAvailable, false);
    assert.equal(config.allowAnonymous, false);
    assert.deepEqual(config.listeners, ['mqtt', 'ws']);
    assert.equal(config.listenersConfigured, true);
    assert.equal(config.wsPort, 9100);
    assert.equal(config.logLevel, 'debug');
    // An empty variable does not override the file.
    assert.equal(withFile({ maxPacketSize: 4096 }, { MQFLEET_MAX_PACKET_SIZE: '' }).maxPacketSize, 4096);
  });

  it('refuses unknown keys by name, and bad values naming the key and the file', () => {
    fileRefused(
      { maxPacketSize: 1000, maxPaketSize: 2, foo: 1 },
      /unknown key\(s\) in \/etc\/mqfleet.json: "maxPaketSize", "foo"/,
    );
    fileRefused({ MQFLEET_MAX_PACKET_SIZE: 1000 }, /unknown key/);
    fileRefused({ max_packet_size: 1000 }, /unknown key/);
    fileRefused({ config: 'other.json' }, /unknown key/);
    fileRefused({ maxPacketSize: 12 }, /"maxPacketSize" in \/etc\/mqfleet.json must be an integer from 128/);
    fileRefused({ maximumQos: 1.5 }, /"maximumQos" in \/etc\/mqfleet.json/);
    fileRefused({ retainAvailable: 'no' }, /"retainAvailable" in/);
    fileRefused(
      { maxPacketSize: { value: 1 } },
      /"maxPacketSize" in \/etc\/mqfleet.json must be a string, a number or a boolean/,
    );
    fileRefused({ listeners: ['mqtts'] }, /"listeners" in \/etc\/mqfleet.json includes mqtts/);
    fileRefused('{"maxPacketSize": ', /is not valid JSON/);
    fileRefused('[1]', /must hold a JSON object/);
    // The environment's value is the one named when it is the bad one.
    fileRefused({ maxPacketSize: 4096 }, /MQFLEET_MAX_PACKET_SIZE must be/, { MQFLEET_MAX_PACKET_SIZE: 'x' });
  });

  it('checks the gRPC TLS certificate/key pairs on the merged values, naming where each came from', () => {
    // Split between the file and the environment: complete.
    const split = withFile(
      { grpcTlsCertFile: '/tls/service.pem' },
      { MQFLEET_GRPC_TLS_KEY_FILE: '/tls/service-key.pem' },
    );
    assert.equal(split.grpcTls.certFile, '/tls/service.pem');
    assert.equal(split.grpcTls.keyFile, '/tls/service-key.pem');
    // Half a pair in the file only: refused (the environment-only check let it through).
    fileRefused(
      { grpcTlsClientCertFile: '/tls/gw.pem' },
      /MQFLEET_GRPC_TLS_CLIENT_CERT_FILE|"grpcTlsClientCertFile" in \/etc\/mqfleet.json.*must be set together/,
    );
    fileRefused(
      { grpcTlsKeyFile: '/tls/k.pem' },
      /"grpcTlsKeyFile" in \/etc\/mqfleet.json must be set together/,
    );
  });

  it('a missing file is an error at start', () => {
    assert.throws(
      () => loadConfig({ MQFLEET_CONFIG: '/nonexistent/mqfleet.json' }),
      /MQFLEET_CONFIG: cannot read \/nonexistent\/mqfleet.json/,
    );
  });

  it('reads authorization rules and names the bad one', () => {
    const rules = [
      { permission: 'allow', action: 'all', clientId: 'dev-*', topics: ['devices/%c/#'] },
      { permission: 'deny', action: 'subscribe', topics: ['#'] },
    ];
    assert.deepEqual(withFile({ authorization: rules }).authorization, rules);
    fileRefused({ authorization: {} }, /"authorization" in \/etc\/mqfleet.json: must be an array/);
    fileRefused(
      { authorization: [{ permission: 'maybe', action: 'all', topics: ['#'] }] },
      /rule 0: "permission"/,
    );
    fileRefused(
      { authorization: [rules[0], { permission: 'deny', action: 'read', topics: ['#'] }] },
      /rule 1: "action"/,
    );
    fileRefused({ authorization: [{ permission: 'deny', action: 'all', topics: [] }] }, /rule 0: "topics"/);
    fileRefused(
      { authorization: [{ permission: 'deny', action: 'all', topics: ['a/#/b'] }] },
      /rule 0: topics\[0\] "#" must be/,
    );
    fileRefused(
      { authorization: [{ permission: 'deny', action: 'all', topics: ['#'], user: 'x' }] },
      /rule 0: unknown key "user"/,
    );
  });
});

describe('loadConfig: lost gateways and storage bounds', () => {
  it("reads the heartbeat, the timeout, the session expiry bound and each stream's limits", () => {
    const config = loadConfig({
      MQFLEET_GATEWAY_HEARTBEAT_MS: '500',
      MQFLEET_GATEWAY_TIMEOUT_MS: '3000',
      MQFLEET_MAX_SESSION_EXPIRY: '0',
      MQFLEET_STREAM_REPLICAS: '3',
      MQFLEET_RETAINED_STREAM_MAX_MESSAGES: '10',
      MQFLEET_QUEUE_STREAM_MAX_AGE_SECONDS: '0',
    });
    assert.equal(config.gatewayHeartbeatMs, 500);
    assert.equal(config.gatewayTimeoutMs, 3000);
    assert.equal(config.maxSessionExpiry, 0);
    assert.equal(config.streamReplicas, 3);
    assert.equal(config.streams.retained.maxMessages, 10);
    assert.equal(config.streams.retained.maxBytes, 1024 ** 3);
    assert.equal(config.streams.queue.maxAgeSeconds, 0);
  });

  it('refuses a timeout shorter than two heartbeats, naming both settings', () => {
    refused(
      { MQFLEET_GATEWAY_HEARTBEAT_MS: '2000', MQFLEET_GATEWAY_TIMEOUT_MS: '3000' },
      /MQFLEET_GATEWAY_TIMEOUT_MS \(3000\) must be at least twice MQFLEET_GATEWAY_HEARTBEAT_MS \(2000\)/,
    );
    refused({ MQFLEET_STREAM_REPLICAS: '0' }, /MQFLEET_STREAM_REPLICAS must be an integer from 1 to 5/);
    refused(
      { MQFLEET_STORED_TOPICS: 'site/+, a/#/b' },
      /MQFLEET_STORED_TOPICS: "a\/#\/b" is not a topic filter/,
    );
    refused(
      { MQFLEET_STORED_TOPICS: '$share/g/x' },
      /MQFLEET_STORED_TOPICS: "\$share\/g\/x" is a shared subscription/,
    );
    refused({ MQFLEET_EVENTS_STREAM_MAX_BYTES: '1GB' }, /MQFLEET_EVENTS_STREAM_MAX_BYTES must be an integer/);
  });

  it('the limits are keys of the configuration file too', () => {
    const config = loadConfig({ MQFLEET_CONFIG: '/cfg.json' }, () =>
      JSON.stringify({ workStreamMaxBytes: 1048576, gatewayTimeoutMs: 4000 }),
    );
    assert.equal(config.streams.work.maxBytes, 1048576);
    assert.equal(config.gatewayTimeoutMs, 4000);
  });
});

describe('the settings table (SETTINGS)', () => {
  const keys = Object.keys(SETTINGS.properties);

  it('declares each setting once: its variable and file key derive from each other', () => {
    assert.ok(keys.length >= 60);
    for (const key of keys) {
      const variable = variableOf(key);
      assert.match(variable, /^MQFLEET_[A-Z0-9_]+$/);
      assert.equal(fileKeyOf(variable), key, `${variable} ↔ "${key}"`);
      const schema = (SETTINGS.properties as Record<string, { description?: string }>)[key]!;
      assert.ok(schema.description && schema.description.length > 10, `${key} has a description`);
    }
  });

  it('every setting is accepted from the environment and from the file, and nothing else is', () => {
    for (const key of keys) {
      const variable = variableOf(key);
      refused({ [`${variable}_X`]: '1' }, new RegExp(`${variable}_X`));
      assert.throws(
        () => loadConfig({ MQFLEET_CONFIG: '/c.json' }, () => JSON.stringify({ [`${key}X`]: 1 })),
        new RegExp(`"${key}X"`),
      );
    }
  });

  it('--help prints every setting with what it must be and its default', () => {
    const reference = configReference();
    for (const key of keys) assert.match(reference, new RegExp(`^${variableOf(key)} / "${key}": `, 'm'));
    assert.match(
      reference,
      /^MQFLEET_MQTT_PORT \/ "mqttPort": .*a port number \(0-65535\) \(default 1883\)$/m,
    );
    assert.match(reference, /^MQFLEET_QUEUE_FULL_POLICY .*one of drop-oldest, drop-newest, disconnect/m);
  });

  it('the README and docs/configuration.md name every setting for readers', () => {
    const root = join(__dirname, '..', '..', '..');
    const docs =
      readFileSync(join(root, 'README.md'), 'utf8') +
      readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
    const missing = keys.map(variableOf).filter((v) => !docs.includes(`\`${v}\``) && !/_STREAM_MAX_/.test(v));
    assert.deepEqual(missing, []);
    // The stream limits are documented by their pattern.
    assert.ok(docs.includes('MQFLEET_<STREAM>_STREAM_MAX_BYTES'));
  });

  it('checks across settings on the merged values: a TLS pair split between file and environment', () => {
    const read = () => JSON.stringify({ grpcTlsCertFile: '/srv.pem' });
    // Complete once merged: the certificate from the file, its key from the environment.
    const config = loadConfig({ MQFLEET_CONFIG: '/c.json', MQFLEET_GRPC_TLS_KEY_FILE: '/srv.key' }, read);
    assert.deepEqual([config.grpcTls.certFile, config.grpcTls.keyFile], ['/srv.pem', '/srv.key']);
    // Incomplete however given: named as each source gave it.
    assert.throws(
      () => loadConfig({ MQFLEET_CONFIG: '/c.json' }, read),
      /"grpcTlsCertFile" in \/c.json and MQFLEET_GRPC_TLS_KEY_FILE must be set together/,
    );
    // A rule between two settings sees the file's value under the environment's.
    assert.throws(
      () =>
        loadConfig({ MQFLEET_CONFIG: '/c.json', MQFLEET_GATEWAY_INDEX: '2' }, () =>
          JSON.stringify({ gateways: 2 }),
        ),
      /MQFLEET_GATEWAY_INDEX \(2\) must be lower than MQFLEET_GATEWAYS \(2\)/,
    );
    assert.equal(
      loadConfig({ MQFLEET_CONFIG: '/c.json', MQFLEET_GATEWAY_INDEX: '2' }, () =>
        JSON.stringify({ gateways: 3 }),
      ).gatewayIndex,
      2,
    );
  });
});
