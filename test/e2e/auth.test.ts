// MQTT username/password against the accounts of the session-service, and anonymous clients
// allowed or refused by configuration.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IClientOptions } from 'mqtt';
import { connackCode } from '@mqfleet/testkit';
import { startSystem, type System } from './system';

const BAD_USERNAME_OR_PASSWORD = 0x86;
const NOT_AUTHORIZED = 0x87;

for (const allowAnonymous of [true, false]) {
  describe(`MQTT authentication (MQFLEET_ALLOW_ANONYMOUS=${allowAnonymous})`, () => {
    let system: System;
    let port: number;

    before(async () => {
      system = await startSystem({ env: { MQFLEET_ALLOW_ANONYMOUS: String(allowAnonymous) } });
      port = system.gateways[0]!.port;
      const token = await system.login();
      const res = await system.api(
        'createAccount',
        { username: 'meter-7', password: 's3cret-ü', role: 'user' },
        { api: 'admin', authToken: token },
      );
      assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    });
    after(async () => {
      await system?.close();
    });

    it('accepts an account with its password (user names are not case-sensitive)', async () => {
      for (const protocolVersion of [4, 5] as const) {
        const code = await connackCode(port, {
          protocolVersion,
          clientId: `auth-ok-${protocolVersion}`,
          username: 'METER-7',
          password: 's3cret-ü',
        });
        assert.equal(code, 0);
      }
    });

    it('refuses a wrong password or an unknown account: 0x86 (MQTT 5), return code 4 (3.1.1)', async () => {
      const cases: [IClientOptions, number][] = [
        [{ protocolVersion: 5, username: 'meter-7', password: 'wrong' }, BAD_USERNAME_OR_PASSWORD],
        [{ protocolVersion: 5, username: 'nobody', password: 's3cret-ü' }, BAD_USERNAME_OR_PASSWORD],
        [{ protocolVersion: 4, username: 'meter-7', password: 'wrong' }, 4],
      ];
      for (const [options, expected] of cases) {
        assert.equal(
          await connackCode(port, { clientId: 'auth-bad', ...options }),
          expected,
          JSON.stringify(options),
        );
      }
    });

    it(`${allowAnonymous ? 'accepts' : 'refuses'} a client without a username`, async () => {
      assert.equal(
        await connackCode(port, { protocolVersion: 5, clientId: 'anon-5' }),
        allowAnonymous ? 0 : NOT_AUTHORIZED,
      );
      assert.equal(
        await connackCode(port, { protocolVersion: 4, clientId: 'anon-4' }),
        allowAnonymous ? 0 : 5,
      );
    });
  });
}
