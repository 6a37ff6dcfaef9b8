// A token's absolute lifetime (MQFLEET_TOKEN_MAX_LIFETIME_SECONDS; docs/security.md): used all the
// time, so never idle, it still stops working once it has lived that long; a new login works.
// A real session-service (in-process) on real Postgres.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { CreateTokenResponse__Output, WhoAmIResponse__Output } from '@mqfleet/proto';
import { bearer, call, startHarness, type Harness } from './helpers';

const LIFETIME_S = 2;

describe('the absolute lifetime of tokens', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ MQFLEET_TOKEN_MAX_LIFETIME_SECONDS: String(LIFETIME_S) });
  });
  after(async () => {
    await h?.close();
  });
  const login = async (): Promise<string> =>
    (
      await call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
        username: 'ADMIN',
        password: 'ADMIN',
        idleTimeoutSeconds: 3600,
      })
    ).token;
  const whoAmI = (token: string) =>
    call<object, WhoAmIResponse__Output>(h.auth, h.auth.WhoAmI, {}, bearer(token));

  test('a token in constant use ends at its lifetime, not before; a new login works', async () => {
    const asked = Date.now();
    const token = await login();
    assert.equal((await whoAmI(token)).username, 'ADMIN');
    // Used every 100 ms (its idle timer never runs out) until it is refused.
    let refused: grpc.ServiceError | undefined;
    const deadline = Date.now() + 10_000;
    while (!refused && Date.now() < deadline) {
      try {
        await whoAmI(token);
        await new Promise((resolve) => setTimeout(resolve, 100));
      } catch (err) {
        refused = err as grpc.ServiceError;
      }
    }
    const age = Date.now() - asked;
    assert.ok(refused, 'refused within 10 s');
    assert.equal(refused.code, grpc.status.UNAUTHENTICATED);
    assert.equal(refused.metadata.get('mqfleet-error-code')[0], 'BAD_TOKEN');
    // (Measured from before the login: the token itself is younger than `age`.)
    assert.ok(age >= LIFETIME_S * 1000, `refused after ${age} ms, before its lifetime`);
    assert.equal((await whoAmI(await login())).username, 'ADMIN');
  });
});
