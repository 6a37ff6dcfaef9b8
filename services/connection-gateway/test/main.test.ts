// The service as operators run it: dist/main.js logs "ready", serves MQTT and exits 0 on SIGTERM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startService, type ServiceProcess } from '@mqfleet/testkit';
import { endClient, mqttClient, startCluster, type Cluster } from './helpers';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(async () => {
  await cluster?.close();
});

test('main.js: ready line, MQTT served, SIGTERM exits 0', async () => {
  const port = await freePort();
  let gateway: ServiceProcess | undefined;
  try {
    gateway = await startService('connection-gateway', {
      NATS_URL: cluster.infra.natsUrl,
      MQFLEET_NATS_PREFIX: cluster.infra.natsPrefix,
      MQFLEET_SESSION_SERVICE: cluster.grpcAddress,
      MQFLEET_MQTT_PORT: String(port),
      MQFLEET_HOST: '127.0.0.1',
    });
    const ready = JSON.parse(gateway.lines.find((l) => l.includes('"msg":"ready"'))!) as { port: number };
    assert.equal(ready.port, port);
    const client = await mqttClient(port, { protocolVersion: 5, clientId: 'main-smoke' });
    await endClient(client);
    assert.equal(await gateway.stop('SIGTERM'), 0);
  } finally {
    await gateway?.stop('SIGKILL');
  }
});
