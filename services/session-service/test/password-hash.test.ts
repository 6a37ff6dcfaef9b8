// Password hashes carry their scrypt parameters (services/session-service/src/accounts.ts): a hash
// stored in the earlier form `scrypt$salt$key` (N=2^14, r=8, p=1) still verifies, and the next
// successful login, by createSession or by MQTT CONNECT, replaces it with one of the configured
// cost; a wrong password changes nothing. Real session-service, real Postgres, real gRPC.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import pg from 'pg';
import type { CreateTokenResponse__Output, OpenSessionResponse__Output } from '@mqfleet/proto';
import { bearer, call, startHarness, type Harness } from './helpers';

/** A hash as accounts.ts wrote it before parameters were stored: N=2^14, r=8, p=1. */
function legacyHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

describe('stored password hashes', () => {
  let h: Harness;
  let db: pg.Client;
  let adminToken: string;

  const storedHash = async (username: string): Promise<string> =>
    (
      await db.query<{ password_hash: string }>(
        'SELECT password_hash FROM accounts WHERE username_key = $1',
        [username],
      )
    ).rows[0]!.password_hash;
  const setHash = (username: string, hash: string) =>
    db.query('UPDATE accounts SET password_hash = $1 WHERE username_key = $2', [hash, username]);
  const login = (username: string, password: string) =>
    call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
      username,
      password,
      description: '',
    });

  before(async () => {
    // New hashes at N=2^15: above the legacy 2^14, cheap enough for a test.
    h = await startHarness({ MQFLEET_PASSWORD_HASH_COST: '15' });
    db = new pg.Client({ connectionString: h.infra.databaseUrl });
    await db.connect();
    adminToken = (await login('ADMIN', 'ADMIN')).token;
    for (const username of ['old-api', 'old-mqtt']) {
      await call(
        h.accounts,
        h.accounts.CreateAccount,
        { username, password: 'old-secret-1', role: 'user' },
        bearer(adminToken),
      );
      await setHash(username, legacyHash('old-secret-1'));
    }
  });
  after(async () => {
    await db?.end();
    await h?.close();
  });

  test('new hashes name their parameters', async () => {
    assert.match(await storedHash('admin'), /^scrypt\$ln=15,r=8,p=1\$[^$]+\$[^$]+$/);
  });

  test('a legacy hash verifies; a wrong password leaves it, the right one replaces it (createSession)', async () => {
    const legacy = await storedHash('old-api');
    await assert.rejects(login('old-api', 'wrong'), (err: grpc.ServiceError) => {
      assert.equal(err.metadata.get('mqfleet-error-code')[0], 'BAD_PASSWORD');
      return true;
    });
    assert.equal(await storedHash('old-api'), legacy);
    assert.ok((await login('old-api', 'old-secret-1')).token);
    const upgraded = await storedHash('old-api');
    assert.match(upgraded, /^scrypt\$ln=15,r=8,p=1\$/);
    // The new hash is the same password.
    assert.ok((await login('old-api', 'old-secret-1')).token);
    assert.equal(await storedHash('old-api'), upgraded);
  });

  test('the same through an MQTT CONNECT (OpenSession)', async () => {
    const open = (password: string) =>
      call<object, OpenSessionResponse__Output>(h.sessions, h.sessions.OpenSession, {
        clientName: 'meter-upgrade',
        gatewayId: 'test-gw',
        connectionId: `c-${password}`,
        ipAddress: '127.0.0.1',
        username: 'old-mqtt',
        password: Buffer.from(password),
        declared: { mqttProtocol: '5.0', cleanStart: true },
      });
    assert.equal((await open('wrong')).refusal, 'OPEN_REFUSAL_BAD_CREDENTIALS');
    assert.doesNotMatch(await storedHash('old-mqtt'), /^scrypt\$ln=/);
    assert.equal((await open('old-secret-1')).refusal, 'OPEN_REFUSAL_NONE');
    assert.match(await storedHash('old-mqtt'), /^scrypt\$ln=15,r=8,p=1\$/);
  });
});
