import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  DEFAULT_ADMIN_PASSWORD,
  DEFAULT_GATEWAYS,
  DEFAULT_GRPC_DEADLINE_MS,
  DEFAULT_GRPC_PORT,
  DEFAULT_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_MQTTS_PORT,
  DEFAULT_MQTT_PORT,
  DEFAULT_NATS_PREFIX,
  DEFAULT_WS_PORT,
  loadConfig,
} from '../src/config';

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
      httpPort: DEFAULT_HTTP_PORT,
      grpcPort: DEFAULT_GRPC_PORT,
      gateways: DEFAULT_GATEWAYS,
      gatewayIndex: 0,
      gatewayId: undefined,
      sessionServiceAddress: `${DEFAULT_HOST}:${DEFAULT_GRPC_PORT}`,
      adminPassword: DEFAULT_ADMIN_PASSWORD,
      adminPasswordIsDefault: true,
      internalToken: undefined,
      allowAnonymous: true,
      applyTimeoutMs: 1000,
      maxPacketSize: 1048576,
      healthIntervalMs: 2000,
      statsTimeoutMs: 500,
      maxQueuedMessages: 1000,
      natsPrefix: DEFAULT_NATS_PREFIX,
      databaseUrl: undefined,
      natsUrl: undefined,
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
    const config = loadConfig({
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
    });
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
  });

  it('refuses an unknown MQFLEET_ variable by name', () => {
    refused({ MQFLEET_MQTT_PROT: '1883' }, /MQFLEET_MQTT_PROT/);
    refused({ MQFLEET_HOST: 'h', MQFLEET_LOGLEVEL: 'info', MQFLEET_X: '' }, /MQFLEET_LOGLEVEL, MQFLEET_X/);
    refused({ MQFLEET_: '1' }, /unknown configuration variable/);
    assert.doesNotThrow(() => loadConfig({ MQFLEETX: '1', OTHER_MQFLEET_HOST: '1' }));
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
