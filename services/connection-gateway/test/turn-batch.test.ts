// How the gateway batches OpenSession/CloseSession (src/session-client.ts TurnBatch): requests of
// one turn leave in one call; with CALLS_IN_FLIGHT calls out, new requests wait and leave together
// when one returns; each caller gets its own result or failure, in a call of at most 200.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CALLS_IN_FLIGHT, TurnBatch } from '../src/session-client';
import { SessionServiceError } from '../src/errors';

describe('batch calls to the session-service', () => {
  test('calls in flight are bounded; requests queued meanwhile leave together; every caller gets its own answer', async () => {
    let inFlight = 0;
    let most = 0;
    const sizes: number[] = [];
    const batch = new TurnBatch<number, string>(
      'OpenSession',
      async (requests) => {
        inFlight++;
        most = Math.max(most, inFlight);
        sizes.push(requests.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return requests.map((n) =>
          n % 10 === 3
            ? { failure: { errorMessage: `no ${n}`, status: 9, errorCode: '' } }
            : { response: `ok ${n}` },
        );
      },
      () => Promise.reject(new Error('single calls are not expected')),
    );
    // 2,000 requests over 100 turns of the event loop, 20 a turn.
    const answers: Promise<PromiseSettledResult<string>>[] = [];
    for (let turn = 0; turn < 100; turn++) {
      for (let i = 0; i < 20; i++)
        answers.push(
          batch.submit(turn * 20 + i).then(
            (value) => ({ status: 'fulfilled', value }),
            (reason: unknown) => ({ status: 'rejected', reason }),
          ),
        );
      await new Promise((resolve) => setImmediate(resolve));
    }
    const settled = await Promise.all(answers);
    settled.forEach((r, n) => {
      if (n % 10 === 3) {
        assert.equal(r.status, 'rejected');
        assert.ok((r as PromiseRejectedResult).reason instanceof SessionServiceError);
      } else assert.deepEqual(r, { status: 'fulfilled', value: `ok ${n}` });
    });
    assert.equal(most, CALLS_IN_FLIGHT);
    assert.ok(Math.max(...sizes) <= 200);
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      2000,
    );
    // While calls were out, later turns' requests went together: far fewer calls than turns.
    assert.ok(sizes.length < 100, `${sizes.length} calls`);
  });
});
