// Authorization rules are checked where they apply, not only at SUBSCRIBE (docs/configuration.md,
// "Authorization rules"; docs/security.md): user names match rules whatever their case, as logins
// do; subscriptions restored at CONNECT are checked against the rules in force then; and
// subscribeToMq and alterMqSession wills are checked against the rules of the session's user. Each
// attack runs against the real services and fails, while the legitimate path keeps working.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { startService, until } from '@mqfleet/testkit';
import {
  endClient,
  messageMatching,
  publishQos1,
  recordMessages,
  startSystem,
  type ReceivedMessage,
  type System,
} from './system';
import { rawConnect } from './raw-mqtt';

const NOT_AUTHORIZED = 0x87;

type Rule = Record<string, unknown>;

/** A MQFLEET_CONFIG file with these rules (rewritten by `write`). */
function configFile(): { path: string; write(rules: Rule[]): void; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mqfleet-rules-'));
  const path = join(dir, 'mqfleet.json');
  return {
    path,
    write: (rules) => writeFileSync(path, JSON.stringify({ authorization: rules })),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function account(system: System, username: string): Promise<void> {
  const res = await system.api(
    'createAccount',
    { username, password: `${username.toLowerCase()}-secret`, role: 'user' },
    { api: 'admin', authToken: await system.login() },
  );
  assert.equal(res.body.errorCode, 0, res.body.errorMessage);
}

const as = (username: string): IClientOptions => ({
  username,
  password: `${username.toLowerCase()}-secret`,
});

/** The SUBACK's codes (granted QoS or a failure code), also when MQTT.js reports a refusal. */
async function subackCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    const granted = (err as { packet?: { granted?: number[] } }).packet?.granted;
    if (!granted) throw err;
    return granted;
  }
}

/** Every message `client` received before a probe it publishes to itself comes back. */
async function everythingReceived(
  client: MqttClient,
  received: ReceivedMessage[],
  probeTopic: string,
): Promise<string[]> {
  await client.subscribeAsync(probeTopic, { qos: 1 });
  const probe = messageMatching(client, (m) => m.topic === probeTopic);
  await publishQos1(client, probeTopic, 'probe');
  await probe;
  return received.filter((m) => m.topic !== probeTopic).map((m) => `${m.topic}=${m.payload.toString()}`);
}

describe('rules hold whatever the case of the user name, and for subscribeToMq and alterMqSession wills', () => {
  let system: System;
  let token: string;
  const config = configFile();

  before(async () => {
    config.write([
      { permission: 'deny', action: 'all', username: 'Mallory', topics: ['#'] },
      { permission: 'allow', action: 'all', username: 'carol', topics: ['users/%u/#'] },
      { permission: 'deny', action: 'all', topics: ['users/#'] },
      { permission: 'allow', action: 'all', topics: ['#'] },
    ]);
    system = await startSystem({ env: { MQFLEET_CONFIG: config.path, MQFLEET_MAXIMUM_QOS: '1' } });
    token = await system.login();
    await account(system, 'mallory');
    await account(system, 'carol');
  });
  after(async () => {
    await system?.close();
    config.remove();
  });

  it('a rule "deny username Mallory" holds for MALLORY, mallory and mAlLoRy', async () => {
    for (const username of ['MALLORY', 'mallory', 'mAlLoRy']) {
      const client = await system.mqtt(`case-${username}`, as(username));
      assert.equal((await publishQos1(client, 'public/x', 'hi')).reasonCode, NOT_AUTHORIZED, username);
      assert.deepEqual(await subackCodes(client, ['public/#']), [NOT_AUTHORIZED], username);
      await endClient(client);
    }
    // Everyone else still publishes there.
    const other = await system.mqtt('case-other');
    assert.equal((await publishQos1(other, 'public/x', 'hi')).reasonCode, 0);
    await endClient(other);
  });

  it('%u is the lower-case user name: CAROL gets users/carol/#, not a users/CAROL/# tree of its own', async () => {
    const carol = await system.mqtt('case-carol', as('CAROL'));
    const received = recordMessages(carol);
    assert.deepEqual(await subackCodes(carol, ['users/carol/#', 'users/CAROL/#']), [1, NOT_AUTHORIZED]);
    assert.equal((await publishQos1(carol, 'users/CAROL/x', 'nope')).reasonCode, NOT_AUTHORIZED);
    assert.equal((await publishQos1(carol, 'users/carol/x', 'mine')).reasonCode, 0);
    assert.deepEqual(await everythingReceived(carol, received, 'users/carol/probe'), ['users/carol/x=mine']);
    await endClient(carol);
  });

  it("subscribeToMq refuses a filter the session's user may not subscribe to (12041)", async () => {
    const carol = await system.mqtt('rules-carol', as('Carol'));
    // A filter none of whose topics carol may read is refused; one she may read in part (users/#)
    // would be granted with a check per message, as her own SUBSCRIBE would (read-rules.test.ts).
    const refused = await system.api(
      'subscribeToMq',
      {
        clientName: 'rules-carol',
        subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'users/dave/#' }],
      },
      { authToken: token },
    );
    assert.equal(refused.body.errorCode, 12041, refused.body.errorMessage);
    assert.match(refused.body.errorMessage, /users\/dave\/#/);
    const shared = await system.api(
      'subscribeToMq',
      {
        clientName: 'rules-carol',
        subscriptionActions: [{ subscriptionAction: 'add', topicFilter: '$share/g/users/dave/+' }],
      },
      { authToken: token },
    );
    assert.equal(shared.body.errorCode, 12041, 'a shared subscription is judged by its filter');

    // Her own tree is allowed, and delivered to her at QoS 1 at most (the server's maximum).
    const allowed = await system.api(
      'subscribeToMq',
      {
        clientName: 'rules-carol',
        subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'users/carol/admin' }],
      },
      { authToken: token },
    );
    assert.equal(allowed.body.errorCode, 0, allowed.body.errorMessage);
    const subscriptions = allowed.body.result.subscriptions as { topicFilter: string; qos: number }[];
    assert.deepEqual(
      subscriptions.map((s) => [s.topicFilter, s.qos]),
      [['users/carol/admin', 1]],
    );
    const got = messageMatching(carol, (m) => m.topic === 'users/carol/admin');
    const publisher = await system.mqtt('rules-carol-pub', as('carol'));
    await publishQos1(publisher, 'users/carol/admin', 'for carol');
    assert.equal((await got).payload.toString(), 'for carol');
    await endClient(publisher);
    await endClient(carol);
  });

  it("alterMqSession refuses a will the session's user could not have declared", async () => {
    const carol = await system.mqtt('will-carol', {
      ...as('carol'),
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    });
    const alter = (changes: Record<string, unknown>) =>
      system.api('alterMqSession', { clientName: 'will-carol', ...changes }, { authToken: token });
    const topic = await alter({ willTopic: 'users/mallory/will', willPayload: 'x' });
    assert.equal(topic.body.errorCode, 12041, topic.body.errorMessage);
    assert.match(topic.body.errorMessage, /users\/mallory\/will/);
    const qos = await alter({ willTopic: 'users/carol/will', willQoS: 2 });
    assert.equal(qos.body.errorCode, 12012, qos.body.errorMessage);
    assert.match(qos.body.errorMessage, /willQoS.*maximum QoS/);
    const [unchanged] = (
      await system.api('describeMqSessions', { clientNames: ['will-carol'] }, { authToken: token })
    ).body.result.data;
    assert.ok(!unchanged.willTopic, 'the refused alterations changed nothing');

    const ok = await alter({ willTopic: 'users/carol/will', willQoS: 1 });
    assert.equal(ok.body.errorCode, 0, ok.body.errorMessage);
    assert.equal(ok.body.result.willTopic, 'users/carol/will');

    // The bulk action judges the topic per matching session, with each session's own user.
    const bulk = (willTopic: string) =>
      system.api(
        'alterMqSessions',
        { filter: { partialClientName: 'will-carol' }, changes: { willTopic } },
        { authToken: token },
      );
    const refused = await bulk('users/mallory/bulk');
    assert.equal(refused.body.errorCode, 12041, refused.body.errorMessage);
    assert.match(refused.body.errorMessage, /will-carol/);
    const [still] = (
      await system.api('describeMqSessions', { clientNames: ['will-carol'] }, { authToken: token })
    ).body.result.data;
    assert.equal(still.willTopic, 'users/carol/will', 'the refused bulk alteration changed nothing');
    const allowed = await bulk('users/carol/bulk');
    assert.equal(allowed.body.errorCode, 0, allowed.body.errorMessage);
    const [after] = (
      await system.api('describeMqSessions', { clientNames: ['will-carol'] }, { authToken: token })
    ).body.result.data;
    assert.equal(after.willTopic, 'users/carol/bulk');
    await endClient(carol);
  });
});

describe('subscriptions restored at CONNECT are checked against the rules in force', () => {
  let system: System;
  const config = configFile();

  before(async () => {
    config.write([{ permission: 'allow', action: 'all', topics: ['#'] }]);
    system = await startSystem({ env: { MQFLEET_CONFIG: config.path } });
  });
  after(async () => {
    await system?.close();
    config.remove();
  });

  it('a stored subscription the new rules refuse is dropped: it delivers nothing, queued or live', async () => {
    const persistent = { clean: false, properties: { sessionExpiryInterval: 3600 } };
    const first = await rawConnect(system.gateways[0]!.port, { clientId: 'restored', ...persistent });
    assert.deepEqual(await first.subscribe('secret/a', 1), [1]);
    assert.deepEqual(await first.subscribe('public/a', 1), [1]);
    // One message of each filter reaches it and is never acknowledged: in flight when it goes,
    // saved with the session and resent at its next CONNECT, if the rules then allow it.
    const earlier = await system.mqtt('restored-earlier');
    assert.equal((await publishQos1(earlier, 'secret/a', 'inflight secret')).reasonCode, 0);
    assert.equal((await publishQos1(earlier, 'public/a', 'inflight public')).reasonCode, 0);
    await endClient(earlier);
    await until(() => first.unacked.size === 2);
    await first.disconnect();
    // An MQ API session with the same two subscriptions (its owner: ADMIN).
    const token = await system.login();
    const api = async (action: string, params: Record<string, unknown>) => {
      const res = await system.api(action, params, { authToken: token });
      assert.equal(res.body.errorCode, 0, `${action}: ${res.body.errorMessage}`);
      return res.body.result;
    };
    await api('createMqApiSession', { clientName: 'restored-api' });
    await api('subscribeToMq', {
      clientName: 'restored-api',
      subscriptionActions: ['secret/a', 'public/a'].map((topicFilter) => ({
        subscriptionAction: 'add',
        topicFilter,
        qos: 1,
      })),
    });

    // The rules change (the file is edited, the gateway restarted): secret/# may not be read.
    config.write([
      { permission: 'deny', action: 'subscribe', topics: ['secret/#'] },
      { permission: 'allow', action: 'all', topics: ['#'] },
    ]);
    await system.gateways[0]!.process.stop();
    await system.startGateway(0);

    // Published while the session is offline: both land in its offline queue.
    const publisher = await system.mqtt('restored-publisher');
    assert.equal((await publishQos1(publisher, 'secret/a', 'queued secret')).reasonCode, 0);
    assert.equal((await publishQos1(publisher, 'public/a', 'queued public')).reasonCode, 0);

    const client = mqtt.connect(`mqtt://127.0.0.1:${system.gateways[0]!.port}`, {
      clientId: 'restored',
      protocolVersion: 5,
      reconnectPeriod: 0,
      ...persistent,
    });
    const received = recordMessages(client);
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    assert.equal(connack.sessionPresent, true);
    // Live, after the resume: still nothing from secret/a.
    assert.equal((await publishQos1(publisher, 'secret/a', 'live secret')).reasonCode, 0);
    assert.equal((await publishQos1(publisher, 'public/a', 'live public')).reasonCode, 0);
    await endClient(publisher);
    const got = await everythingReceived(client, received, 'restored/probe');
    assert.ok(!got.some((m) => m.startsWith('secret/')), JSON.stringify(got));
    assert.ok(
      got.includes('public/a=inflight public') &&
        got.includes('public/a=queued public') &&
        got.includes('public/a=live public'),
      JSON.stringify(got),
    );

    // The MQ API session kept only what its rules allow now.
    const kept = (await api('getMessagesFromMqApiSession', { clientName: 'restored-api', maxMessages: 100 }))
      .data as { topic: string }[];
    assert.deepEqual(
      kept.map((m) => m.topic),
      ['public/a', 'public/a'],
    );

    // The stored session no longer has it either.
    await until(async () => {
      const [session] = (
        await system.api(
          'describeMqSessions',
          { clientNames: ['restored'], includeSubscribedTopics: true },
          { authToken: token },
        )
      ).body.result.data;
      const filters = (session.subscriptions as { topicFilter: string }[]).map((s) => s.topicFilter);
      return !filters.includes('secret/a') && filters.includes('public/a');
    });
    client.end(true);

    // The session-service reads the rules at its start too: it removes the refused filter from
    // the stored MQ API session, whose gateway already kept nothing for it.
    const subscribedOf = async (clientName: string): Promise<string[]> => {
      const [session] = (
        await system.api(
          'describeMqSessions',
          { clientNames: [clientName], includeSubscribedTopics: true },
          { authToken: token },
        )
      ).body.result.data;
      return (session.subscriptions as { topicFilter: string }[]).map((s) => s.topicFilter).sort();
    };
    assert.deepEqual(await subscribedOf('restored-api'), ['public/a', 'secret/a'], 'before the restart');
    await system.sessionService.stop();
    system.sessionService = await startService('session-service', system.env);
    system.processes.push(system.sessionService);
    await until(async () => {
      const filters = await subscribedOf('restored-api').catch(() => []);
      return filters.length === 1 && filters[0] === 'public/a';
    }, 20000);
  });
});
