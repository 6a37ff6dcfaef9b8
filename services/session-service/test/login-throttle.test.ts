// The throttle's arithmetic (services/session-service/src/login-throttle.ts) on a clock the test
// moves: free failures, doubling delays up to the cap, decay, what a success resets, and the keys
// of addresses. The end-to-end behaviour is in test/e2e/login-throttle.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, LoginThrottle, throttledMessage } from '../src/login-throttle';

function throttle(limits = { freeFailures: 3, addressFreeFailures: 10, maxDelaySeconds: 8 }) {
  const clock = { now: 1_000_000 };
  return { clock, t: new LoginThrottle(limits, () => clock.now) };
}

describe('LoginThrottle', () => {
  it('delays double after the free failures, up to the cap', () => {
    const { clock, t } = throttle();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      assert.equal(t.check('Victim', '10.0.0.1'), undefined, `attempt ${i} is checked`);
      t.failed('victim', '10.0.0.1');
      const held = t.check('victim', '10.0.0.1');
      delays.push(held?.retryAfterMs ?? 0);
      clock.now += held?.retryAfterMs ?? 0;
    }
    assert.deepEqual(delays, [0, 0, 0, 1000, 2000, 4000, 8000, 8000]);
  });

  it('an attempt during a delay is refused and not counted', () => {
    const { clock, t } = throttle();
    for (let i = 0; i < 4; i++) t.failed('victim', '10.0.0.1');
    for (let i = 0; i < 50; i++) assert.equal(t.check('victim', '10.0.0.1')?.by, 'username');
    clock.now += 1000;
    assert.equal(t.check('victim', '10.0.0.1'), undefined);
    t.failed('victim', '10.0.0.1');
    assert.equal(t.check('victim', '10.0.0.1')?.retryAfterMs, 2000);
  });

  it('a minute without a failure forgives one', () => {
    const { clock, t } = throttle();
    for (let i = 0; i < 5; i++) t.failed('victim', '10.0.0.1');
    clock.now += 2 * 60_000;
    // 5 - 2 = 3 left: the next failure is the fourth, delayed 1 s.
    t.failed('victim', '10.0.0.1');
    assert.equal(t.check('victim', '10.0.0.1')?.retryAfterMs, 1000);
    // Long quiet: all forgiven, three free failures again.
    clock.now += 10 * 60_000;
    for (let i = 0; i < 3; i++) t.failed('victim', '10.0.0.1');
    assert.equal(t.check('victim', '10.0.0.1'), undefined);
  });

  it('a success resets its own pair, not the address; a known pair passes an address held back', () => {
    const { t } = throttle({ freeFailures: 3, addressFreeFailures: 4, maxDelaySeconds: 60 });
    t.succeeded('meter', '10.0.0.2');
    for (let i = 0; i < 5; i++) t.failed(`nobody-${i}`, '10.0.0.2');
    assert.equal(t.check('stranger', '10.0.0.2')?.by, 'address');
    assert.match(throttledMessage(t.check('stranger', '10.0.0.2')!), /from this address; try again in 1 s/);
    assert.equal(t.check('meter', '10.0.0.2'), undefined);
    // Another account's success from there does not free the address.
    t.succeeded('other', '10.0.0.2');
    assert.equal(t.check('stranger', '10.0.0.2')?.by, 'address');
    // Elsewhere nothing is held back.
    assert.equal(t.check('stranger', '10.0.0.3'), undefined);
  });

  it("another replica's checks count as this one's, and are not told on", () => {
    const { t } = throttle();
    const told: string[] = [];
    t.share = (news) => told.push(`${news.outcome} ${news.username} ${news.address}`);
    t.failed('victim', '10.0.0.1');
    for (let i = 0; i < 3; i++) t.apply({ outcome: 'failed', username: 'victim', address: '10.0.0.1' });
    // Four failures, three free: held back as if all four were made here.
    assert.equal(t.check('victim', '10.0.0.1')?.by, 'username');
    t.apply({ outcome: 'succeeded', username: 'victim', address: '10.0.0.1' });
    assert.equal(t.check('victim', '10.0.0.1'), undefined);
    t.succeeded('victim', '10.0.0.1');
    assert.deepEqual(told, ['failed victim 10.0.0.1', 'succeeded victim 10.0.0.1']);
  });
});

describe('addressKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6, and counts IPv6 by its /64', () => {
    assert.equal(addressKey('127.0.0.9'), '127.0.0.9');
    assert.equal(addressKey('::ffff:127.0.0.9'), '127.0.0.9');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb::7'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('not an address'), 'not an address');
  });
});
