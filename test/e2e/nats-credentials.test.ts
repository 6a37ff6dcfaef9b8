// NATS with accounts and nkeys, as deploy/ runs it (deploy/nats/nats.conf and accounts.conf):
// a nats-server of this test's own runs a configuration made from deploy/nats/nats.conf (the
// cluster block left out, this test's port and store directory put in) that includes
// deploy/nats/accounts.conf unchanged, with nkeys made at test time by scripts/nats-nkeys.mjs
// (never committed). The services, each with its own seed, work as usual: messages cross between
// two gateways and an alteration reaches a live connection. A client without a login, with an
// nkey the server does not list, or with a user and password is refused at CONNECT: it can
// neither subscribe to the session events nor publish a forged one, which the gateway would have
// acted on (shown by the same event from the session-service's login); a gateway's login may not
// publish one either. Services given a wrong login stop
// at start saying what to check.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, ErrorCode, headers, nkeyAuthenticator, nkeys, type NatsError } from 'nats';
import mqtt from 'mqtt';
import { createLogger, logNatsErrors, subjects, type SessionEvent } from '@mqfleet/core';
import {
  deployNatsConfig,
  freePort,
  makeNatsNkeys,
  nextEvent,
  OwnNats,
  readNkeySeed,
  REPO_ROOT,
  startService,
  until,
} from '@mqfleet/testkit';
import {
  alterLive,
  asEmitter,
  messageMatching,
  publishQos1,
  startSystem,
  userProperties,
  type ReceivedMessage,
  type System,
} from './system';

describe('NATS with accounts and nkeys (deploy configuration, own nats-server)', () => {
  let dir: string;
  let nats: OwnNats;
  let system: System | undefined;
  let token: string;
  let seeds: { sessionService: string; gateway: string };
  let prefix: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mqfleet-nats-auth-'));
    // The deployment's own key tool: seeds in files, public keys as the server's variables.
    const made = makeNatsNkeys(dir);
    const { publicKeys } = made;
    assert.match(publicKeys.NATS_SESSION_SERVICE_NKEY ?? '', /^U[A-Z2-7]{55}$/);
    assert.match(publicKeys.NATS_GATEWAY_NKEY ?? '', /^U[A-Z2-7]{55}$/);
    seeds = made.seeds;

    // deploy/nats/nats.conf for one local node: this port and store, no cluster, a smaller store.
    const port = await freePort();
    const storeDir = join(dir, 'jetstream');
    nats = OwnNats.withAccounts({
      confDir: dir,
      port,
      storeDir,
      config: deployNatsConfig({ port, storeDir, maxFileStore: '1GB' }),
      env: { NATS_SERVER_NAME: 'nats-test', ...publicKeys },
    });
    await nats.start();

    system = await startSystem({
      natsUrl: nats.url,
      // The fixture drops the test's streams at the end as the session-service would log in.
      natsOptions: {
        authenticator: nkeyAuthenticator(readNkeySeed(seeds.sessionService)),
      },
      // deploy/nats/accounts.conf names the streams of the default prefix.
      natsPrefix: 'mqfleet',
      gateways: 2,
      env: { MQFLEET_NATS_NKEY_SEED_FILE: seeds.sessionService },
      gatewayEnv: {
        0: { MQFLEET_NATS_NKEY_SEED_FILE: seeds.gateway },
        1: { MQFLEET_NATS_NKEY_SEED_FILE: seeds.gateway },
      },
    });
    prefix = system.infra.natsPrefix;
    token = await system.login();
  });
  after(async () => {
    await system?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploy/k8s/nats.yaml carries deploy/nats/accounts.conf unchanged and includes it', () => {
    const manifest = readFileSync(join(REPO_ROOT, 'deploy/k8s/nats.yaml'), 'utf8');
    const block = /\n {2}accounts\.conf: \|\n((?: {4}.*\n|\n)+)/.exec(manifest);
    assert.ok(block, 'nats.yaml has an accounts.conf key');
    const text = block[1]!.replace(/^ {4}/gm, '');
    assert.equal(text, readFileSync(join(REPO_ROOT, 'deploy/nats/accounts.conf'), 'utf8'));
    assert.match(manifest, /\n {4}include \.\/accounts\.conf\n/);
  });

  it('the services work with their nkeys: messages between gateways, a live alteration', async () => {
    const sys = system!;
    const observer = await sys.mqtt('auth-observer', {}, 0);
    await observer.subscribeAsync('auth/#', { qos: 1 });
    const device = await sys.mqtt('auth-device', {}, 1);
    const publish = async (payload: string): Promise<ReceivedMessage> => {
      const arrival = messageMatching(observer, (m) => m.payload.toString() === payload);
      const ack = await publishQos1(device, 'auth/data', payload);
      assert.equal(ack.reasonCode, 0, ack.error?.message);
      return arrival;
    };
    assert.equal(userProperties(await publish('before')).fw, undefined);
    // In force on the live connection: the gateway confirmed it over the bus.
    await alterLive(sys, token, 'auth-device', { userProperties: [{ key: 'fw', value: '7' }] });
    assert.equal(userProperties(await publish('after')).fw, '7');
  });

  it('a client without a login, with an unknown nkey or a user and password is refused at CONNECT', async () => {
    const refused = async (options: Parameters<typeof connect>[0], what: string): Promise<void> => {
      await assert.rejects(
        connect({ servers: nats.url, reconnect: false, ...options }),
        (err: NatsError) => {
          assert.equal(err.code, ErrorCode.AuthorizationViolation, `${what}: ${err.message}`);
          return true;
        },
        what,
      );
    };
    await refused({}, 'no login');
    await refused(
      { authenticator: nkeyAuthenticator(nkeys.createUser().getSeed()) },
      'an nkey the server does not list',
    );
    await refused({ user: 'mqfleet', pass: 'mqfleet' }, 'a user and password');
    // A gateway's public key alone is no login: the server asks for the nonce signed by its seed.
    const gatewayPublic = nkeys.fromSeed(readNkeySeed(seeds.gateway)).getPublicKey();
    await refused({ user: gatewayPublic }, "the gateway's public key as a user name");
  });

  it('without a login nobody reads the session events or publishes a forged one; the devices see nothing of it', async () => {
    const sys = system!;
    const s = subjects(prefix);
    const victim = await sys.mqtt('auth-victim', {}, 0);
    const lifecycle: string[] = [];
    for (const event of ['close', 'disconnect', 'offline', 'end'])
      victim.on(event as 'close', () => lifecycle.push(event));
    const forged: SessionEvent = {
      eventId: 'forged-1',
      type: 'deleted',
      clientName: 'auth-victim',
      version: '999999',
      at: new Date().toISOString(),
      actor: 'ADMIN',
    };
    const forgedBody = JSON.stringify(forged);

    // The raw protocol, as an attacker on the network would speak it: CONNECT without a login,
    // then SUB to every subject of the deployment and PUB the forged deletion.
    const socket = tcpConnect({ host: '127.0.0.1', port: nats.port });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.once('error', () => undefined);
    await nextEvent(socket, 'data', 5000);
    assert.match(received, /^INFO /);
    socket.write(
      `CONNECT {"verbose":true,"pedantic":false,"protocol":1}\r\nSUB ${prefix}.> 1\r\n` +
        `PUB ${s.sessionEvent('deleted', 'auth-victim')} ${Buffer.byteLength(forgedBody)}\r\n${forgedBody}\r\nPING\r\n`,
    );
    await closed;
    assert.match(received, /-ERR 'Authorization Violation'/);
    assert.doesNotMatch(received, /\+OK|PONG|\nMSG /, 'nothing accepted, nothing delivered');

    // The same through the client library: refused before any subscription exists.
    await assert.rejects(connect({ servers: nats.url, reconnect: false }), /Authorization Violation/);

    // The victim's session is untouched: still connected, same socket, its messages flow.
    const described = await sys.api(
      'describeMqSessions',
      { clientNames: ['auth-victim'] },
      { authToken: token },
    );
    assert.equal(described.body.result.data[0].connectionStatus, 'connected');
    const echo = messageMatching(victim, (m) => m.payload.toString() === 'still here');
    await victim.subscribeAsync('auth/victim', { qos: 1 });
    await victim.publishAsync('auth/victim', 'still here', { qos: 1 });
    await echo;
    assert.equal(victim.connected, true);
    assert.deepEqual(lifecycle, []);

    // A gateway's login may not publish session events either (only the session-service does):
    // the server refuses the forged one, and the device stays.
    const gatewayLogin = await connect({
      servers: nats.url,
      authenticator: nkeyAuthenticator(readNkeySeed(seeds.gateway)),
    });
    try {
      const refused = (async () => {
        for await (const status of gatewayLogin.status()) {
          if (status.type === 'error' && status.data === ErrorCode.PermissionsViolation)
            return status.permissionContext;
        }
      })();
      const h = headers();
      h.set('Nats-Msg-Id', `${forged.eventId}-gateway`);
      gatewayLogin.publish(s.sessionEvent('deleted', 'auth-victim'), forgedBody, { headers: h });
      const context = await refused;
      assert.equal(context?.operation, 'publish');
      assert.equal(context?.subject, s.sessionEvent('deleted', 'auth-victim'));
    } finally {
      await gatewayLogin.close();
    }
    const stillEcho = messageMatching(victim, (m) => m.payload.toString() === 'still here 2');
    await victim.publishAsync('auth/victim', 'still here 2', { qos: 1 });
    await stillEcho;
    assert.equal(victim.connected, true);
    assert.deepEqual(lifecycle, []);

    // The forged event was well made: from the session-service's login, the gateway acts on it
    // and drops the connection. What guards the session events is the login.
    const insider = await connect({
      servers: nats.url,
      authenticator: nkeyAuthenticator(readNkeySeed(seeds.sessionService)),
    });
    try {
      const gone = nextEvent(asEmitter(victim), 'close', 10_000);
      const h = headers();
      h.set('Nats-Msg-Id', forged.eventId);
      insider.publish(s.sessionEvent('deleted', 'auth-victim'), forgedBody, { headers: h });
      await insider.flush();
      await gone;
    } finally {
      await insider.close();
    }
  });

  it("a gateway's login may not wipe, shrink or delete streams; what gateways do to them still works", async () => {
    const sys = system!;
    const s = subjects(prefix);
    // What the gateways do to streams under these rules: a retained message cleared (a purge by
    // subject of _RETAINED) and an offline queue parked and taken (_QUEUE, records put and purged
    // by subject in _QUEUE_PARKED), across the two gateways.
    const setter = await sys.mqtt('auth-retainer', {}, 0);
    await setter.publishAsync('auth/retained', 'kept', { qos: 1, retain: true });
    await setter.publishAsync('auth/retained', '', { qos: 1, retain: true });
    const late = await sys.mqtt('auth-late-reader', {}, 1);
    const retained: string[] = [];
    late.on('message', (topic) => retained.push(topic));
    await late.subscribeAsync('auth/retained', { qos: 1 });
    const persistent = { clean: false, properties: { sessionExpiryInterval: 600 } };
    const offline = await sys.mqtt('auth-offline', persistent, 0);
    await offline.subscribeAsync('auth/queued', { qos: 1 });
    await offline.endAsync();
    const ack = await publishQos1(setter, 'auth/queued', 'while away');
    assert.equal(ack.reasonCode, 0, ack.error?.message);
    // Listening before CONNACK: the queue follows it at once.
    const back = mqtt.connect(`mqtt://127.0.0.1:${sys.gateways[1]!.port}`, {
      clientId: 'auth-offline',
      protocolVersion: 5,
      reconnectPeriod: 0,
      ...persistent,
    });
    try {
      await messageMatching(back, (m) => m.payload.toString() === 'while away');
    } finally {
      back.end(true);
    }
    // The retained message was cleared: a new subscriber got nothing (the probe below arrived).
    const probe = messageMatching(late, (m) => m.payload.toString() === 'probe');
    await setter.publishAsync('auth/retained', 'probe', { qos: 1 });
    await probe;
    assert.deepEqual(retained, ['auth/retained'], 'only the probe, no retained message');
    for (const proc of sys.processes)
      assert.doesNotMatch(proc.lines.join('\n'), /[Pp]ermissions? [Vv]iolation/, proc.name);

    // The stolen gateway seed against the streams.
    const insider = await connect({
      servers: nats.url,
      authenticator: nkeyAuthenticator(readNkeySeed(seeds.sessionService)),
    });
    const gatewayLogin = await connect({
      servers: nats.url,
      authenticator: nkeyAuthenticator(readNkeySeed(seeds.gateway)),
    });
    try {
      const adminJsm = await insider.jetstreamManager();
      const eventsBefore = await adminJsm.streams.info(s.eventsStream);
      assert.ok(eventsBefore.state.messages > 0, 'the session events are there to be wiped');
      // What the services log of a refusal (core logNatsErrors), collected: the subjects refused.
      const lines: string[] = [];
      void logNatsErrors(
        gatewayLogin,
        createLogger('attacker', 'warn', {}, (line) => lines.push(line)),
        'stolen',
      );
      const violations = (): string[] =>
        lines
          .map((line) => JSON.parse(line) as { msg: string; subject?: string })
          .filter((l) => l.msg === 'NATS refused it: permissions violation')
          .map((l) => l.subject ?? '');
      const jsm = await gatewayLogin.jetstreamManager({ timeout: 2000 });
      const refused = async (
        what: string,
        subject: string,
        attempt: () => Promise<unknown>,
      ): Promise<void> => {
        const outcome = await attempt().then(
          () => 'allowed',
          (err: Error) => err.message,
        );
        assert.notEqual(outcome, 'allowed', what);
        await until(() => violations().includes(subject), 5000).catch(() => {
          throw new Error(
            `${what}: no permissions violation logged for ${subject} (${outcome}; logged: ${lines.join(' ')})`,
          );
        });
      };
      await refused('purge the session events', `$JS.API.STREAM.PURGE.${s.eventsStream}`, () =>
        jsm.streams.purge(s.eventsStream),
      );
      await refused('purge the MQ API messages', `$JS.API.STREAM.PURGE.${s.mqApiStream}`, () =>
        jsm.streams.purge(s.mqApiStream),
      );
      await refused('shrink the session events', `$JS.API.STREAM.UPDATE.${s.eventsStream}`, () =>
        jsm.streams.update(s.eventsStream, { ...eventsBefore.config, max_msgs: 1 }),
      );
      await refused('delete a session event', `$JS.API.STREAM.MSG.DELETE.${s.eventsStream}`, () =>
        jsm.streams.deleteMessage(s.eventsStream, eventsBefore.state.first_seq),
      );
      await refused('delete the offline queue stream', `$JS.API.STREAM.DELETE.${s.queueStream}`, () =>
        jsm.streams.delete(s.queueStream),
      );
      // Nor may it tell the session-services of login checks (to reset a guesser's counters).
      gatewayLogin.publish(
        s.loginThrottle,
        JSON.stringify({ outcome: 'succeeded', username: 'ADMIN', address: '10.9.9.9', origin: 'x' }),
      );
      await until(() => violations().includes(s.loginThrottle), 5000);
      // Nothing of it happened.
      const eventsAfter = await adminJsm.streams.info(s.eventsStream);
      assert.ok(eventsAfter.state.messages >= eventsBefore.state.messages);
      assert.equal(eventsAfter.state.first_seq, eventsBefore.state.first_seq);
      assert.equal(eventsAfter.config.max_msgs, eventsBefore.config.max_msgs);
      await adminJsm.streams.info(s.queueStream);
      // The same seed still reads (a gateway must): the stream's description.
      assert.equal((await jsm.streams.info(s.eventsStream)).config.name, s.eventsStream);
    } finally {
      await gatewayLogin.close();
      await insider.close();
    }
  });

  it('a service with a wrong login or none stops at start, saying what to check', async () => {
    const sys = system!;
    const wrongSeed = join(dir, 'wrong.nk');
    writeFileSync(wrongSeed, `${new TextDecoder().decode(nkeys.createUser().getSeed())}\n`);
    await assert.rejects(
      startService('session-service', {
        ...sys.env,
        MQFLEET_GRPC_PORT: String(await freePort()),
        MQFLEET_NATS_NKEY_SEED_FILE: wrongSeed,
      }),
      (err: Error) => {
        assert.match(err.message, /exited \(code 1\)/);
        assert.match(
          err.message,
          /NATS at nats:\/\/127\.0\.0\.1:\d+ refused the login of mqfleet-session-service .*MQFLEET_NATS_NKEY_SEED_FILE is not one the server accepts/,
        );
        return true;
      },
    );
    await assert.rejects(
      startService('connection-gateway', {
        ...sys.env,
        MQFLEET_NATS_NKEY_SEED_FILE: '',
        MQFLEET_MQTT_PORT: String(await freePort()),
        MQFLEET_GATEWAY_ID: 'no-login',
      }),
      (err: Error) => {
        assert.match(err.message, /exited \(code 1\)/);
        assert.match(err.message, /asks for a login .*set MQFLEET_NATS_NKEY_SEED_FILE/);
        return true;
      },
    );
    // A seed file that holds no seed is a configuration error named by its setting.
    const notASeed = join(dir, 'not-a-seed.nk');
    writeFileSync(notASeed, 'UAK2TULI64ALHXQOM2K5RKTLGWHSA6JAUAUFNGZCHU3JK2F3H6HKFUBG\n');
    await assert.rejects(
      startService('connection-gateway', {
        ...sys.env,
        MQFLEET_NATS_NKEY_SEED_FILE: notASeed,
        MQFLEET_MQTT_PORT: String(await freePort()),
        MQFLEET_GATEWAY_ID: 'not-a-seed',
      }),
      /MQFLEET_NATS_NKEY_SEED_FILE ".*not-a-seed\.nk" does not hold a NATS user nkey seed/,
    );
    // The running services were not disturbed.
    const res = await sys.api('listMqSessions', {}, { authToken: token });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
  });
});
