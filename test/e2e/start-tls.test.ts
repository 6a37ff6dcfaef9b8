// `npm start` (scripts/start.mjs) and TLS: outside production it generates a self-signed
// development certificate under the data dir, says so, and serves MQTT over TLS and WebSocket
// with it; in production mode it never makes one. Runs the launcher itself against this test's
// own database and NATS prefix.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { createInfra, freePort, REPO_ROOT, type Infra } from '@mqfleet/testkit';
import { run, withTimeout, type Run } from './run-command';
import { START } from './start-command';

interface Launch {
  launcher: Run;
  ports: Record<'mqtt' | 'mqtts' | 'ws' | 'wss' | 'http' | 'grpc', number>;
  dataDir: string;
}

async function launch(infra: Infra, env: Record<string, string> = {}): Promise<Launch> {
  const ports = {
    mqtt: await freePort(),
    mqtts: await freePort(),
    ws: await freePort(),
    wss: await freePort(),
    http: await freePort(),
    grpc: await freePort(),
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'mqfleet-start-'));
  const launcher = run(process.execPath, [START], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: infra.databaseUrl,
      NATS_URL: infra.natsUrl,
      MQFLEET_NATS_PREFIX: infra.natsPrefix,
      MQFLEET_HOST: '127.0.0.1',
      MQFLEET_DATA_DIR: dataDir,
      MQFLEET_MQTT_PORT: String(ports.mqtt),
      MQFLEET_MQTTS_PORT: String(ports.mqtts),
      MQFLEET_WS_PORT: String(ports.ws),
      MQFLEET_WSS_PORT: String(ports.wss),
      MQFLEET_HTTP_PORT: String(ports.http),
      MQFLEET_GRPC_PORT: String(ports.grpc),
      MQFLEET_METRICS_PORT: '0',
      ...env,
    },
  });
  return { launcher, ports, dataDir };
}

async function stop(launch: Launch | undefined): Promise<void> {
  if (!launch) return;
  const { child } = launch.launcher;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await withTimeout(launch.launcher.exited, 30000, 'npm start stopping');
  }
  rmSync(launch.dataDir, { recursive: true, force: true });
}

describe('npm start and TLS', () => {
  const infras: Infra[] = [];
  let current: Launch | undefined;
  after(async () => {
    await stop(current);
    for (const infra of infras) await infra.close();
  });

  it('development: generates a self-signed certificate, says so, and serves TLS and WebSocket with it', async () => {
    const infra = await createInfra();
    infras.push(infra);
    current = await launch(infra);
    const { launcher, ports, dataDir } = current;
    await launcher.waitForOutput(/\[mqfleet\] ready:/, 60000);
    const certFile = join(dataDir, 'tls', 'dev-cert.pem');
    assert.ok(existsSync(certFile), 'the certificate is under the data dir');
    assert.ok(existsSync(join(dataDir, 'tls', 'dev-key.pem')));
    assert.match(launcher.output(), /self-signed DEVELOPMENT certificate generated: .*dev-cert\.pem/);
    assert.match(launcher.output(), new RegExp(`MQTT over TLS on 127\\.0\\.0\\.1:${ports.mqtts}`));
    assert.match(launcher.output(), new RegExp(`MQTT over secure WebSocket on 127\\.0\\.0\\.1:${ports.wss}`));
    // npm start names every service's /metrics (free ports here: MQFLEET_METRICS_PORT=0).
    await launcher.waitForOutput(/\[mqfleet\] metrics .*connection-gateway-0 http:/, 10000);
    const urls = [
      ...launcher
        .output()
        .matchAll(/(session-service|api-gateway|connection-gateway-0) (http:\S+\/metrics)/g),
    ];
    assert.deepEqual(urls.map((m) => m[1]).sort(), [
      'api-gateway',
      'connection-gateway-0',
      'session-service',
    ]);
    for (const [, service, url] of urls) {
      const scrape = await fetch(url!.replace(/,$/, ''));
      assert.equal(scrape.status, 200, `${service} ${url}`);
      assert.match(
        await scrape.text(),
        new RegExp(`process_resident_memory_bytes\\{service="${service!.replace(/-0$/, '')}"\\}`),
      );
    }

    // The generated certificate is a trust anchor clients can use (--cafile).
    const ca = readFileSync(certFile);
    const overTls = await mqtt.connectAsync(`mqtts://localhost:${ports.mqtts}`, {
      ca,
      reconnectPeriod: 0,
      clientId: 'start-tls',
    });
    const overWss = await mqtt.connectAsync(`wss://localhost:${ports.wss}/mqtt`, {
      ca,
      reconnectPeriod: 0,
      clientId: 'start-wss',
    });
    await overWss.subscribeAsync('start/tls', { qos: 1 });
    const received = new Promise<string>((resolve) =>
      overWss.once('message', (_t, p) => resolve(p.toString())),
    );
    await overTls.publishAsync('start/tls', 'hello', { qos: 1 });
    assert.equal(await withTimeout(received, 10000, 'message over wss'), 'hello');
    await overTls.endAsync();
    await overWss.endAsync();
    await stop(current);
    current = undefined;
  });

  it('production: no self-signed certificate, TLS off, and it says so', async () => {
    const infra = await createInfra();
    infras.push(infra);
    current = await launch(infra, {
      NODE_ENV: 'production',
      MQFLEET_ADMIN_PASSWORD: 'start-tls-test-password',
      MQFLEET_INTERNAL_TOKEN: 'start-tls-test-token',
    });
    const { launcher, dataDir, ports } = current;
    await launcher.waitForOutput(/\[mqfleet\] ready:/, 60000);
    assert.match(launcher.output(), /TLS off: production mode/);
    assert.equal(existsSync(join(dataDir, 'tls')), false);
    assert.doesNotMatch(launcher.output(), /MQTT over TLS on/);
    assert.match(launcher.output(), new RegExp(`MQTT over WebSocket on 127\\.0\\.0\\.1:${ports.ws}`));
    await stop(current);
    current = undefined;
  });
});
