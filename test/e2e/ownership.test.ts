// Client ids belong to someone (docs/mqtt.md, "Client ids belong to someone"; docs/security.md):
// a persistent session remembers the user name whose CONNECT created it, and a CONNECT of its
// client id from another user name (or anonymous) does not inherit its subscriptions, offline
// queue or will. The attacks are performed against the real services with MQTT.js; the owner's
// own reconnects keep working.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  endClient,
  messageMatching,
  publishQos1,
  recordMessages,
  startSystem,
  type ReceivedMessage,
  type System,
} from './system';
import { until } from '@mqfleet/testkit';

const NOT_AUTHORIZED = 0x87;

interface Connected {
  code: number;
  sessionPresent: boolean;
  client: MqttClient | undefined;
  /** Every message the client received, from its first packet on. */
  received: ReceivedMessage[];
}

/** Connects once (no reconnect): the CONNACK code (0 accepted) and Session Present. */
async function connectOnce(port: number, options: IClientOptions): Promise<Connected> {
  const client = mqtt.connect({
    host: '127.0.0.1',
    port,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    protocolVersion: 5,
    ...options,
  });
  // Recorded at once: an offline queue is sent right behind the CONNACK.
  const received = recordMessages(client);
  return new Promise<Connected>((resolve, reject) => {
    client.once('connect', (connack) =>
      resolve({ code: 0, sessionPresent: connack.sessionPresent, client, received }),
    );
    client.once('error', (err: Error & { code?: number }) => {
      client.end(true);
      if (typeof err.code === 'number')
        resolve({ code: err.code, sessionPresent: false, client: undefined, received });
      else reject(err);
    });
  });
}

const persistent = (
  clientId: string,
  username: string | undefined,
  protocolVersion: 4 | 5 = 5,
): IClientOptions => ({
  clientId,
  protocolVersion,
  clean: false,
  ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {}),
  ...(username === undefined ? {} : { username, password: `${username.toLowerCase()}-secret` }),
});

async function accounts(system: System, names: string[]): Promise<void> {
  const token = await system.login();
  for (const username of names) {
    const res = await system.api(
      'createAccount',
      { username, password: `${username}-secret`, role: 'user' },
      { api: 'admin', authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
  }
}

/**
 * The owner's persistent session with a QoS 1 subscription to `topic`, left with one message in
 * its offline queue.
 */
async function sessionWithQueuedMessage(
  system: System,
  clientId: string,
  username: string | undefined,
  topic: string,
): Promise<void> {
  const port = system.gateways[0]!.port;
  const owner = await connectOnce(port, persistent(clientId, username));
  assert.equal(owner.code, 0);
  await owner.client!.subscribeAsync(topic, { qos: 1 });
  await endClient(owner.client!);
  const publisher = await system.mqtt(`pub-${clientId}`);
  const { reasonCode } = await publishQos1(publisher, topic, `for ${clientId}`);
  assert.equal(reasonCode, 0);
  await endClient(publisher);
}

/**
 * Waits until `client` has received everything that was sent before a probe it publishes to
 * itself (deliveries of one connection keep their order): then returns what it received.
 */
async function everythingReceived({ client, received }: Connected, probeTopic: string): Promise<string[]> {
  assert.ok(client);
  await client.subscribeAsync(probeTopic, { qos: 1 });
  const probe = messageMatching(client, (m) => m.topic === probeTopic);
  await publishQos1(client, probeTopic, 'probe');
  await probe;
  return received.filter((m) => m.topic !== probeTopic).map((m) => m.payload.toString());
}

describe('client ids belong to someone: MQFLEET_CLIENT_ID_OWNERSHIP=refuse (the default)', () => {
  let system: System;
  let port: number;

  before(async () => {
    system = await startSystem({
      env: { MQFLEET_MQTT_MAY_USE_MQ_API_NAMES: 'true', MQFLEET_ANSWER_FIRST: 'always' },
    });
    port = system.gateways[0]!.port;
    await accounts(system, ['alice', 'bob']);
  });
  after(async () => {
    await system?.close();
  });

  it("refuses another user's CONNECT with 0x87 (3.1.1: return code 5); the owner keeps its session", async () => {
    await sessionWithQueuedMessage(system, 'own-alice', 'alice', 'own/alice');
    const asBob = await connectOnce(port, persistent('own-alice', 'bob'));
    assert.equal(asBob.code, NOT_AUTHORIZED);
    const asBob311 = await connectOnce(port, persistent('own-alice', 'bob', 4));
    assert.equal(asBob311.code, 5);
    // Anonymous (no user name): refused too, also on the answer-first path
    // (MQFLEET_ANSWER_FIRST=always, Session Expiry 0, Clean Start).
    const anonymous = await connectOnce(port, { clientId: 'own-alice', protocolVersion: 5 });
    assert.equal(anonymous.code, NOT_AUTHORIZED);

    const [described] = (
      await system.api(
        'describeMqSessions',
        { clientNames: ['own-alice'] },
        { authToken: await system.login() },
      )
    ).body.result.data;
    assert.equal(described.lastFailedConnectionReason, 'the client id belongs to another user');

    // The owner, whatever case it types its user name in, gets its session and its message.
    const owner = await connectOnce(port, persistent('own-alice', 'ALICE'));
    assert.equal(owner.code, 0);
    assert.equal(owner.sessionPresent, true);
    const got = await everythingReceived(owner, 'own/alice-probe');
    assert.deepEqual(got, ['for own-alice']);
    await endClient(owner.client!);
  });

  it("refuses a named user the id of an anonymous client's session, and an anonymous client a named one's", async () => {
    await sessionWithQueuedMessage(system, 'own-anon', undefined, 'own/anon');
    assert.equal((await connectOnce(port, persistent('own-anon', 'bob'))).code, NOT_AUTHORIZED);
    const anonymous = await connectOnce(port, persistent('own-anon', undefined));
    assert.equal(anonymous.code, 0);
    assert.equal(anonymous.sessionPresent, true);
    assert.deepEqual(await everythingReceived(anonymous, 'own/anon-probe'), ['for own-anon']);
    await endClient(anonymous.client!);

    await sessionWithQueuedMessage(system, 'own-bob', 'bob', 'own/bob');
    assert.equal((await connectOnce(port, persistent('own-bob', undefined))).code, NOT_AUTHORIZED);
  });

  it("refuses another account's MQ API session, over MQTT and over the JSON API", async () => {
    const login = async (username: string): Promise<string> => {
      const res = await system.api(
        'createSession',
        { username, password: `${username}-secret` },
        { api: 'admin' },
      );
      assert.equal(res.body.errorCode, 0, res.body.errorMessage);
      return res.body.authToken as string;
    };
    const alice = await login('alice');
    const bob = await login('bob');
    const created = await system.api('createMqApiSession', { clientName: 'own-api' }, { authToken: alice });
    assert.equal(created.body.errorCode, 0, created.body.errorMessage);

    // MQTT CONNECT as bob (MQFLEET_MQTT_MAY_USE_MQ_API_NAMES=true lets MQTT use MQ API names).
    assert.equal((await connectOnce(port, persistent('own-api', 'bob'))).code, NOT_AUTHORIZED);
    assert.equal((await connectOnce(port, persistent('own-api', undefined))).code, NOT_AUTHORIZED);
    // JSON API as bob: neither made again nor subscribed for him.
    const again = await system.api('createMqApiSession', { clientName: 'own-api' }, { authToken: bob });
    assert.equal(again.body.errorCode, 12020);
    const subscribed = await system.api(
      'subscribeToMq',
      { clientName: 'own-api', subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'own/#' }] },
      { authToken: bob },
    );
    assert.equal(subscribed.body.errorCode, 12030);

    // Its owner may connect to it over MQTT.
    const owner = await connectOnce(port, persistent('own-api', 'alice'));
    assert.equal(owner.code, 0);
    await endClient(owner.client!);
  });
});

describe('client ids belong to someone: MQFLEET_CLIENT_ID_OWNERSHIP=clean-start', () => {
  let system: System;
  let port: number;

  before(async () => {
    system = await startSystem({ env: { MQFLEET_CLIENT_ID_OWNERSHIP: 'clean-start' } });
    port = system.gateways[0]!.port;
    await accounts(system, ['alice', 'bob']);
  });
  after(async () => {
    await system?.close();
  });

  it("gives another user's CONNECT a new session: session present 0, nothing of the owner's", async () => {
    await sessionWithQueuedMessage(system, 'clean-alice', 'alice', 'clean/alice');
    const asBob = await connectOnce(port, persistent('clean-alice', 'bob'));
    assert.equal(asBob.code, 0);
    assert.equal(asBob.sessionPresent, false);
    // Neither the queued message nor the subscription: a new message to alice's topic does not
    // reach bob either (the probe is published after it, on the same connection's order).
    const publisher = await system.mqtt('clean-publisher');
    assert.equal((await publishQos1(publisher, 'clean/alice', 'after the take-over')).reasonCode, 0);
    await endClient(publisher);
    assert.deepEqual(await everythingReceived(asBob, 'clean/bob-probe'), []);
    // The session-service stores subscriptions behind the SUBACK (docs/mqtt.md): wait for that
    // write, then the stored session must hold bob's subscription and nothing of alice's.
    const adminToken = await system.login();
    const filters = await until(async () => {
      const [described] = (
        await system.api(
          'describeMqSessions',
          { clientNames: ['clean-alice'], includeSubscribedTopics: true },
          { authToken: adminToken },
        )
      ).body.result.data;
      const stored = (described.subscriptions as { topicFilter: string }[]).map((x) => x.topicFilter);
      return stored.length > 0 && stored;
    });
    assert.deepEqual(filters, ['clean/bob-probe'], "only bob's own subscription");
    await endClient(asBob.client!);

    // Now bob's: bob resumes it; alice in turn gets a clean start.
    const bobAgain = await connectOnce(port, persistent('clean-alice', 'bob'));
    assert.equal(bobAgain.sessionPresent, true);
    await endClient(bobAgain.client!);
    const alice = await connectOnce(port, persistent('clean-alice', 'alice'));
    assert.equal(alice.code, 0);
    assert.equal(alice.sessionPresent, false);
    await endClient(alice.client!);
  });
});
