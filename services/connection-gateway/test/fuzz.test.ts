// A short fuzz run over real sockets (fuzz-lib.ts): a fresh seed each run, printed in the test
// name; replay a failure with MQFLEET_FUZZ_SEED=<seed>. The long run is bench/fuzz-long.ts. Two
// gateways: every message the fuzzed one acknowledged must reach a "#" subscriber on the other.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../src/index';
import { startCluster, type Cluster } from './helpers';
import { fuzz, fuzzSeed, heapUsed, watch } from './fuzz-lib';

const SEED = fuzzSeed();

describe('connection-gateway fuzzing', () => {
  let cluster: Cluster;
  let gateway: Gateway;
  let port: number;
  let peer: Gateway;
  let peerPort: number;

  before(async () => {
    cluster = await startCluster();
    ({ gateway, port } = await cluster.startGateway());
    ({ gateway: peer, port: peerPort } = await cluster.startGateway());
  });
  after(async () => {
    await cluster?.close();
  });

  test(`1,500 random, valid and mutated inputs over TCP (MQFLEET_FUZZ_SEED=${SEED})`, async (t) => {
    const w = watch(gateway);
    const wPeer = watch(peer);
    const heapBefore = heapUsed();
    try {
      const stats = await fuzz({
        port,
        seed: SEED,
        maxInputs: 1500,
        maxSeconds: 60,
        concurrency: 8,
        perConnection: 1,
        deadlineMs: 2000,
        batchCases: 250,
        peerPort,
      });
      const heapAfter = heapUsed();
      t.diagnostic(
        `seed ${SEED}: ${stats.written} inputs in ${stats.cases} connections, ${stats.seconds.toFixed(1)} s; ` +
          `outcomes ${JSON.stringify(stats.outcomes)}; heapUsed ${(heapBefore.bytes / 2 ** 20).toFixed(1)} → ` +
          `${(heapAfter.bytes / 2 ** 20).toFixed(1)} MiB${heapAfter.afterGc ? ' (after GC)' : ''}; ` +
          `acknowledged ${stats.accepted}, delivered on the other gateway ${stats.delivered}`,
      );
      assert.deepEqual(w.errors, [], 'unhandled errors');
      assert.deepEqual(wPeer.errors, [], 'unhandled errors on the other gateway');
      // What one gateway acknowledged reached the other (a seed acknowledges dozens at least).
      assert.deepEqual(stats.lost, [], 'acknowledged messages that never reached the other gateway');
      assert.ok(stats.accepted > 0, 'no message was acknowledged');
      assert.deepEqual(w.internalErrors, [], 'handlers threw unexpected errors');
      assert.deepEqual(stats.hangs, [], 'connections neither closed nor answering PINGREQ');
      assert.ok(stats.written >= 1500, `only ${stats.written} inputs written`);
    } finally {
      w.stop();
      wPeer.stop();
    }
  });
});
