// The built service as operators run it: node services/api-gateway/dist/main.js.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { freePort, REPO_ROOT, startService } from '@mqfleet/testkit';

const built = existsSync(path.join(REPO_ROOT, 'services/api-gateway/dist/main.js'));

describe('dist/main.js', { skip: built ? false : 'api-gateway is not built' }, () => {
  it('logs ready with its port, serves HTTP and stops on SIGTERM', async () => {
    const port = await freePort();
    const service = await startService('api-gateway', {
      MQFLEET_HTTP_PORT: String(port),
      MQFLEET_SESSION_SERVICE: '127.0.0.1:1',
    });
    try {
      const ready = JSON.parse(await service.waitForLine((l) => l.includes('"msg":"ready"'))) as {
        port: number;
      };
      assert.equal(ready.port, port);
      const live = await fetch(`http://127.0.0.1:${port}/health/live`);
      assert.equal(live.status, 200);
      const res = await fetch(`http://127.0.0.1:${port}/api`, {
        method: 'POST',
        body: JSON.stringify({ action: 'pingSession', requestId: 'x' }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        result: {},
        errorCode: 0,
        errorMessage: '',
        requestId: 'x',
        authToken: '',
      });
    } finally {
      assert.equal(await service.stop('SIGTERM'), 0);
    }
  });

  it('refuses to start on an unknown MQFLEET_ variable', async () => {
    await assert.rejects(
      startService('api-gateway', { MQFLEET_HTTP_PROT: '1' }, { readyTimeoutMs: 5000 }),
      /exited/,
    );
  });
});
