// AccountService and the token RPCs of AuthService (DeleteToken, DescribeTokens) over real gRPC,
// against a real session-service on a fresh Postgres database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { until } from '@mqfleet/testkit';
import type {
  AlterAccountResponse__Output,
  CreateAccountResponse__Output,
  CreateTokenResponse__Output,
  DeleteAccountResponse__Output,
  DeleteTokenResponse__Output,
  DescribeTokensResponse__Output,
  ListAccountsResponse__Output,
  WhoAmIResponse__Output,
} from '@mqfleet/proto';
import { bearer, call, startHarness, type Harness } from './helpers';

/** Asserts a gRPC failure with this status and mqfleet-error-code. */
function fails(status: grpc.status, code: string, message?: RegExp) {
  return (err: grpc.ServiceError): boolean => {
    assert.equal(err.code, status, err.details);
    assert.equal(err.metadata.get('mqfleet-error-code')[0], code, err.details);
    if (message) assert.match(err.details, message);
    return true;
  };
}

const tokenId = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 8);

describe('accounts and tokens', () => {
  let h: Harness;
  let adminToken: string;

  const login = async (username: string, password: string, idleTimeoutSeconds?: number) =>
    (
      await call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
        username,
        password,
        description: `${username} test`,
        ...(idleTimeoutSeconds === undefined ? {} : { idleTimeoutSeconds }),
      })
    ).token;
  const whoAmI = (token: string) =>
    call<object, WhoAmIResponse__Output>(h.auth, h.auth.WhoAmI, {}, bearer(token));
  const create = (req: Record<string, unknown>, token = adminToken) =>
    call<object, CreateAccountResponse__Output>(h.accounts, h.accounts.CreateAccount, req, bearer(token));
  const alter = (req: Record<string, unknown>, token = adminToken) =>
    call<object, AlterAccountResponse__Output>(h.accounts, h.accounts.AlterAccount, req, bearer(token));
  const remove = (username: string, token = adminToken) =>
    call<object, DeleteAccountResponse__Output>(
      h.accounts,
      h.accounts.DeleteAccount,
      { username },
      bearer(token),
    );
  const list = (partialUsername = '', token = adminToken) =>
    call<object, ListAccountsResponse__Output>(
      h.accounts,
      h.accounts.ListAccounts,
      { partialUsername },
      bearer(token),
    );
  const describeTokens = (token: string, ids: string[] = []) =>
    call<object, DescribeTokensResponse__Output>(h.auth, h.auth.DescribeTokens, { ids }, bearer(token));
  const deleteToken = (token: string) =>
    call<object, DeleteTokenResponse__Output>(h.auth, h.auth.DeleteToken, {}, bearer(token));

  before(async () => {
    h = await startHarness();
    adminToken = await login('ADMIN', 'ADMIN');
  });
  after(async () => {
    await h.close();
  });

  test('an admin creates a user account that can log in; the name is not case-sensitive', async () => {
    const res = await create({ username: 'Alice', password: 'secret-1' });
    assert.equal(res.account?.username, 'Alice');
    assert.equal(res.account?.role, 'user');
    assert.ok(Date.parse(res.account!.createdAt) > 0);
    const token = await login('ALICE', 'secret-1');
    assert.deepEqual(await whoAmI(token), { username: 'Alice', role: 'user' });
    await assert.rejects(
      login('alice', 'SECRET-1'),
      fails(grpc.status.UNAUTHENTICATED, 'BAD_PASSWORD'),
      'passwords are case-sensitive',
    );
  });

  test('a duplicate name, in any case, is ALREADY_EXISTS', async () => {
    await create({ username: 'dup-user', password: 'p' });
    await assert.rejects(
      create({ username: 'DUP-USER', password: 'q' }),
      fails(grpc.status.ALREADY_EXISTS, 'ALREADY_EXISTS', /already exists/),
    );
  });

  test('bad names, passwords and roles are refused', async () => {
    const invalid = grpc.status.INVALID_ARGUMENT;
    await assert.rejects(create({ username: '', password: 'p' }), fails(invalid, 'MISSING_PROPERTY'));
    await assert.rejects(create({ username: 'x1', password: '' }), fails(invalid, 'MISSING_PROPERTY'));
    await assert.rejects(create({ username: 'a'.repeat(65), password: 'p' }), fails(invalid, 'TOO_LARGE'));
    // 64 bytes is the limit, counted in UTF-8 bytes: 32 × "é" is 64 bytes, 33 is too many.
    await create({ username: 'é'.repeat(32), password: 'p' });
    await assert.rejects(create({ username: 'é'.repeat(33), password: 'p' }), fails(invalid, 'TOO_LARGE'));
    await assert.rejects(create({ username: 'x2', password: 'p'.repeat(257) }), fails(invalid, 'TOO_LARGE'));
    await create({ username: 'x3', password: 'p'.repeat(256) });
    await assert.rejects(create({ username: 'tab\tname', password: 'p' }), fails(invalid, 'INVALID_VALUE'));
    await assert.rejects(
      create({ username: 'x4', password: 'p', role: 'root' }),
      fails(invalid, 'INVALID_VALUE', /"role"/),
    );
    await assert.rejects(alter({ username: 'x3' }), fails(invalid, 'MISSING_PROPERTY'));
    await assert.rejects(alter({ username: 'x3', password: '' }), fails(invalid, 'INVALID_VALUE'));
    await assert.rejects(alter({ username: 'x3', role: 'ADMIN' }), fails(invalid, 'INVALID_VALUE'));
    await assert.rejects(list('p'.repeat(65)), fails(invalid, 'TOO_LARGE'));
  });

  test('unknown accounts are NOT_FOUND', async () => {
    await assert.rejects(
      alter({ username: 'nobody', role: 'user' }),
      fails(grpc.status.NOT_FOUND, 'NOT_FOUND'),
    );
    await assert.rejects(remove('nobody'), fails(grpc.status.NOT_FOUND, 'NOT_FOUND'));
  });

  test('ADMIN can be neither deleted nor demoted', async () => {
    await assert.rejects(
      remove('admin'),
      fails(grpc.status.INVALID_ARGUMENT, 'INVALID_VALUE', /"ADMIN" cannot be deleted/),
    );
    await assert.rejects(
      alter({ username: 'Admin', role: 'user' }),
      fails(grpc.status.INVALID_ARGUMENT, 'INVALID_VALUE', /"ADMIN" cannot be demoted/),
    );
    // Keeping the admin role is not a demotion.
    const res = await alter({ username: 'ADMIN', role: 'admin' });
    assert.equal(res.account?.role, 'admin');
  });

  test('a user account may not manage accounts or administer sessions', async () => {
    await create({ username: 'bob', password: 'bob-pw' });
    const bob = await login('bob', 'bob-pw');
    const denied = fails(grpc.status.PERMISSION_DENIED, 'ADMIN_REQUIRED', /not an administrator/);
    await assert.rejects(create({ username: 'eve', password: 'p' }, bob), denied);
    await assert.rejects(alter({ username: 'bob', role: 'admin' }, bob), denied);
    await assert.rejects(remove('Alice', bob), denied);
    await assert.rejects(list('', bob), denied);
    await assert.rejects(
      call(h.sessions, h.sessions.AlterSession, { clientName: 'c', patch: {} }, bearer(bob)),
      denied,
    );
    await assert.rejects(
      call(h.sessions, h.sessions.DescribeSessions, { clientNames: ['c'] }, bearer(bob)),
      denied,
    );
    // ...but it has its own tokens.
    const own = await describeTokens(bob);
    assert.equal(own.tokens.length, 1);
  });

  test('a promoted account is an admin on its next request; demoted, it is not', async () => {
    await create({ username: 'carol', password: 'carol-pw' });
    const carol = await login('carol', 'carol-pw');
    await assert.rejects(list('', carol), fails(grpc.status.PERMISSION_DENIED, 'ADMIN_REQUIRED'));
    const promoted = await alter({ username: 'CAROL', role: 'admin' });
    assert.equal(promoted.tokensRevoked, 0, 'a role change keeps the tokens');
    assert.ok((await list('carol', carol)).accounts.length === 1);
    await alter({ username: 'carol', role: 'user' });
    await assert.rejects(list('', carol), fails(grpc.status.PERMISSION_DENIED, 'ADMIN_REQUIRED'));
  });

  test('no token, or a bad one, is UNAUTHENTICATED', async () => {
    await assert.rejects(
      call(h.accounts, h.accounts.ListAccounts, {}),
      fails(grpc.status.UNAUTHENTICATED, 'BAD_TOKEN'),
    );
    await assert.rejects(list('', 'not-a-token'), fails(grpc.status.UNAUTHENTICATED, 'BAD_TOKEN'));
    await assert.rejects(describeTokens('not-a-token'), fails(grpc.status.UNAUTHENTICATED, 'BAD_TOKEN'));
  });

  test('a new password revokes the account’s other tokens; the old password stops working', async () => {
    await create({ username: 'dave', password: 'old-pw' });
    const first = await login('dave', 'old-pw');
    const second = await login('dave', 'old-pw');
    const res = await alter({ username: 'dave', password: 'new-pw' });
    assert.equal(res.tokensRevoked, 2);
    await assert.rejects(whoAmI(first), fails(grpc.status.UNAUTHENTICATED, 'BAD_TOKEN'));
    await assert.rejects(whoAmI(second), fails(grpc.status.UNAUTHENTICATED, 'BAD_TOKEN'));
    await assert.rejects(login('dave', 'old-pw'), fails(grpc.status.UNAUTHENTICATED, 'BAD_PASSWORD'));
    assert.equal((await whoAmI(await login('dave', 'new-pw'))).username, 'dave');
  });

  test('an admin changing their own password keeps the token they used', async () => {
    await create({ username: 'erin', password: 'erin-pw', role: 'admin' });
    const used = await login('erin', 'erin-pw');
    const other = await login('erin', 'erin-pw');
    const res = await alter({ username: 'erin', password: 'erin-pw-2' }, used);
    assert.equal(res.tokensRevoked, 1);
    assert.equal((await whoAmI(used)).username, 'erin');
    await assert.rejects(whoAmI(other), fails(grpc.status.UNAUTHENTICATED, 'BAD_TOKEN'));
  });

  test('deleting an account deletes its tokens', async () => {
    await create({ username: 'frank', password: 'frank-pw' });
    const token = await login('frank', 'frank-pw');
    const res = await remove('FRANK');
    assert.deepEqual(res, { username: 'frank', tokensRevoked: 1 });
    await assert.rejects(whoAmI(token), fails(grpc.status.UNAUTHENTICATED, 'BAD_TOKEN'));
    await assert.rejects(login('frank', 'frank-pw'), fails(grpc.status.UNAUTHENTICATED, 'BAD_PASSWORD'));
    assert.equal((await list('frank')).accounts.length, 0);
  });

  test('ListAccounts filters by part of the name, case-insensitively, ordered by name', async () => {
    await create({ username: 'list-B', password: 'p' });
    await create({ username: 'List-a', password: 'p', role: 'admin' });
    const res = await list('LIST-');
    assert.deepEqual(
      res.accounts.map((a) => [a.username, a.role]),
      [
        ['List-a', 'admin'],
        ['list-B', 'user'],
      ],
    );
    const all = await list();
    assert.ok(all.accounts.some((a) => a.username === 'ADMIN' && a.role === 'admin'));
  });

  test('DescribeTokens lists the caller’s own live tokens without their values', async () => {
    await create({ username: 'gina', password: 'gina-pw' });
    const a = await login('gina', 'gina-pw');
    const b = await login('gina', 'gina-pw');
    const res = await describeTokens(a);
    assert.deepEqual(
      res.tokens.map((t) => [t.id, t.current]).sort(),
      [
        [tokenId(a), true],
        [tokenId(b), false],
      ].sort(),
    );
    for (const t of res.tokens) {
      assert.equal(t.username, 'gina');
      assert.equal(t.description, 'gina test');
      assert.equal(t.idleTimeoutSeconds, 3600);
      assert.ok(!JSON.stringify(t).includes(a) && !JSON.stringify(t).includes(b));
    }
    const filtered = await describeTokens(a, [tokenId(b), tokenId(adminToken)]);
    assert.deepEqual(
      filtered.tokens.map((t) => t.id),
      [tokenId(b)],
      'another account’s token is never described',
    );
    await assert.rejects(
      describeTokens(a, ['not-hex']),
      fails(grpc.status.INVALID_ARGUMENT, 'INVALID_VALUE'),
    );
  });

  test('DeleteToken deletes the caller’s token; an unknown one is found = false', async () => {
    await create({ username: 'hank', password: 'hank-pw' });
    const token = await login('hank', 'hank-pw');
    assert.deepEqual(await deleteToken(token), { found: true });
    await assert.rejects(whoAmI(token), fails(grpc.status.UNAUTHENTICATED, 'BAD_TOKEN'));
    assert.deepEqual(await deleteToken(token), { found: false });
    assert.deepEqual(await deleteToken('never-issued'), { found: false });
    assert.deepEqual(await call<object, DeleteTokenResponse__Output>(h.auth, h.auth.DeleteToken, {}), {
      found: false,
    });
  });

  test('a token expires after its idle timeout', async () => {
    await create({ username: 'ivan', password: 'ivan-pw' });
    const token = await login('ivan', 'ivan-pw', 1);
    assert.equal((await whoAmI(token)).username, 'ivan');
    const other = await login('ivan', 'ivan-pw');
    // Each successful WhoAmI refreshes the idle timer, so probe without refreshing it:
    // DescribeTokens through another (long-lived) token of the same account shows only live tokens.
    await until(
      async () => !(await describeTokens(other)).tokens.some((t) => t.id === tokenId(token)),
      10000,
      100,
    );
    await assert.rejects(whoAmI(token), fails(grpc.status.UNAUTHENTICATED, 'BAD_TOKEN'));
    assert.deepEqual(await deleteToken(token), { found: false });
  });
});
