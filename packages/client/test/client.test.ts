import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MqfleetError } from '@mqfleet/core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createInfra,
  FAKE_GATEWAYS_ENV,
  freePort,
  startService,
  startTlsSessionService,
  type Infra,
  type ServiceProcess,
  type TestCertificates,
  type TlsSessionService,
} from '@mqfleet/testkit';
import { CallError, MqfleetClient, Transport, v1 } from '../src/index';

/** A real session-service (own database and NATS prefix) for one describe block; `env` adds to its environment. */
function sessionService(env: Record<string, string> = {}): { address: () => string } {
  let infra: Infra;
  let service: ServiceProcess;
  let address = '';
  before(async () => {
    infra = await createInfra();
    const port = await freePort();
    service = await startService('session-service', {
      DATABASE_URL: infra.databaseUrl,
      NATS_URL: infra.natsUrl,
      MQFLEET_NATS_PREFIX: infra.natsPrefix,
      MQFLEET_GRPC_PORT: String(port),
      ...env,
    });
    address = `127.0.0.1:${port}`;
  });
  after(async () => {
    await service.stop();
    await infra.close();
  });
  return { address: () => address };
}

describe('MqfleetClient against a real session-service', () => {
  const service = sessionService();
  let address: string;
  before(() => {
    address = service.address();
  });

  test('login, then typed errors with stable codes', async () => {
    await assert.rejects(
      MqfleetClient.login(address, 'ADMIN', 'nope'),
      (err: MqfleetError) => err.code === 'BAD_PASSWORD',
    );
    const mq = await MqfleetClient.login(address, 'ADMIN', 'ADMIN');
    try {
      await assert.rejects(
        mq.alterSession('ghost', { keepAliveSeconds: 5 }),
        (err: MqfleetError) => err.code === 'NOT_FOUND',
      );
      await assert.rejects(
        mq.listSessions({ sortBy: 'nope' }),
        (err: MqfleetError) => err.code === 'INVALID_VALUE',
      );
      assert.deepEqual(await mq.describeSessions(['ghost']), []);
      assert.deepEqual((await mq.listSessions()).sessions, []);
    } finally {
      mq.close();
    }
  });

  test('a bad token is BAD_TOKEN; an unreachable service is UNAVAILABLE after retries', async () => {
    const bad = new MqfleetClient(address, 'not-a-token');
    await assert.rejects(bad.listSessions(), (err: MqfleetError) => err.code === 'BAD_TOKEN');
    bad.close();
    const nowhere = new MqfleetClient(`127.0.0.1:${await freePort()}`, 'x', { deadlineMs: 2000, retries: 1 });
    await assert.rejects(nowhere.describeSessions(['a']), (err: MqfleetError) =>
      ['UNAVAILABLE', 'TIMEOUT'].includes(err.code),
    );
    nowhere.close();
  });
});

describe('MqfleetClient over mutual TLS', () => {
  let server: TlsSessionService;
  let certs: TestCertificates;
  let address: string;

  before(async () => {
    server = await startTlsSessionService(['ops-bot']);
    ({ certs, address } = server);
  });
  after(() => server?.close());

  test('logs in and calls with a client certificate; without one it cannot reach the service', async () => {
    const ca = readFileSync(certs.caFile);
    const tls = {
      ca,
      cert: readFileSync(certs.clients['ops-bot']!.certFile),
      key: readFileSync(certs.clients['ops-bot']!.keyFile),
    };
    const mq = await MqfleetClient.login(address, 'ADMIN', 'ADMIN', { tls });
    try {
      assert.deepEqual((await mq.listSessions({})).sessions, []);
    } finally {
      mq.close();
    }
    for (const options of [{ tls: { ca } }, {}]) {
      await assert.rejects(
        MqfleetClient.login(address, 'ADMIN', 'ADMIN', { ...options, retries: 0, deadlineMs: 2000 }),
        (err: MqfleetError) => err.code === 'UNAVAILABLE',
      );
    }
  });
});

describe('every public RPC through MqfleetClient, gateway calls through the Transport', () => {
  const INTERNAL_TOKEN = 'client-test-internal';
  const service = sessionService({ MQFLEET_INTERNAL_TOKEN: INTERNAL_TOKEN, ...FAKE_GATEWAYS_ENV });
  let address: string;
  before(() => {
    address = service.address();
  });

  const open = (transport: Transport, clientName: string) =>
    transport.unary(
      v1.SessionService.service.OpenSession,
      {
        clientName,
        gatewayId: 'gw-client-test',
        connectionId: `c-${clientName}`,
        ipAddress: '127.0.0.1',
        declared: { mqttProtocol: '5.0', keepAliveSeconds: 60, sessionExpiryInterval: 4294967295 },
      },
      { metadata: transport.internal },
    );

  test('the transport sends the internal token and caller metadata; a wrong token is BAD_TOKEN', async () => {
    const gateway = new Transport(address, { internalToken: INTERNAL_TOKEN });
    const stranger = new Transport(address, { internalToken: 'wrong' });
    try {
      gateway.setCallerMetadata('x-mqfleet-gateway', 'gw-client-test');
      assert.equal(gateway.internal.get('x-mqfleet-internal')[0], INTERNAL_TOKEN);
      assert.equal(gateway.internal.get('x-mqfleet-gateway')[0], 'gw-client-test');
      for (const name of ['dev-1', 'dev-2', 'dev-3']) {
        assert.equal((await open(gateway, name)).refusal, 'OPEN_REFUSAL_NONE');
      }
      await assert.rejects(open(stranger, 'dev-4'), (err: CallError) => {
        assert.ok(err instanceof MqfleetError);
        assert.equal(err.code, 'BAD_TOKEN');
        assert.equal(err.grpcCode, 16); // UNAUTHENTICATED
        return true;
      });
      // A page of names with the deadline and metadata of the call.
      const names = await gateway.unary(
        v1.SessionService.service.ListSessionNames,
        { after: '', limit: 10 },
        { metadata: gateway.internal, deadlineMs: 3000, idempotent: true },
      );
      assert.deepEqual([...names.clientNames].sort(), ['dev-1', 'dev-2', 'dev-3']);
      // ListGateways: internal callers and administrators only.
      const gateways = v1.SessionService.service.ListGateways;
      assert.ok(Array.isArray((await gateway.unary(gateways, {}, { metadata: gateway.internal })).gateways));
      for (const metadata of [undefined, stranger.internal]) {
        await assert.rejects(gateway.unary(gateways, {}, { metadata }), (err: CallError) => {
          assert.equal(err.code, 'BAD_TOKEN');
          return true;
        });
      }
    } finally {
      gateway.close();
      stranger.close();
    }
  });

  test('SessionService', async () => {
    const mq = await MqfleetClient.login(address, 'ADMIN', 'ADMIN');
    try {
      const [described] = await mq.describeSessions(['dev-1']);
      assert.equal(described?.clientName, 'dev-1');
      const listed = await mq.listSessions({ sortBy: 'clientName', maxRecords: 2 });
      assert.deepEqual(
        listed.sessions.map((s) => s.clientName),
        ['dev-1', 'dev-2'],
      );
      assert.notEqual(listed.nextCursor, '');

      const altered = await mq.alterSession('dev-1', { keepAliveSeconds: 77 }, described!.version);
      assert.deepEqual(altered.changedFields, ['keepAliveSeconds']);
      assert.equal(altered.session?.settings?.keepAliveSeconds, 77);
      await assert.rejects(
        mq.alterSession('dev-1', { keepAliveSeconds: 78 }, described!.version),
        (err: CallError) => {
          assert.equal(err.code, 'VERSION_CONFLICT');
          return true;
        },
      );
      await assert.rejects(mq.alterSession('dev-1', { keepAliveSeconds: 70000 }), (err: CallError) => {
        assert.equal(err.code, 'INVALID_VALUE');
        assert.equal(err.property, 'keepAliveSeconds');
        assert.match(err.message, /keepAliveSeconds/);
        return true;
      });

      const bulk = await mq.alterSessions({ partialClientName: 'dev-' }, { keepAliveSeconds: 90 });
      assert.equal(bulk.matched, 3);

      const audit = await mq.sessionAudit('dev-1');
      assert.ok(
        audit.some((e) => e.changesJson.includes('keepAliveSeconds')),
        JSON.stringify(audit),
      );

      const subscribed = await mq.changeSubscriptions({
        clientName: 'dev-2',
        add: [{ topicFilter: 'fleet/+/cmd', qos: 1 }],
      });
      assert.deepEqual(
        subscribed.session?.subscriptions.map((s) => s.topicFilter),
        ['fleet/+/cmd'],
      );

      assert.ok(Array.isArray(await mq.listGateways()));

      const created = await mq.createMqApiSession('', { keepAliveSeconds: 15 });
      assert.match(created.clientName, /^mqapi-/);
      assert.equal(created.sessionType, 'mqApi');
      assert.equal(created.settings?.keepAliveSeconds, 15);
      await assert.rejects(mq.createMqApiSession('dev-1'), (err: CallError) => err.code === 'ALREADY_EXISTS');
      // Nothing kept yet (no gateway runs here to store any); an MQTT session is not read this way.
      const read = await mq.getMessages(created.clientName, { maxMessages: 10 });
      assert.deepEqual(read.messages, []);
      assert.equal(read.remaining, '0');
      await assert.rejects(mq.getMessages('dev-1'), (err: CallError) => {
        assert.equal(err.code, 'INVALID_VALUE');
        assert.match(err.message, /MQTT session/);
        return true;
      });
      const history = await mq.getTopicMessages('fleet/a', { startFrom: 'head' });
      assert.deepEqual([history.messages.length, history.kept, history.stored], [0, '0', false]);
      await assert.rejects(mq.getTopicMessages('fleet/a', { startFrom: 'soon' }), (err: CallError) => {
        assert.equal(err.code, 'INVALID_VALUE');
        assert.equal(err.property, 'startFrom');
        return true;
      });

      const deleted = await mq.deleteSession('dev-3', true);
      assert.equal(deleted.deleted, true);
      assert.deepEqual(await mq.describeSessions(['dev-3']), []);
    } finally {
      mq.close();
    }
  });

  test('AuthService and AccountService', async () => {
    const mq = await MqfleetClient.login(address, 'ADMIN', 'ADMIN');
    try {
      assert.deepEqual(await mq.whoAmI(), { username: 'ADMIN', role: 'admin' });
      const second = await mq.createToken({ username: 'ADMIN', password: 'ADMIN', description: 'second' });
      const tokens = await mq.describeTokens();
      assert.ok(tokens.some((t) => t.description === 'second' && !t.current));
      assert.ok(tokens.some((t) => t.current));

      const other = new MqfleetClient(address, second.token);
      assert.deepEqual(await other.deleteToken(), { found: true });
      assert.deepEqual(await other.deleteToken(), { found: false });
      await assert.rejects(other.whoAmI(), (err: CallError) => err.code === 'BAD_TOKEN');
      other.close();

      await mq.createAccount({ username: 'ops', password: 'pw-1', role: 'user' });
      await assert.rejects(
        mq.createAccount({ username: 'OPS', password: 'pw-2', role: 'user' }),
        (err: CallError) => err.code === 'ALREADY_EXISTS',
      );
      assert.deepEqual(
        (await mq.listAccounts('op')).map((a) => [a.username, a.role]),
        [['ops', 'user']],
      );
      const ops = await MqfleetClient.login(address, 'ops', 'pw-1');
      try {
        await assert.rejects(ops.listAccounts(), (err: CallError) => err.code === 'ADMIN_REQUIRED');
        await mq.alterAccount({ username: 'ops', role: 'admin' });
        assert.equal((await ops.whoAmI()).role, 'admin');
        await mq.deleteAccount('ops');
        await assert.rejects(ops.whoAmI(), (err: CallError) => err.code === 'BAD_TOKEN');
      } finally {
        ops.close();
      }
    } finally {
      mq.close();
    }
  });

  test('LabelService', async () => {
    const mq = await MqfleetClient.login(address, 'ADMIN', 'ADMIN');
    try {
      const created = await mq.createLabel({ group: 'site', name: 'berlin' });
      const id = created.label!.id;
      await mq.createLabel({ group: 'site', name: 'paris' });
      await assert.rejects(
        mq.createLabel({ group: 'site', name: 'berlin' }),
        (err: CallError) => err.code === 'ALREADY_EXISTS',
      );
      const altered = await mq.alterLabel({ key: { id }, newName: 'hamburg' });
      assert.equal(altered.label?.name, 'hamburg');
      assert.deepEqual(
        (await mq.listLabels({ groupFilter: ['site'] })).map((l) => l.name),
        ['hamburg', 'paris'],
      );
      assert.ok((await mq.listLabelGroups()).includes('site'));
      const changed = await mq.changeLabels({
        changes: [{ key: { group: 'site', name: 'paris' }, delete: true }],
      });
      assert.deepEqual(
        changed.originals.map((l) => l.name),
        ['paris'],
      );
      assert.deepEqual(
        (await mq.listLabels({ groupFilter: ['site'] })).map((l) => l.name),
        ['hamburg'],
      );
    } finally {
      mq.close();
    }
  });
  test('Topics: administrators only; a topic filter is not a topic name', async () => {
    const mq = await MqfleetClient.login(address, 'ADMIN', 'ADMIN');
    try {
      assert.deepEqual(await mq.listTopics(), []);
      assert.deepEqual(await mq.listTopics({ partialName: 'plant/', maxRecords: 5 }), []);
      assert.deepEqual(await mq.describeTopics(['plant/a/temp']), []);
      await assert.rejects(
        mq.describeTopics(['plant/+/temp']),
        (err: CallError) => err.code === 'INVALID_VALUE' && err.property === 'topics[0]',
      );
      await assert.rejects(
        mq.listTopics({ maxRecords: 10_001 }),
        (err: CallError) => err.code === 'INVALID_VALUE',
      );
      await mq.createAccount({ username: 'viewer', password: 'pw', role: 'user' });
      const viewer = await MqfleetClient.login(address, 'viewer', 'pw');
      try {
        await assert.rejects(viewer.listTopics(), (err: CallError) => err.code === 'ADMIN_REQUIRED');
        await assert.rejects(viewer.listGateways(), (err: CallError) => err.code === 'ADMIN_REQUIRED');
        await assert.rejects(
          viewer.describeTopics(['plant/a/temp']),
          (err: CallError) => err.code === 'ADMIN_REQUIRED',
        );
      } finally {
        viewer.close();
      }
    } finally {
      mq.close();
    }
  });
  test("the README's example runs as written", () => {
    const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
    const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, 'README.md has the example');
    // Inside the package folder, so that '@mqfleet/client' is the package itself (its dist).
    const dir = mkdtempSync(join(__dirname, '../.readme-'));
    try {
      writeFileSync(join(dir, 'example.ts'), example);
      const out = execFileSync(process.execPath, ['--import', 'tsx', join(dir, 'example.ts')], {
        env: { ...process.env, MQFLEET_SESSION_SERVICE: address },
        encoding: 'utf8',
      });
      assert.match(out, /^logged in as ADMIN \(admin\)$/m);
      assert.match(out, /^dev-1 \d+$/m);
      assert.match(out, /^changed \[ 'keepAliveSeconds' \]/m);
      assert.match(out, /^no such session$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
