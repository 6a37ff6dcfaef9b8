// Accounts, roles and the admin session actions (deleteSession, describeSessions) through the JSON
// API, against a real session-service process (fresh Postgres database and NATS prefix).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import type { ApiGateway } from '../src/index';
import { BAD_TOKEN_MESSAGE } from '../src/errors';
import { post, type ApiResponse, startBackend, type Backend } from './helpers';

type Session = Record<string, unknown>;

describe('accounts and sessions through the JSON API', () => {
  let backend: Backend;
  let gw: ApiGateway;
  let admin: string;

  before(async () => {
    backend = await startBackend();
    gw = backend.gw;
    admin = await login('ADMIN', 'ADMIN');
  });
  after(async () => {
    await backend?.close();
  });

  async function login(username: string, password: string, extra: Record<string, unknown> = {}) {
    const res = await post(gw, { action: 'createSession', params: { username, password, ...extra } });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    return res.body.authToken;
  }
  const act = (action: string, params: Record<string, unknown> = {}, authToken = admin, debug = 'none') =>
    post(gw, { api: 'admin', action, params, authToken, debug });
  function expectCode(res: ApiResponse, code: number, message?: RegExp): void {
    assert.equal(res.body.errorCode, code, res.body.errorMessage);
    if (message) assert.match(res.body.errorMessage, message);
  }

  it('createAccount makes a user that can log in; listAccounts shows it', async () => {
    const res = await act('createAccount', { username: 'Alice', password: 'alice-pw' });
    expectCode(res, 0);
    assert.equal(res.body.result.username, 'Alice');
    assert.equal(res.body.result.role, 'user');
    assert.match(String(res.body.result.createdAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const session = await post(gw, {
      action: 'createSession',
      params: { username: 'alice', password: 'alice-pw' },
    });
    expectCode(session, 0);
    assert.equal(session.body.result.username, 'Alice');
    assert.equal(session.body.result.role, 'user');

    const listed = await act('listAccounts', { partialUsername: 'ALI' });
    expectCode(listed, 0);
    assert.deepEqual(listed.body.result.data, [
      { username: 'Alice', role: 'user', createdAt: res.body.result.createdAt },
    ]);
    const all = await act('listAccounts');
    assert.ok((all.body.result.data as Session[]).some((a) => a.username === 'ADMIN' && a.role === 'admin'));
  });

  it('missing, bad and too long parameters: 12025, 12012, 12034', async () => {
    expectCode(await act('createAccount', { password: 'p' }), 12025, /"username"/);
    expectCode(await act('createAccount', { username: 'x' }), 12025, /"password"/);
    expectCode(await act('createAccount', { username: 'x', password: '' }), 12025, /"password"/);
    expectCode(await act('alterAccount', { role: 'user' }), 12025, /"username"/);
    expectCode(await act('alterAccount', { username: 'Alice' }), 12025);
    expectCode(await act('deleteAccount', {}), 12025, /"username"/);

    expectCode(await act('createAccount', { username: 'x', password: 'p', role: 'root' }), 12012, /"role"/);
    expectCode(await act('createAccount', { username: 42, password: 'p' }), 12012, /"username"/);
    expectCode(
      await act('createAccount', { username: 'x', password: 'p', colour: 'red' }),
      12012,
      /"colour"/,
    );
    expectCode(await act('createAccount', { username: 'a\u0001b', password: 'p' }), 12012);
    expectCode(await act('alterAccount', { username: 'Alice', password: '' }), 12012, /"password"/);
    expectCode(await act('alterAccount', { username: 'Alice', role: 'superuser' }), 12012, /"role"/);
    expectCode(await act('listAccounts', { partialUsername: 7 }), 12012);
    expectCode(await act('describeSessions', { authTokens: 'one' }), 12012, /"authTokens"/);

    expectCode(await act('createAccount', { username: 'u'.repeat(65), password: 'p' }), 12034, /"username"/);
    expectCode(await act('createAccount', { username: 'y', password: 'p'.repeat(257) }), 12034, /"password"/);
    expectCode(await act('listAccounts', { partialUsername: 'u'.repeat(65) }), 12034);
    // The limits themselves are allowed.
    expectCode(await act('createAccount', { username: 'u'.repeat(64), password: 'p'.repeat(256) }), 0);
  });

  it('a name taken in any case is 12020', async () => {
    expectCode(await act('createAccount', { username: 'ALICE', password: 'other' }), 12020, /already exists/);
  });

  it('an unknown account is 100', async () => {
    expectCode(await act('alterAccount', { username: 'nobody', role: 'user' }), 100, /does not exist/);
    expectCode(await act('deleteAccount', { username: 'nobody' }), 100, /does not exist/);
  });

  it('ADMIN can be neither deleted nor demoted: 12012', async () => {
    expectCode(await act('deleteAccount', { username: 'admin' }), 12012, /"ADMIN" cannot be deleted/);
    expectCode(
      await act('alterAccount', { username: 'Admin', role: 'user' }),
      12012,
      /"ADMIN" cannot be demoted/,
    );
  });

  describe('an account with role user', () => {
    let user: string;
    before(async () => {
      expectCode(await act('createAccount', { username: 'bob', password: 'bob-pw', role: 'user' }), 0);
      user = await login('bob', 'bob-pw');
    });

    it('gets 12030 on every account action', async () => {
      const denied = /not an administrator/;
      expectCode(await act('createAccount', { username: 'eve', password: 'p' }, user), 12030, denied);
      expectCode(await act('alterAccount', { username: 'bob', role: 'admin' }, user), 12030, denied);
      expectCode(await act('alterAccount', { username: 'bob', password: 'x' }, user), 12030, denied);
      expectCode(await act('deleteAccount', { username: 'Alice' }, user), 12030, denied);
      expectCode(await act('listAccounts', {}, user), 12030, denied);
    });

    it('gets 12030 on the mq session actions', async () => {
      const alter = await post(gw, {
        api: 'mq',
        action: 'alterMqSession',
        authToken: user,
        params: { clientName: 'some-device', keepAliveSeconds: 30 },
      });
      expectCode(alter, 12030, /not an administrator/);
      const describe = await post(gw, {
        api: 'mq',
        action: 'describeMqSessions',
        authToken: user,
        params: { clientNames: ['some-device'] },
      });
      expectCode(describe, 12030, /not an administrator/);
    });

    it('may still describe and delete its own sessions', async () => {
      const own = await act('describeSessions', {}, user);
      expectCode(own, 0);
      assert.equal((own.body.result.sessions as Session[]).length, 1);
      expectCode(await act('deleteSession', {}, user), 0);
      expectCode(await act('pingSession', {}, user), 12031);
    });

    it('promoted to admin, it may manage accounts on its next request', async () => {
      const token = await login('bob', 'bob-pw');
      expectCode(await act('alterAccount', { username: 'BOB', role: 'admin' }), 0);
      expectCode(await act('listAccounts', {}, token), 0);
    });
  });

  it('a new password: the old one gives 12033, the account’s other sessions give 12031', async () => {
    expectCode(await act('createAccount', { username: 'carol', password: 'old-pw' }), 0);
    const before = await login('carol', 'old-pw');
    const res = await act('alterAccount', { username: 'carol', password: 'new-pw' });
    expectCode(res, 0);
    assert.equal(res.body.result.tokensRevoked, 1);
    const ping = await act('pingSession', {}, before);
    expectCode(ping, 12031);
    assert.equal(ping.body.errorMessage, BAD_TOKEN_MESSAGE);
    const wrong = await post(gw, {
      action: 'createSession',
      params: { username: 'carol', password: 'old-pw' },
    });
    expectCode(wrong, 12033);
    await login('carol', 'new-pw');
  });

  it('deleteAccount deletes the account and its sessions: 12031, then 12033 on login', async () => {
    expectCode(await act('createAccount', { username: 'dave', password: 'dave-pw' }), 0);
    const token = await login('dave', 'dave-pw');
    const res = await act('deleteAccount', { username: 'DAVE' });
    expectCode(res, 0);
    assert.deepEqual(res.body.result, { username: 'dave', tokensRevoked: 1 });
    expectCode(await act('pingSession', {}, token), 12031);
    const login2 = await post(gw, {
      action: 'createSession',
      params: { username: 'dave', password: 'dave-pw' },
    });
    expectCode(login2, 12033);
  });

  it('deleteSession closes the request’s session; an unknown one is 0 with warning 12031', async () => {
    const token = await login('ADMIN', 'ADMIN');
    const res = await act('deleteSession', {}, token);
    expectCode(res, 0);
    assert.deepEqual(res.body.result, {});
    expectCode(await act('pingSession', {}, token), 12031);
    expectCode(await act('listAccounts', {}, token), 12031);

    const again = await act('deleteSession', {}, token, 'max');
    expectCode(again, 0);
    const debugInfo = again.body.debugInfo as { warnings: Record<string, unknown>[] };
    assert.equal(debugInfo.warnings.length, 1);
    assert.equal(debugInfo.warnings[0]!.code, 12031);
    assert.equal(debugInfo.warnings[0]!.warningCode, 12031);
    assert.match(String(debugInfo.warnings[0]!.message), /does not match any existing session/);

    const none = await post(gw, { action: 'deleteSession' });
    expectCode(none, 12031, /does not match/);
  });

  it('describeSessions shows the caller’s own live sessions, never other tokens', async () => {
    expectCode(await act('createAccount', { username: 'erin', password: 'erin-pw' }), 0);
    const a = await login('erin', 'erin-pw', { description: 'first' });
    const b = await login('erin', 'erin-pw', { description: 'second', idleConnectionTimeoutSeconds: 0 });
    const res = await act('describeSessions', {}, a);
    expectCode(res, 0);
    const sessions = res.body.result.sessions as Session[];
    assert.deepEqual(
      sessions.map((s) => [s.description, s.authToken, s.currentSession, s.idleConnectionTimeoutSeconds]),
      [
        ['first', a, true, 3600],
        ['second', null, false, 0],
      ],
    );
    for (const s of sessions) {
      assert.equal(s.username, 'erin');
      assert.match(String(s.sessionId), /^[0-9a-f]{8}$/);
      assert.match(String(s.sessionStartTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.ok(!JSON.stringify(s).includes(b), 'a token the request does not hold is never shown');
    }

    // authTokens filters by token value; another account's token and unknown ones are left out.
    const filtered = await act('describeSessions', { authTokens: [b, admin, 'no-such-token'] }, a);
    expectCode(filtered, 0);
    assert.deepEqual(
      (filtered.body.result.sessions as Session[]).map((s) => [s.description, s.authToken]),
      [['second', b]],
    );
    const empty = await act('describeSessions', { authTokens: [] }, a);
    assert.deepEqual(empty.body.result.sessions, []);
  });

  it('a session expires after idleConnectionTimeoutSeconds: then 12031', async () => {
    expectCode(await act('createAccount', { username: 'frank', password: 'frank-pw' }), 0);
    const short = await login('frank', 'frank-pw', { idleConnectionTimeoutSeconds: 1 });
    const long = await login('frank', 'frank-pw');
    expectCode(await act('pingSession', {}, short), 0);
    // Every successful request refreshes the idle timer, so watch the short session through the
    // long one (describeSessions lists live sessions only) instead of pinging it.
    await until(
      async () => {
        const res = await act('describeSessions', { authTokens: [short] }, long);
        return (res.body.result.sessions as Session[]).length === 0;
      },
      10000,
      100,
    );
    const ping = await act('pingSession', {}, short);
    expectCode(ping, 12031);
    assert.equal(ping.body.errorMessage, BAD_TOKEN_MESSAGE);
    const del = await act('deleteSession', {}, short, 'max');
    expectCode(del, 0);
    assert.equal((del.body.debugInfo as { warnings: unknown[] }).warnings.length, 1);
  });
});
