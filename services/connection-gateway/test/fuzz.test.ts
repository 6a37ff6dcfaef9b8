// A short fuzz run over real sockets (fuzz-lib.ts): a fresh seed each run, printed in the test
// name; replay a failure with MQFLEET_FUZZ_SEED=<seed>. The long run is bench/fuzz-long.ts.
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

  before(async () => {
    cluster = await startCluster();
    ({ gateway, port } = await cluster.startGateway());
  });
  after(async () => {
    await cluster?.close();
  });

  test(`1,500 random, valid and mutated inputs over TCP (MQFLEET_FUZZ_SEED=${SEED})`, async (t) => {
    const w = watch(gateway);
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
      });
      const heapAfter = heapUsed();
      t.diagnostic(
        `seed ${SEED}: ${stats.written} inputs in ${stats.cases} connections, ${stats.seconds.toFixed(1)} s; ` +
          `outcomes ${JSON.stringify(stats.outcomes)}; heapUsed ${(heapBefore.bytes / 2 ** 20).toFixed(1)} → ` +
          `${(heapAfter.bytes / 2 ** 20).toFixed(1)} MiB${heapAfter.afterGc ? ' (after GC)' : ''}`,
      );
      assert.deepEqual(w.errors, [], 'unhandled errors');
      assert.deepEqual(w.internalErrors, [], 'handlers threw unexpected errors');
      assert.deepEqual(stats.hangs, [], 'connections neither closed nor answering PINGREQ');
      assert.ok(stats.written >= 1500, `only ${stats.written} inputs written`);
    } finally {
      w.stop();
    }
  });
});
