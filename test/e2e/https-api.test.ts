// HTTPS for the JSON API, end to end (services/api-gateway/src/https.ts): an api-gateway process
// with a certificate made at test time answers POST /api, the health endpoints and the WebSocket
// /ws (wss, pushes included) to clients that trust the test CA; plain HTTP on that port and
// clients that do not trust the CA get nothing; with a client CA, only clients presenting a
// certificate it signed get through; in production, plain HTTP on an address other machines reach
// stops the start unless MQFLEET_HTTP_ALLOW_PLAIN says a proxy ends TLS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  createTestCertificates,
  freePort,
  makeTestCertificates,
  REPO_ROOT,
  startService,
  until,
  type ListenerCertificates,
  type ServiceProcess,
  type TestCertificates,
} from '@mqfleet/testkit';
import { endClient, startSystem, type System } from './system';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

interface Answer {
  status: number;
  body: Json;
}

/** One HTTPS request with the given TLS options; resolves with the status and the JSON body. */
function overHttps(
  port: number,
  path: string,
  tls: Pick<RequestOptions, 'ca' | 'cert' | 'key'>,
  body?: Json,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        path,
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/json' } : {},
        timeout: 10_000,
        ...tls,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString()) as Json,
            });
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** A plain HTTP request to the port: resolves with the status, or rejects as the socket fails. */
function overPlainHttp(port: number, body: Json): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/api',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(JSON.stringify(body));
  });
}

const LOGIN = { api: 'admin', action: 'createSession', params: { username: 'ADMIN', password: 'ADMIN' } };

describe('HTTPS for the JSON API (separate processes)', () => {
  let system: System;
  let certs: ListenerCertificates;
  let clientCerts: TestCertificates;
  const started: ServiceProcess[] = [];

  /** An api-gateway of this test's own on the system's session-service, with `env` added. */
  const apiGateway = async (
    env: Record<string, string>,
  ): Promise<{ process: ServiceProcess; port: number }> => {
    const port = await freePort();
    const process = await startService('api-gateway', {
      ...system.env,
      MQFLEET_HTTP_PORT: String(port),
      ...env,
    });
    started.push(process);
    return { process, port };
  };

  before(async () => {
    system = await startSystem();
    certs = createTestCertificates();
    clientCerts = makeTestCertificates(['api-caller']);
  });
  after(async () => {
    await Promise.allSettled(started.map((p) => p.stop()));
    await system?.close();
    certs?.remove();
    clientCerts?.remove();
  });

  it('answers createSession and the health endpoints over https; plain http and an untrusted CA get nothing', async () => {
    const { process: gateway, port } = await apiGateway({
      MQFLEET_HTTP_TLS_CERT_FILE: certs.certFile,
      MQFLEET_HTTP_TLS_KEY_FILE: certs.keyFile,
    });
    assert.match(await gateway.waitForLine((l) => l.includes('"msg":"ready"')), /"scheme":"https"/);

    const login = await overHttps(port, '/api', { ca: certs.ca }, LOGIN);
    assert.equal(login.status, 200);
    assert.equal(login.body.errorCode, 0, login.body.errorMessage);
    assert.equal(typeof login.body.authToken, 'string');
    // The token works for the next call, over https too.
    const listed = await overHttps(
      port,
      '/api',
      { ca: certs.ca },
      { api: 'mq', action: 'listMqSessions', params: {}, authToken: login.body.authToken },
    );
    assert.equal(listed.body.errorCode, 0, listed.body.errorMessage);

    assert.deepEqual((await overHttps(port, '/health/live', { ca: certs.ca })).body, { status: 'live' });
    await until(
      async () => (await overHttps(port, '/health/ready', { ca: certs.ca })).status === 200,
      20_000,
      100,
    );

    // Plain HTTP on the HTTPS port: no answer at all (the TLS server drops what is not a handshake).
    await assert.rejects(overPlainHttp(port, LOGIN), (err: NodeJS.ErrnoException) => {
      assert.match(String(err.code ?? err.message), /ECONNRESET|socket hang up|EPIPE/);
      return true;
    });
    // A client that trusts only the system's CAs does not accept the certificate.
    await assert.rejects(overHttps(port, '/api', {}, LOGIN), (err: NodeJS.ErrnoException) => {
      assert.match(String(err.code), /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO/);
      return true;
    });
    // The container health check (deploy/healthcheck.cjs) speaks HTTPS when given the certificate.
    const healthcheck = (env: Record<string, string>) =>
      spawnSync(process.execPath, [join(REPO_ROOT, 'deploy/healthcheck.cjs'), 'api-gateway', 'ready'], {
        env: { PATH: process.env.PATH ?? '', MQFLEET_HTTP_PORT: String(port), ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
    const healthy = healthcheck({
      MQFLEET_HTTP_TLS_CERT_FILE: certs.certFile,
      MQFLEET_HTTP_TLS_KEY_FILE: certs.keyFile,
    });
    assert.equal(healthy.status, 0, healthy.stderr);
    const plainProbe = healthcheck({});
    assert.equal(plainProbe.status, 1, 'a plain HTTP probe of the HTTPS port fails');
    assert.match(plainProbe.stderr, /unhealthy/);
    // The api-gateway is still serving.
    assert.equal((await overHttps(port, '/api', { ca: certs.ca }, LOGIN)).body.errorCode, 0);
  });

  it('serves /ws over wss: requests are answered and MQ API session messages pushed', async () => {
    const { port } = await apiGateway({
      MQFLEET_HTTP_TLS_CERT_FILE: certs.certFile,
      MQFLEET_HTTP_TLS_KEY_FILE: certs.keyFile,
    });
    // ws:// on the wss port is refused.
    const plain = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await assert.rejects(
      new Promise((resolve, reject) => plain.once('open', resolve).once('error', reject)),
      /socket hang up|ECONNRESET/,
    );

    const socket = new WebSocket(`wss://127.0.0.1:${port}/ws`, { ca: certs.ca });
    const frames: Json[] = [];
    const waiters: { test: (f: Json) => boolean; resolve: (f: Json) => void }[] = [];
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Json;
      frames.push(frame);
      for (const w of [...waiters]) {
        if (w.test(frame)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    const frame = (test: (f: Json) => boolean): Promise<Json> => {
      const seen = frames.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    };
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const ws = (requestId: string, body: Json): Promise<Json> => {
      socket.send(JSON.stringify({ ...body, requestId }));
      return frame((f) => f.requestId === requestId && f.push === undefined);
    };
    try {
      const login = await ws('w1', LOGIN);
      assert.equal(login.errorCode, 0, login.errorMessage);
      const authToken = login.authToken as string;
      const mq = (requestId: string, action: string, params: Json): Promise<Json> =>
        ws(requestId, { api: 'mq', action, params, authToken });
      assert.equal((await mq('w2', 'createMqApiSession', { clientName: 'wss-reader' })).errorCode, 0);
      const subscribed = await mq('w3', 'subscribeToMq', {
        clientName: 'wss-reader',
        subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'wss/#', qos: 1 }],
      });
      assert.equal(subscribed.errorCode, 0, subscribed.errorMessage);
      const push = await mq('w4', 'getMessagesFromMqApiSession', { clientName: 'wss-reader', push: true });
      assert.equal(push.errorCode, 0, push.errorMessage);
      const pushed = frame((f) => f.push === 'getMessagesFromMqApiSession' && f.result?.data?.length > 0);
      const device = await system.mqtt('wss-device');
      await device.publishAsync('wss/live', 'over wss', { qos: 1 });
      assert.deepEqual(
        (await pushed).result.data.map((m: Json) => m.payload),
        ['over wss'],
      );
      await endClient(device);
    } finally {
      socket.close();
    }
  });

  it('with a client CA, only callers presenting a certificate it signed are served', async () => {
    const { port } = await apiGateway({
      MQFLEET_HTTP_TLS_CERT_FILE: certs.certFile,
      MQFLEET_HTTP_TLS_KEY_FILE: certs.keyFile,
      MQFLEET_HTTP_TLS_CA_FILE: clientCerts.caFile,
    });
    const caller = clientCerts.clients['api-caller']!;
    const { readFileSync } = await import('node:fs');
    const own = { cert: readFileSync(caller.certFile), key: readFileSync(caller.keyFile) };
    const foreign = {
      cert: readFileSync(clientCerts.foreign.certFile),
      key: readFileSync(clientCerts.foreign.keyFile),
    };
    const served = await overHttps(port, '/api', { ca: certs.ca, ...own }, LOGIN);
    assert.equal(served.body.errorCode, 0, served.body.errorMessage);
    // No certificate, or one another CA signed: the handshake fails, nothing is answered.
    for (const tls of [{ ca: certs.ca }, { ca: certs.ca, ...foreign }]) {
      await assert.rejects(overHttps(port, '/api', tls, LOGIN), (err: NodeJS.ErrnoException) => {
        assert.match(String(err.code ?? err.message), /ECONNRESET|certificate|alert|EPROTO|socket hang up/i);
        return true;
      });
    }
    assert.equal((await overHttps(port, '/api', { ca: certs.ca, ...own }, LOGIN)).body.errorCode, 0);
  });

  it('production: plain HTTP on a non-loopback address stops the start, saying what to do', async () => {
    const production = {
      NODE_ENV: 'production',
      MQFLEET_ADMIN_PASSWORD: 'https-test-password',
      MQFLEET_INTERNAL_TOKEN: 'https-test-token',
      MQFLEET_HOST: '0.0.0.0',
    };
    await assert.rejects(apiGateway(production), (err: Error) => {
      assert.match(err.message, /exited \(code 1\)/);
      assert.match(
        err.message,
        /would serve plain HTTP on 0\.0\.0\.0:\d+ with NODE_ENV=production.*set MQFLEET_HTTP_TLS_CERT_FILE and MQFLEET_HTTP_TLS_KEY_FILE.*MQFLEET_HTTP_ALLOW_PLAIN=true/,
      );
      return true;
    });
    // Behind a proxy that ends TLS, the operator says so and it starts.
    const behindProxy = await apiGateway({ ...production, MQFLEET_HTTP_ALLOW_PLAIN: 'true' });
    assert.equal(behindProxy.process.child.exitCode, null);
    // With a certificate it starts on that address, serving HTTPS.
    const { process } = await apiGateway({
      ...production,
      MQFLEET_HTTP_TLS_CERT_FILE: certs.certFile,
      MQFLEET_HTTP_TLS_KEY_FILE: certs.keyFile,
    });
    assert.match(await process.waitForLine((l) => l.includes('"msg":"ready"')), /"scheme":"https"/);
  });
});
