// SUBSCRIBE/UNSUBSCRIBE are stored through the session-service before SUBACK/UNSUBACK; when
// storing fails the filters are refused (MQTT 5 0x80 Unspecified error, MQTT 3.1.1 0x80) and
// the connection keeps working.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { endClient, mqttClient, nextMessage, startCluster, type Cluster } from './helpers';

describe('gateway subscriptions and the session-service', () => {
  let cluster: Cluster;
  let port: number;

  before(async () => {
    cluster = await startCluster();
    ({ port } = await cluster.startGateway());
  });
  after(() => cluster.close());

  test('SUBACK reports 0x80 for filters the session-service could not store', async () => {
    const v5 = await mqttClient(port, { clientId: 'store-v5', protocolVersion: 5 });
    const v4 = await mqttClient(port, { clientId: 'store-v4', protocolVersion: 4 });
    try {
      assert.equal((await v5.subscribeAsync('stored/#', { qos: 1 }))[0]?.qos, 1);
      assert.equal((await v4.subscribeAsync('stored4/#', { qos: 1 }))[0]?.qos, 1);

      await cluster.sessionService.stop();

      // MQTT.js rejects a SUBACK with failure codes; the packet is on the error.
      const refused5 = await v5.subscribeAsync({ 'later/#': { qos: 1 }, 'later2/+': { qos: 0 } }).then(
        () => assert.fail('SUBACK without failure codes'),
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
      );
      assert.deepEqual(refused5, [0x80, 0x80]);
      const refused4 = await v4.subscribeAsync('later4/#', { qos: 1 }).then(
        (granted) => granted.map((g) => g.qos),
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
      );
      assert.deepEqual(refused4, [0x80]);

      // The subscriptions stored before still deliver (routing needs no session-service).
      const got = nextMessage(v5);
      await v4.publishAsync('stored/x', 'still here', { qos: 1 });
      assert.equal((await got).payload.toString(), 'still here');
    } finally {
      await endClient(v5);
      await endClient(v4);
    }
  });
});
