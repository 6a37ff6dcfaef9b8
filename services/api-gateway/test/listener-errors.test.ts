// A failed accept on the HTTP listener (EMFILE when the process is out of file descriptors, in a
// connection flood): Node reports it as an 'error' event on the listening server, which Fastify
// no longer listens for once it listens. The api-gateway logs it and goes on serving (src/index.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gateway } from './helpers';

test('the HTTP listener goes on serving after failed accepts, and logs them', async () => {
  const lines: string[] = [];
  const gw = gateway({}, lines);
  const { port } = await gw.start();
  try {
    // What Node does when accept() fails on a listening server; more than once, as in a flood.
    for (let i = 0; i < 3; i++) {
      gw.app.server.emit(
        'error',
        Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' }),
      );
    }
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    assert.equal(live.status, 200);
    assert.equal(
      lines.filter((l) => l.includes('HTTP listener could not accept a connection') && l.includes('EMFILE'))
        .length,
      3,
    );
  } finally {
    await gw.close();
  }
});
