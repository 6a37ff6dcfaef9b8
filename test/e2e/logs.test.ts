// Logs, end to end (docs/operations.md): a request id given in x-request-id travels from the
// api-gateway through the session-service to the gateway that applies the alteration, and each
// hop's log line carries it; the access log has one line per request without body or token; and
// no log line of any service holds a password or token, whatever the services were given.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, type System } from './system';

const ACCOUNT_PASSWORD = 'Pw-for-logs-7f3a9c';
const INTERNAL_TOKEN = 'internal-secret-for-logs-51d2';
const ADMIN_PASSWORD = 'admin-pw-for-logs-c0ffee';

/** The JSON log lines of a process that satisfy the predicate. */
function linesOf(
  lines: string[],
  predicate: (line: Record<string, unknown>) => boolean,
): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  for (const raw of lines) {
    if (!raw.startsWith('{')) continue;
    const line = JSON.parse(raw) as Record<string, unknown>;
    if (predicate(line)) found.push(line);
  }
  return found;
}

describe('logs: request ids across the services, access log, no secrets (separate processes)', () => {
  let system: System;
  let adminToken: string;

  before(async () => {
    system = await startSystem({
      env: { MQFLEET_INTERNAL_TOKEN: INTERNAL_TOKEN, MQFLEET_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    const login = await system.api('createSession', { username: 'ADMIN', password: ADMIN_PASSWORD });
    assert.equal(login.body.errorCode, 0, login.body.errorMessage);
    adminToken = login.body.authToken as string;
  });
  after(async () => {
    await system?.close();
  });

  const post = async (
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; requestId: string | null; body: Record<string, unknown> }> => {
    const res = await fetch(`${system.baseUrl}/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      requestId: res.headers.get('x-request-id'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };

  it("carries the caller's x-request-id to the session-service and the gateway that applies the alteration", async () => {
    await system.mqtt('logs-device');
    const requestId = 'req-logs-2c9e41';
    const res = await post(
      {
        api: 'mq',
        action: 'alterMqSession',
        params: { clientName: 'logs-device', keepAliveSeconds: 42 },
        authToken: adminToken,
      },
      { 'x-request-id': requestId },
    );
    assert.equal(res.body.errorCode, 0, String(res.body.errorMessage));
    assert.equal((res.body.result as { liveApplied: boolean }).liveApplied, true);
    assert.equal(res.requestId, requestId, 'the response names the request id');

    const hasId = (l: string): boolean => l.includes(requestId);
    // api-gateway: the access-log line, with the account behind the token and the action.
    const access = JSON.parse(
      await system.apiGateway.waitForLine((l) => hasId(l) && l.includes('"msg":"request"')),
    ) as Record<string, unknown>;
    assert.equal(access.method, 'POST');
    assert.equal(access.url, '/api');
    assert.equal(access.status, 200);
    assert.equal(access.action, 'alterMqSession');
    assert.equal(access.account, 'ADMIN');
    assert.equal(typeof access.durationMs, 'number');
    assert.deepEqual(
      Object.keys(access).sort(),
      [
        'account',
        'action',
        'durationMs',
        'level',
        'method',
        'msg',
        'requestId',
        'service',
        'status',
        'time',
        'url',
      ],
      'the access log holds no body and no token',
    );
    // session-service: the administrator's action, who changed what on which session.
    const action = JSON.parse(
      await system.sessionService.waitForLine((l) => hasId(l) && l.includes('"msg":"admin action"')),
    ) as Record<string, unknown>;
    assert.equal(action.action, 'alterSession');
    assert.equal(action.actor, 'ADMIN');
    assert.equal(action.clientName, 'logs-device');
    assert.deepEqual(action.changed, ['keepAliveSeconds']);
    assert.equal(action.liveApplied, true);
    // connection-gateway: the change reaching the live connection, from its event.
    const applied = JSON.parse(
      await system.gateways[0]!.process.waitForLine((l) => hasId(l) && l.includes('"msg":"session altered"')),
    ) as Record<string, unknown>;
    assert.equal(applied.clientName, 'logs-device');
    assert.equal(applied.actor, 'ADMIN');
    assert.equal(applied.version, action.version);
  });

  it("carries a bulk alteration's x-request-id to the gateway's line for each session it changed", async () => {
    await system.mqtt('logs-bulk-1');
    await system.mqtt('logs-bulk-2');
    const requestId = 'req-logs-bulk-8d17a0';
    const res = await post(
      {
        api: 'mq',
        action: 'alterMqSessions',
        params: { filter: { partialClientName: 'logs-bulk-' }, changes: { keepAliveSeconds: 43 } },
        authToken: adminToken,
      },
      { 'x-request-id': requestId },
    );
    assert.equal(res.body.errorCode, 0, String(res.body.errorMessage));
    assert.deepEqual(res.body.result, {
      matchedSessions: 2,
      changedSessions: 2,
      connectedSessions: 2,
      liveAppliedSessions: 2,
    });
    const hasId = (l: string): boolean => l.includes(requestId);
    const action = JSON.parse(
      await system.sessionService.waitForLine((l) => hasId(l) && l.includes('"msg":"admin action"')),
    ) as Record<string, unknown>;
    assert.equal(action.action, 'alterSessions');
    // liveAppliedSessions 2: both versions were in force, so both lines are written by now.
    const altered = await Promise.all(
      ['logs-bulk-1', 'logs-bulk-2'].map(
        async (name) =>
          JSON.parse(
            await system.gateways[0]!.process.waitForLine(
              (l) =>
                hasId(l) && l.includes('"msg":"session altered"') && l.includes(`"clientName":"${name}"`),
            ),
          ) as Record<string, unknown>,
      ),
    );
    for (const line of altered) {
      assert.equal(line.requestId, requestId);
      assert.equal(line.actor, 'ADMIN');
      assert.deepEqual(line.changed, ['keepAliveSeconds']);
      assert.equal(typeof line.bulkId, 'string');
      assert.equal(typeof line.connectionId, 'string');
    }
    assert.equal(altered[0]!.bulkId, altered[1]!.bulkId, 'one bulk alteration');
  });

  it('makes a request id when none (or an unusable one) is given, and logs one line per request', async () => {
    const plain = await post({ api: 'admin', action: 'pingSession', params: {}, authToken: adminToken });
    assert.match(plain.requestId ?? '', /^[0-9a-f-]{36}$/);
    const unusable = await post(
      { api: 'admin', action: 'pingSession', params: {}, authToken: adminToken },
      { 'x-request-id': 'x'.repeat(500) },
    );
    assert.match(unusable.requestId ?? '', /^[0-9a-f-]{36}$/);
    for (const id of [plain.requestId!, unusable.requestId!]) {
      await system.apiGateway.waitForLine((l) => l.includes(id) && l.includes('"msg":"request"'));
      assert.equal(
        linesOf(system.apiGateway.lines, (l) => l.requestId === id && l.msg === 'request').length,
        1,
        'one access-log line per request',
      );
    }
  });

  it('a forged request id cannot break or fake log lines: it stays one JSON string field', async () => {
    // Quotes, braces and a fake field: printable, so kept, and written as a JSON string.
    const forged = '"},"level":"error","msg":"forged","x":{"a":"';
    const res = await post(
      { api: 'admin', action: 'pingSession', params: {}, authToken: adminToken },
      { 'x-request-id': forged },
    );
    assert.equal(res.body.errorCode, 0);
    assert.equal(res.requestId, forged);
    await system.apiGateway.waitForLine((l) => l.includes('"msg":"request"') && l.includes('forged'));
    for (const raw of system.apiGateway.lines) JSON.parse(raw); // every line is still one JSON object
    const lines = linesOf(system.apiGateway.lines, (l) => l.requestId === forged);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.msg, 'request');
    assert.equal(lines[0]!.level, 'info');
    assert.equal(linesOf(system.apiGateway.lines, (l) => l.msg === 'forged').length, 0);
    // A request id with a control character is not taken (a new one is made); the API still answers.
    const raw = await fetch(`${system.baseUrl}/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'tab\there' },
      body: JSON.stringify({ api: 'admin', action: 'pingSession', params: {} }),
    });
    assert.equal(raw.status, 200);
    assert.match(raw.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    await raw.arrayBuffer();
  });

  it('made-up tokens cost no account lookup: the access log names no account, a real token still gets one', async () => {
    const metricsPort = (
      JSON.parse(system.sessionService.lines.find((l) => l.includes('"msg":"ready"'))!) as {
        metricsPort: number;
      }
    ).metricsPort;
    const whoAmICalls = async (): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('mqfleet_grpc_server_duration_seconds_count{') &&
            l.includes('method="AuthService/WhoAmI"'),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await whoAmICalls();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await post(
        { api: 'mq', action: 'listMqSessions', params: {}, authToken: `made-up-token-${i}` },
        { 'x-request-id': `req-made-up-${i}` },
      );
      assert.equal(res.body.errorCode, 12031);
      ids.push(res.requestId!);
    }
    for (const id of ids) {
      const line = JSON.parse(
        await system.apiGateway.waitForLine(
          (l) => l.includes(`"requestId":"${id}"`) && l.includes('"msg":"request"'),
        ),
      ) as Record<string, unknown>;
      assert.equal(line.account, undefined);
    }
    assert.equal(await whoAmICalls(), before, 'no WhoAmI for refused tokens');
    // The legitimate path still names the account.
    const ok = await post({ api: 'mq', action: 'listMqSessions', params: {}, authToken: adminToken });
    assert.equal(ok.body.errorCode, 0);
    await system.apiGateway.waitForLine((l) => l.includes(ok.requestId!) && l.includes('"account":"ADMIN"'));
  });

  it('writes no password or token in any log line, after createAccount, createSession and a connection with a password', async () => {
    const created = await post(
      {
        api: 'admin',
        action: 'createAccount',
        params: { username: 'logs-user', password: ACCOUNT_PASSWORD },
        authToken: adminToken,
      },
      { 'x-request-id': 'req-logs-create-account' },
    );
    assert.equal(created.body.errorCode, 0, String(created.body.errorMessage));
    const login = await post({
      api: 'admin',
      action: 'createSession',
      params: { username: 'logs-user', password: ACCOUNT_PASSWORD },
    });
    assert.equal(login.body.errorCode, 0, String(login.body.errorMessage));
    const userToken = login.body.authToken as string;
    // A wrong password is refused and not logged either.
    const wrong = await post({
      api: 'admin',
      action: 'createSession',
      params: { username: 'logs-user', password: `${ACCOUNT_PASSWORD}-wrong` },
    });
    assert.notEqual(wrong.body.errorCode, 0);
    // The new account's token used once, and an MQTT connection with its password.
    const ping = await post({ api: 'admin', action: 'pingSession', params: {}, authToken: userToken });
    assert.equal(ping.body.errorCode, 0, String(ping.body.errorMessage));
    const device = await system.mqtt('logs-password-device', {
      username: 'logs-user',
      password: ACCOUNT_PASSWORD,
    });
    await device.endAsync();

    // The account's creation is an admin action line (without its password)…
    const createdLine = JSON.parse(
      await system.sessionService.waitForLine(
        (l) => l.includes('req-logs-create-account') && l.includes('"msg":"admin action"'),
      ),
    ) as Record<string, unknown>;
    assert.equal(createdLine.action, 'createAccount');
    assert.equal(createdLine.username, 'logs-user');
    // …and the access log knows the new token's account.
    await system.apiGateway.waitForLine(
      (l) => l.includes(ping.requestId!) && l.includes('"account":"logs-user"'),
    );
    await system.gateways[0]!.process.waitForLine(
      (l) => l.includes('"msg":"disconnected"') && l.includes('logs-password-device'),
    );

    const secrets = [ACCOUNT_PASSWORD, ADMIN_PASSWORD, INTERNAL_TOKEN, adminToken, userToken];
    for (const p of system.processes) {
      assert.ok(p.lines.length > 0, `${p.name} logged`);
      for (const line of p.lines) {
        for (const secret of secrets)
          assert.ok(!line.includes(secret), `${p.name} logged a secret: ${line.slice(0, 300)}`);
      }
    }
  });
});
