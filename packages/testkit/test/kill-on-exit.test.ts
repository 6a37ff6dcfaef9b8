// A test process stopped from outside takes the processes it started with it (killOnExit in
// src/process.ts): here a nats-server of a test's own (OwnNats), in a child Node.js process that
// gets SIGTERM, as a test runner stopped with `kill` sends its test files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, until } from '../src/index';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('killOnExit', () => {
  it('a test process ended by SIGTERM ends the nats-server it started, and still dies of SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqfleet-kill-on-exit-'));
    const port = await freePort();
    const script = `
      const { OwnNats } = require(${JSON.stringify(join(__dirname, '../src/nats-server'))});
      const nats = new OwnNats(${port}, ${JSON.stringify(join(dir, 'js'))});
      nats.start().then(() => console.log('nats-server ' + nats.pid));
      setInterval(() => undefined, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pid: number | undefined;
    try {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await until(() => /nats-server \d+/.test(output), 15_000);
      pid = Number(/nats-server (\d+)/.exec(output)![1]);
      assert.ok(alive(pid));
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      assert.equal(signal, 'SIGTERM', `exit code ${code}`);
      await until(() => !alive(pid!), 5_000);
    } finally {
      child.kill('SIGKILL');
      // (Left running only when the test fails.)
      if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
