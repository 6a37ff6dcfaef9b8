// Guessing costs the guesser (issue 15, docs/security.md): failed logins are throttled per username
// at an address and per address, a login flood cannot starve device CONNECTs, and the legitimate
// path keeps working. Each flood comes from its own loopback address (127.0.0.x: Linux routes the
// whole 127/8 to lo), so the throttle sees distinct sources without another machine.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { IClientOptions } from 'mqtt';
import * as grpc from '@grpc/grpc-js';
import { AuthServiceClient } from '@mqfleet/proto';
import { connackCode, until } from '@mqfleet/testkit';
import { startSystem, type System } from './system';

const BAD_USERNAME_OR_PASSWORD = 0x86;
const CONNECTION_RATE_EXCEEDED = 0x9f;
const TOO_MANY_ATTEMPTS = 12042;
const BAD_PASSWORD = 12033;
const BUSY = 12043;

/** One MQTT 5 CONNECT from `localAddress` (no reconnect): the CONNACK code, 0 when accepted. */
const connackFrom = (port: number, localAddress: string, options: IClientOptions): Promise<number> =>
  connackCode(port, { protocolVersion: 5, ...options }, localAddress);

/** createSession through POST /api from `localAddress`: errorCode and errorMessage. */
function createSessionFrom(
  httpPort: number,
  localAddress: string,
  username: string,
  password: string,
): Promise<{ errorCode: number; errorMessage: string; authToken?: string }> {
  const body = JSON.stringify({ api: 'admin', action: 'createSession', params: { username, password } });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: httpPort,
        localAddress,
        method: 'POST',
        path: '/api',
        headers: { 'content-type': 'application/json' },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The seconds an errorMessage says to wait ("try again in N s"). */
function retrySeconds(message: string): number {
  const m = /try again in (\d+) s/.exec(message);
  assert.ok(m, `no delay in: ${message}`);
  return Number(m[1]);
}

describe('login throttling', () => {
  let system: System;
  let port: number;

  before(async () => {
    // Few free failures, so the test hashes little (a hash is a few hundred milliseconds of CPU).
    system = await startSystem({
      env: { MQFLEET_LOGIN_FREE_FAILURES: '2', MQFLEET_LOGIN_ADDRESS_FREE_FAILURES: '4' },
    });
    port = system.gateways[0]!.port;
    const token = await system.login();
    for (const [username, password] of [
      ['victim', 'right-pass-1'],
      ['meter', 'meter-pass-1'],
    ]) {
      const res = await system.api(
        'createAccount',
        { username, password, role: 'user' },
        { api: 'admin', authToken: token },
      );
      assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    }
  });
  after(async () => {
    await system?.close();
  });

  it('an MQTT password flood for one account is refused unchecked (0x9F) while devices keep connecting', async () => {
    // A device of this address logged in before the flood.
    assert.equal(
      await connackFrom(port, '127.0.0.1', {
        clientId: 'meter-1',
        username: 'meter',
        password: 'meter-pass-1',
      }),
      0,
    );

    let flooding = true;
    const served = { anonymous: 0, password: 0, failed: 0 };
    const devices = (async () => {
      for (let i = 0; flooding; i++) {
        const anonymous = await connackFrom(port, '127.0.0.1', { clientId: `device-${i}` });
        const withPassword = await connackFrom(port, '127.0.0.1', {
          clientId: 'meter-1',
          username: 'meter',
          password: 'meter-pass-1',
        });
        if (anonymous === 0) served.anonymous++;
        else served.failed++;
        if (withPassword === 0) served.password++;
        else served.failed++;
      }
    })();

    const codes: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 30; i++) {
      codes.push(
        await connackFrom(port, '127.0.0.9', {
          clientId: `guess-${i}`,
          username: 'victim',
          password: `guess-${i}`,
        }),
      );
    }
    const floodMs = Date.now() - started;
    // Right after the flood its delay runs. MQTT 3.1.1 has no reason code for it: return code 3
    // (server unavailable).
    const v4 = await connackFrom(port, '127.0.0.9', {
      clientId: 'guess-v4',
      protocolVersion: 4,
      username: 'victim',
      password: 'guess',
    });
    // The right password from the flooding address waits like the guesses (0x9F): it is not checked.
    const same = await connackFrom(port, '127.0.0.9', {
      clientId: 'victim-2',
      username: 'victim',
      password: 'right-pass-1',
    });
    // The right password from another address gets in during the flood.
    const other = await connackFrom(port, '127.0.0.2', {
      clientId: 'victim-1',
      username: 'victim',
      password: 'right-pass-1',
    });
    // Verified now, the credential is accepted from the cache wherever it comes from: whoever sends
    // it knows the password, so nothing is being guessed.
    const cached = await connackFrom(port, '127.0.0.9', {
      clientId: 'victim-2',
      username: 'victim',
      password: 'right-pass-1',
    });
    flooding = false;
    await devices;

    // Two free failures and the third checked, then refusals without a check.
    assert.deepEqual(codes.slice(0, 3), Array(3).fill(BAD_USERNAME_OR_PASSWORD), codes.join(','));
    const refused = codes.filter((c) => c === CONNECTION_RATE_EXCEEDED).length;
    assert.ok(refused >= 20, `only ${refused} of 30 guesses were refused unchecked: ${codes.join(',')}`);
    assert.equal(other, 0);
    assert.equal(same, CONNECTION_RATE_EXCEEDED);
    assert.equal(cached, 0);
    assert.equal(v4, 3);
    assert.equal(served.failed, 0);
    assert.ok(
      served.anonymous >= 3 && served.password >= 3,
      `devices served during ${floodMs} ms: ${JSON.stringify(served)}`,
    );
  });

  it('createSession guesses get growing delays (12042) and the right password from elsewhere still logs in', async () => {
    const guess = (address: string) => createSessionFrom(system.httpPort, address, 'victim', 'wrong-guess');
    for (let i = 0; i < 3; i++) assert.equal((await guess('127.0.0.10')).errorCode, BAD_PASSWORD);
    const first = await guess('127.0.0.10');
    assert.equal(first.errorCode, TOO_MANY_ATTEMPTS, first.errorMessage);
    const firstDelay = retrySeconds(first.errorMessage);
    // Once the delay has passed a guess is checked again (and fails), and the next delay is longer.
    await until(async () => (await guess('127.0.0.10')).errorCode === BAD_PASSWORD, 30_000, 100);
    const second = await guess('127.0.0.10');
    assert.equal(second.errorCode, TOO_MANY_ATTEMPTS, second.errorMessage);
    assert.ok(
      retrySeconds(second.errorMessage) > firstDelay,
      `${first.errorMessage} / ${second.errorMessage}`,
    );

    const here = await createSessionFrom(system.httpPort, '127.0.0.10', 'victim', 'right-pass-1');
    assert.equal(
      here.errorCode,
      TOO_MANY_ATTEMPTS,
      'the flooding address is not checked, even with the right password',
    );
    const elsewhere = await createSessionFrom(system.httpPort, '127.0.0.11', 'victim', 'right-pass-1');
    assert.equal(elsewhere.errorCode, 0, elsewhere.errorMessage);
  });

  it('guesses spread over usernames are throttled per address; an account that logged in from there before still does', async () => {
    const address = '127.0.0.12';
    assert.equal((await createSessionFrom(system.httpPort, address, 'meter', 'meter-pass-1')).errorCode, 0);
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push((await createSessionFrom(system.httpPort, address, `nobody-${i}`, 'x')).errorCode);
    }
    // MQFLEET_LOGIN_ADDRESS_FREE_FAILURES=4: four free, the fifth checked, then a delay of 1 s in
    // which the next attempts are refused unchecked (each a cheap round trip, well inside it).
    assert.deepEqual(codes, Array(5).fill(BAD_PASSWORD), codes.join(','));
    const stranger = await createSessionFrom(system.httpPort, address, 'victim', 'right-pass-1');
    assert.equal(stranger.errorCode, TOO_MANY_ATTEMPTS, stranger.errorMessage);
    assert.match(stranger.errorMessage, /from this address/);
    const spray = await createSessionFrom(system.httpPort, address, 'nobody-6', 'x');
    assert.equal(spray.errorCode, TOO_MANY_ATTEMPTS, spray.errorMessage);
    const known = await createSessionFrom(system.httpPort, address, 'meter', 'meter-pass-1');
    assert.equal(known.errorCode, 0, known.errorMessage);
  });
});

describe('the hashing pool under a login flood', () => {
  let system: System;
  let port: number;

  before(async () => {
    system = await startSystem({ env: { MQFLEET_HASH_CONCURRENCY: '1', MQFLEET_HASH_QUEUE: '2' } });
    port = system.gateways[0]!.port;
    const res = await system.api(
      'createAccount',
      { username: 'meter', password: 'meter-pass-1', role: 'user' },
      { api: 'admin', authToken: await system.login() },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    // Verified once: later CONNECTs with it are answered from the credential cache.
    assert.equal(
      await connackFrom(port, '127.0.0.1', {
        clientId: 'meter-1',
        username: 'meter',
        password: 'meter-pass-1',
      }),
      0,
    );
  });
  after(async () => {
    await system?.close();
  });

  it('logins beyond the pool and its queue are answered busy at once; devices keep connecting', async () => {
    // 24 logins at once, each from its own address and username, so no throttle holds them back.
    const flood = Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        createSessionFrom(system.httpPort, `127.0.1.${i + 1}`, `user-${i}`, 'x'),
      ),
    );
    const mqttFlood = Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        connackFrom(port, `127.0.2.${i + 1}`, {
          clientId: `flood-${i}`,
          username: `user-${i}`,
          password: 'x',
        }),
      ),
    );
    let devices = 0;
    let deviceFailures = 0;
    let settled = false;
    const done = Promise.all([flood, mqttFlood]).finally(() => (settled = true));
    for (let i = 0; !settled || devices < 3; i++) {
      const anonymous = await connackFrom(port, '127.0.0.1', { clientId: `device-${i}` });
      const cached = await connackFrom(port, '127.0.0.1', {
        clientId: 'meter-1',
        username: 'meter',
        password: 'meter-pass-1',
      });
      if (anonymous === 0 && cached === 0) devices++;
      else deviceFailures++;
    }
    const [answers, connacks] = await done;
    const busy = answers.filter((a) => a.errorCode === BUSY);
    assert.ok(busy.length >= 1, answers.map((a) => a.errorCode).join(','));
    assert.match(busy[0]!.errorMessage, /busy/);
    assert.ok(answers.every((a) => a.errorCode === BUSY || a.errorCode === BAD_PASSWORD));
    assert.ok(
      connacks.every((c) => c === 0x89 || c === BAD_USERNAME_OR_PASSWORD),
      connacks.map((c) => c.toString(16)).join(','),
    );
    assert.equal(deviceFailures, 0);
    assert.ok(devices >= 3);
  });
});

describe('failed logins across two session-services', () => {
  // Replicas tell each other of every password check (login-throttle.ts shareOverNats): guesses
  // spread over them are counted as on one. The test logs in over gRPC (AuthService.CreateToken)
  // at each session-service's own port, from 127.0.0.1, and waits for each piece of news to be
  // counted by the other (its debug line) before the next attempt.
  let system: System;
  let clients: InstanceType<typeof AuthServiceClient>[];

  before(async () => {
    system = await startSystem({ sessionServices: 2, env: { MQFLEET_LOGIN_FREE_FAILURES: '2' } });
    const token = await system.login();
    const res = await system.api(
      'createAccount',
      { username: 'roamer', password: 'roamer-pass-1', role: 'user' },
      { api: 'admin', authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    clients = system.sessionServiceProxy!.targets.map(
      (t) => new AuthServiceClient(`127.0.0.1:${t.port}`, grpc.credentials.createInsecure()),
    );
  });
  after(async () => {
    for (const c of clients ?? []) c.close();
    await system?.close();
  });

  /** CreateToken at session-service `i`: 'ok', or the refusal's text. */
  const login = (i: number, password: string): Promise<string> =>
    new Promise((resolve) =>
      clients[i]!.CreateToken({ username: 'roamer', password }, (err) => resolve(err ? err.details : 'ok')),
    );
  /** Session-service `i` counted `n` checks made by the other one. */
  const counted = (i: number, n: number): Promise<unknown> =>
    until(
      () =>
        system.sessionServices[i]!.lines.filter((l) => l.includes('counted from another session-service'))
          .length >= n,
    );

  it('guesses spread over the replicas are throttled as on one, and a success resets them on both', async () => {
    // Three failures, alternating: each replica made at most two (its free failures) itself.
    for (const [i, replica] of [0, 1, 0].entries()) {
      assert.doesNotMatch(await login(replica, `guess-${i}`), /too many|^ok$/);
      await counted(1 - replica, replica === 0 ? (i === 0 ? 1 : 2) : 1);
    }
    // Past the free failures on both: even the right password is refused unchecked, on either.
    for (const replica of [1, 0])
      assert.match(await login(replica, 'roamer-pass-1'), /too many failed logins for this username/);
    // Once the delay (1 s) has run, the right password logs in on one …
    await until(async () => (await login(0, 'roamer-pass-1')) === 'ok', 10000, 200);
    await counted(1, 3);
    // … which forgave the pair on the other too: two wrong guesses there are checked, not held.
    for (let i = 0; i < 2; i++) assert.doesNotMatch(await login(1, `again-${i}`), /too many|^ok$/);
  });
});
