// The hold's own rules (resume-hold.ts), without a cluster: what is sent when, and its bound.
// The integration with real connections, the session-service and NATS is resume-hold.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CloseSessionResponse__Output, Session__Output } from '@mqfleet/proto';
import { ResumeHold } from '../src/resume-hold';

function entry(clientName: string, sent: string[], unkept: string[]) {
  return {
    clientName,
    connectionId: `${clientName}.c`,
    version: 2n,
    protocolVersion: 4,
    session: { clientName } as Session__Output,
    send: async (): Promise<CloseSessionResponse__Output> => {
      sent.push(clientName);
      return { closed: true, sessionRemoved: false };
    },
    unkeep: () => void unkept.push(clientName),
  };
}

describe('ResumeHold', () => {
  test('beyond its bound the oldest held close is sent; taken back, nothing is sent', async () => {
    const sent: string[] = [];
    const unkept: string[] = [];
    const watched = new Map<string, number>();
    const hold = new ResumeHold(
      60_000,
      (name, on) => watched.set(name, (watched.get(name) ?? 0) + (on ? 1 : -1)),
      2,
    );
    const a = hold.hold(entry('a', sent, unkept));
    const b = hold.hold(entry('b', sent, unkept));
    const c = hold.hold(entry('c', sent, unkept));
    assert.deepEqual((await a)?.closed, true, 'the oldest was closed for room');
    assert.deepEqual(sent, ['a']);
    assert.deepEqual(unkept, ['a']);
    assert.equal(hold.size, 2);
    const taken = hold.take('b', () => true);
    assert.equal(taken?.connectionId, 'b.c');
    assert.equal(await b, undefined, 'taken back: no close');
    assert.deepEqual(sent, ['a']);
    // A CONNECT that cannot resume it sends the close.
    assert.equal(
      hold.take('c', () => false),
      undefined,
    );
    assert.equal((await c)?.closed, true);
    assert.deepEqual(sent, ['a', 'c']);
    assert.equal(hold.size, 0);
    // Every watch was undone.
    assert.deepEqual(
      [...watched.values()].filter((n) => n !== 0),
      [],
    );
    hold.stop();
  });

  test('a newer version releases, an older or equal one does not; stop sends what is held', async () => {
    const sent: string[] = [];
    const hold = new ResumeHold(60_000, () => undefined);
    const x = hold.hold(entry('x', sent, []));
    const y = hold.hold(entry('y', sent, []));
    hold.releaseNewer('x', 2n);
    assert.deepEqual(sent, []);
    hold.releaseNewer('x', 3n);
    assert.deepEqual(sent, ['x']);
    assert.equal((await x)?.closed, true);
    hold.stop();
    assert.deepEqual(sent, ['x', 'y']);
    assert.equal((await y)?.closed, true);
  });
});
