// A SUBSCRIBE/UNSUBSCRIBE is in force on the gateway as it is read and stored by the
// session-service behind the acknowledgement (src/writer.ts): while the session-service is away
// the client's subscriptions are granted and route messages, and once it is back they are stored
// (retried until they land), so a resumed session gets them back. Closes owed meanwhile land too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import type { Gateway } from '../src/index';
import { endClient, mqttClient, nextMessage, startCluster, type Cluster } from './helpers';

describe('gateway subscriptions and the session-service', () => {
  let cluster: Cluster;
  let gateway: Gateway;
  let port: number;

  before(async () => {
    cluster = await startCluster();
    ({ gateway, port } = await cluster.startGateway());
  });
  after(() => cluster.close());

  const storedFilters = async (clientName: string): Promise<string[] | undefined> => {
    try {
      const { sessions } = await gateway.sessions.describeSessions([clientName]);
      return sessions[0]?.subscriptions.map((s) => s.topicFilter).sort();
    } catch {
      return undefined;
    }
  };

  test('while the session-service is away: granted, in force at once, stored when it is back', async () => {
    const v5 = await mqttClient(port, {
      clientId: 'store-v5',
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    });
    const v4 = await mqttClient(port, { clientId: 'store-v4', protocolVersion: 4, clean: false });
    const gone = await mqttClient(port, { clientId: 'store-gone', protocolVersion: 4 });
    try {
      assert.equal((await v5.subscribeAsync('stored/#', { qos: 1 }))[0]?.qos, 1);
      assert.equal((await v4.subscribeAsync('stored4/#', { qos: 1 }))[0]?.qos, 1);

      await cluster.sessionService.stop();

      // Granted without the session-service, and in force at once.
      const granted5 = await v5.subscribeAsync({ 'later/#': { qos: 1 }, 'later2/+': { qos: 0 } });
      assert.deepEqual(
        granted5.map((g) => g.qos),
        [1, 0],
      );
      assert.deepEqual(
        (await v4.subscribeAsync('later4/#', { qos: 1 })).map((g) => g.qos),
        [1],
      );
      const got = nextMessage(v5);
      await v4.publishAsync('later/x', 'routed', { qos: 1 });
      assert.equal((await got).payload.toString(), 'routed');
      // An UNSUBSCRIBE stops deliveries at once too.
      await v5.unsubscribeAsync('stored/#');
      const next = nextMessage(v5);
      await v4.publishAsync('stored/x', 'not for v5', { qos: 1 });
      await v4.publishAsync('later/y', 'for v5', { qos: 1 });
      assert.equal((await next).topic, 'later/y');
      // A connection that ends meanwhile owes its close.
      await endClient(gone);

      await cluster.restartSessionService();

      // The writes owed land: the stored lists follow what the clients did.
      await until(async () => {
        const filters = await storedFilters('store-v5');
        return filters?.join() === 'later/#,later2/+';
      }, 20000);
      await until(async () => (await storedFilters('store-v4'))?.join() === 'later4/#,stored4/#', 20000);
      await until(
        async () => (await gateway.sessions.describeSessions(['store-gone'])).sessions.length === 0,
        20000,
      );
      assert.ok(gateway.writer.retries > 0, 'the writes were retried');
    } finally {
      await endClient(v5);
      await endClient(v4);
    }
    // Resumed: the stored subscriptions are back.
    const again = await mqttClient(port, {
      clientId: 'store-v5',
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    });
    try {
      const sender = await mqttClient(port, { clientId: 'store-sender' });
      const got = nextMessage(again);
      await sender.publishAsync('later2/z', 'after resume', { qos: 0 });
      assert.equal((await got).payload.toString(), 'after resume');
      await endClient(sender);
    } finally {
      await endClient(again);
    }
  });
});
