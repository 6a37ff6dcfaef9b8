// Each service's command line: --help prints the configuration reference (every setting, from the
// one table in packages/core/src/config.ts) and exits 0; a bad setting stops the start with a
// message that names it and what it must be.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@mqfleet/testkit';

const SERVICES = ['session-service', 'connection-gateway', 'api-gateway'];

/** The environment without any MQFLEET_* variable of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MQFLEET_')));
  return { ...env, ...extra };
}

describe('service command lines', () => {
  for (const service of SERVICES) {
    const main = join(REPO_ROOT, 'services', service, 'dist', 'main.js');

    it(`${service} --help prints every setting and exits 0`, () => {
      const r = spawnSync(process.execPath, [main, '--help'], {
        env: cleanEnv(),
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^${service}: `));
      assert.match(r.stdout, /^MQFLEET_MQTT_PORT \/ "mqttPort": .*\(default 1883\)$/m);
      assert.match(r.stdout, /^MQFLEET_RESUME_HOLD_MS \/ "resumeHoldMs": /m);
      assert.ok(r.stdout.split('\n').filter((l) => l.startsWith('MQFLEET_')).length >= 60);
    });

    it(`${service} refuses a bad setting at start, naming it`, () => {
      const r = spawnSync(process.execPath, [main], {
        env: cleanEnv({ MQFLEET_MQTT_PORT: '99999' }),
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /MQFLEET_MQTT_PORT must be a port number \(0-65535\); got "99999"/);
    });
  }
});
