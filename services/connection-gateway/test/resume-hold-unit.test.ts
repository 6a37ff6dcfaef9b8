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
    assert.ok(!(taken instanceof Promise), 'nothing being written: taken at once');
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

  test('a session whose subscription change is being stored is taken once it lands, at its version', async () => {
    const sent: string[] = [];
    const hold = new ResumeHold(60_000, () => undefined);
    let land!: (session: Session__Output | undefined) => void;
    const write = new Promise<Session__Output | undefined>((resolve) => (land = resolve));
    const closing = hold.hold(entry('w', sent, []), write);
    // The change's own event (version 3) arrives before its answer: it does not release.
    hold.releaseNewer('w', 3n);
    const taking = hold.take('w', () => true);
    assert.ok(taking instanceof Promise, 'taken once the write lands');
    const stored = { clientName: 'w', version: '3', subscriptions: [{ topicFilter: 'a/b' }] };
    land(stored as unknown as Session__Output);
    const taken = await taking;
    assert.equal(taken?.version, 3n);
    assert.equal(taken?.session, stored, 'held at what the write stored');
    assert.equal(await closing, undefined);
    assert.deepEqual(sent, []);
    hold.stop();
  });

  test('a write that finds something newer, or does not land, sends the held close', async () => {
    const sent: string[] = [];
    const hold = new ResumeHold(60_000, () => undefined);
    let landP!: (session: Session__Output | undefined) => void;
    const p = hold.hold(entry('p', sent, []), new Promise((resolve) => (landP = resolve)));
    let landQ!: (session: Session__Output | undefined) => void;
    const q = hold.hold(entry('q', sent, []), new Promise((resolve) => (landQ = resolve)));
    // An alteration (version 4) came after the change (version 3) of p.
    hold.releaseNewer('p', 3n);
    hold.releaseNewer('p', 4n);
    const takingP = hold.take('p', () => true);
    landP({ clientName: 'p', version: '3' } as unknown as Session__Output);
    assert.equal(await takingP, undefined);
    assert.equal((await p)?.closed, true);
    // q's change did not land (its connection no longer held the session).
    landQ(undefined);
    assert.equal((await q)?.closed, true);
    assert.deepEqual(sent, ['p', 'q']);
    assert.equal(hold.size, 0);
    hold.stop();
  });
});
