// The counting of services/connection-gateway/src/connection-limits.ts on a clock the test moves;
// the refusals on real connections are in test/e2e/connection-limits.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionLimits } from '../src/connection-limits';

describe('ConnectionLimits', () => {
  it('counts open connections in all and per address, and frees them on release', () => {
    const limits = new ConnectionLimits({
      maxConnections: 3,
      maxConnectionsPerAddress: 2,
      connectRate: 0,
      connectRatePerAddress: 0,
    });
    assert.equal(limits.admit('a'), undefined);
    assert.equal(limits.admit('a'), undefined);
    assert.equal(limits.admit('a'), 'maxConnectionsPerAddress');
    assert.equal(limits.admit('b'), undefined);
    assert.equal(limits.admit('c'), 'maxConnections');
    limits.release('a');
    assert.equal(limits.admit('c'), undefined);
    assert.deepEqual(limits.refused, {
      maxConnections: 1,
      maxConnectionsPerAddress: 1,
      connectRate: 0,
      connectRatePerAddress: 0,
    });
    assert.equal(limits.refusedTotal, 2);
  });

  it('lets a second’s worth of connections through at once, then the rate', () => {
    const clock = { now: 0 };
    const limits = new ConnectionLimits(
      { maxConnections: 0, maxConnectionsPerAddress: 0, connectRate: 0, connectRatePerAddress: 4 },
      () => clock.now,
    );
    const admitted = (n: number) =>
      Array.from({ length: n }, () => limits.admit('a')).filter((r) => r === undefined).length;
    assert.equal(admitted(6), 4);
    clock.now += 500; // two more
    assert.equal(admitted(3), 2);
    assert.equal(limits.admit('b'), undefined, 'another address has its own bucket');
    assert.equal(limits.refused.connectRatePerAddress, 3);
  });

  it('MQFLEET_CONNECT_RATE holds every address back together; an address over its own rate takes nothing from it', () => {
    const clock = { now: 0 };
    const limits = new ConnectionLimits(
      { maxConnections: 0, maxConnectionsPerAddress: 0, connectRate: 4, connectRatePerAddress: 2 },
      () => clock.now,
    );
    // 'a' is refused by its own rate after two: those refusals leave the gateway's bucket alone.
    assert.deepEqual(
      ['a', 'a', 'a', 'a', 'b', 'c', 'd'].map((x) => limits.admit(x)),
      [
        undefined,
        undefined,
        'connectRatePerAddress',
        'connectRatePerAddress',
        undefined,
        undefined,
        'connectRate',
      ],
    );
    clock.now += 250; // one more for the gateway
    assert.equal(limits.admit('d'), undefined);
    assert.equal(limits.admit('e'), 'connectRate');
    assert.deepEqual(limits.refused, {
      maxConnections: 0,
      maxConnectionsPerAddress: 0,
      connectRate: 2,
      connectRatePerAddress: 2,
    });
    assert.equal(limits.refusedTotal, 4);
  });
});
