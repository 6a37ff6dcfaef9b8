// TLS to NATS (MQFLEET_NATS_TLS_*), end to end: a nats-server of this test's own that requires
// TLS with client certificates (verify) and the nkey logins of deploy/nats/accounts.conf, with a
// CA, certificates and nkeys made at test time. The services, given the CA, their client
// certificate and their seeds, work as usual; a client without TLS, without a client certificate,
// or with one another CA signed is refused even with a valid nkey; a service without the CA stops
// at start, saying which setting to set.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, nkeyAuthenticator, type ConnectionOptions } from 'nats';
import {
  freePort,
  makeNatsNkeys,
  makeTestCertificates,
  OwnNats,
  readNkeySeed,
  startService,
  type TestCertificates,
} from '@mqfleet/testkit';
import { alterLive, messageMatching, publishQos1, startSystem, userProperties, type System } from './system';

describe('TLS to NATS with client certificates (own nats-server)', () => {
  let dir: string;
  let certs: TestCertificates;
  let nats: OwnNats;
  let system: System | undefined;
  let seeds: { sessionService: string; gateway: string };
  let serviceLogin: ConnectionOptions;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mqfleet-nats-tls-'));
    certs = makeTestCertificates(['mqfleet-service']);
    const made = makeNatsNkeys(dir);
    seeds = made.seeds;
    const port = await freePort();
    const storeDir = join(dir, 'jetstream');
    nats = OwnNats.withAccounts({
      confDir: dir,
      port,
      storeDir,
      config: [
        'host: 127.0.0.1',
        `port: ${port}`,
        `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
        'tls {',
        `  cert_file: ${JSON.stringify(certs.serverCertFile)}`,
        `  key_file: ${JSON.stringify(certs.serverKeyFile)}`,
        `  ca_file: ${JSON.stringify(certs.caFile)}`,
        '  verify: true',
        '}',
        'include ./accounts.conf',
        '',
      ].join('\n'),
      env: made.publicKeys,
    });
    await nats.start();

    const client = certs.clients['mqfleet-service']!;
    const tls = {
      MQFLEET_NATS_TLS_CA_FILE: certs.caFile,
      MQFLEET_NATS_TLS_CERT_FILE: client.certFile,
      MQFLEET_NATS_TLS_KEY_FILE: client.keyFile,
    };
    serviceLogin = {
      authenticator: nkeyAuthenticator(readNkeySeed(seeds.sessionService)),
      tls: {
        ca: readFileSync(certs.caFile, 'utf8'),
        cert: readFileSync(client.certFile, 'utf8'),
        key: readFileSync(client.keyFile, 'utf8'),
      },
    };
    system = await startSystem({
      natsUrl: nats.url,
      natsOptions: serviceLogin,
      env: { ...tls, MQFLEET_NATS_NKEY_SEED_FILE: seeds.sessionService },
      gatewayEnv: { 0: { MQFLEET_NATS_NKEY_SEED_FILE: seeds.gateway } },
    });
  });
  after(async () => {
    await system?.close();
    await nats?.stop();
    certs?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the services work over TLS: a message, a live alteration', async () => {
    const sys = system!;
    const token = await sys.login();
    const observer = await sys.mqtt('tls-observer');
    await observer.subscribeAsync('tls/#', { qos: 1 });
    const device = await sys.mqtt('tls-device');
    await alterLive(sys, token, 'tls-device', { userProperties: [{ key: 'fw', value: '9' }] });
    const arrival = messageMatching(observer, (m) => m.payload.toString() === 'over tls');
    assert.equal((await publishQos1(device, 'tls/data', 'over tls')).reasonCode, 0);
    assert.equal(userProperties(await arrival).fw, '9');
  });

  it('a valid nkey is not enough: no TLS, no client certificate or a foreign one is refused', async () => {
    const { tls, ...nkeyOnly } = serviceLogin;
    const attempts: [string, ConnectionOptions][] = [
      ['no TLS', nkeyOnly],
      ['no client certificate', { ...nkeyOnly, tls: { ca: tls!.ca! } }],
      [
        'a certificate another CA signed',
        {
          ...nkeyOnly,
          tls: {
            ca: tls!.ca!,
            cert: readFileSync(certs.foreign.certFile, 'utf8'),
            key: readFileSync(certs.foreign.keyFile, 'utf8'),
          },
        },
      ],
    ];
    for (const [what, options] of attempts) {
      await assert.rejects(
        connect({ servers: nats.url, reconnect: false, timeout: 5000, ...options }),
        (err: Error) => {
          assert.ok(err instanceof Error, what);
          return true;
        },
        what,
      );
    }
    // The full login still works.
    const nc = await connect({ servers: nats.url, reconnect: false, ...serviceLogin });
    await nc.close();
  });

  it('a service without the CA stops at start, saying which setting to set', async () => {
    await assert.rejects(
      startService('session-service', {
        ...system!.env,
        MQFLEET_GRPC_PORT: String(await freePort()),
        MQFLEET_NATS_TLS_CA_FILE: '',
        MQFLEET_NATS_TLS_CERT_FILE: '',
        MQFLEET_NATS_TLS_KEY_FILE: '',
      }),
      (err: Error) => {
        assert.match(err.message, /exited \(code 1\)/);
        assert.match(
          err.message,
          /NATS at nats:\/\/127\.0\.0\.1:\d+ speaks TLS and its certificate was not accepted .*set MQFLEET_NATS_TLS_CA_FILE to the CA that signed it/,
        );
        return true;
      },
    );
  });
});
