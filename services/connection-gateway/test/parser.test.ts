// The connection's parser (src/parser.ts): mqtt-packet's parser over a plain BufferList. Packets
// split at every byte, several in one chunk, and the state after a malformed packet parse as with
// mqtt-packet's own parser; and the swap is in force (a later mqtt-packet without the fields it
// relies on would silently bring back a stream per connection).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as mqtt from 'mqtt-packet';
import { createParser, parserIdle } from '../src/parser';

const packets: mqtt.Packet[] = [
  { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 30, clientId: 'p-1' },
  { cmd: 'subscribe', messageId: 7, subscriptions: [{ topic: 'a/#', qos: 1 }] },
  {
    cmd: 'publish',
    topic: 'a/b',
    payload: Buffer.alloc(300, 1),
    qos: 1,
    messageId: 8,
    retain: false,
    dup: false,
    properties: { userProperties: { k: 'v' } },
  },
  { cmd: 'pingreq' },
];
const bytes = Buffer.concat(packets.map((p) => mqtt.generate(p, { protocolVersion: 5 })));

function parseAll(parser: ReturnType<typeof createParser>, chunks: Buffer[]): mqtt.Packet[] {
  const got: mqtt.Packet[] = [];
  parser.on('packet', (p: mqtt.Packet) => got.push(p));
  for (const chunk of chunks) parser.parse(chunk);
  return got;
}

const summary = (ps: mqtt.Packet[]): unknown[] =>
  ps.map((p) => [p.cmd, (p as { messageId?: number }).messageId, (p as { length?: number }).length]);

describe('connection parser', () => {
  test('holds its bytes in a BufferList, not a stream', () => {
    const list = (createParser(5) as unknown as { _list: object })._list;
    assert.equal(typeof (list as { append?: unknown }).append, 'function');
    assert.equal((list as { pipe?: unknown }).pipe, undefined);
  });

  test('packets split at every byte parse as with mqtt-packet', () => {
    const expected = parseAll(mqtt.parser({ protocolVersion: 5 }), [bytes]);
    assert.equal(expected.length, 4);
    const oneByOne = parseAll(
      createParser(5),
      [...bytes].map((b) => Buffer.from([b])),
    );
    assert.deepEqual(summary(oneByOne), summary(expected));
    const whole = parseAll(createParser(5), [bytes]);
    assert.deepEqual(whole, expected);
  });

  test('after a malformed packet the parser starts again with an empty list', () => {
    const parser = createParser(5);
    const errors: Error[] = [];
    parser.on('error', (err: Error) => errors.push(err));
    const got = parseAll(parser, [Buffer.from([0x00, 0x00])]);
    assert.equal(errors.length, 1);
    assert.equal(got.length, 0);
    parser.parse(mqtt.generate({ cmd: 'pingreq' }, { protocolVersion: 5 }));
    assert.deepEqual(
      got.map((p) => p.cmd),
      ['pingreq'],
    );
  });

  // dispatcher.ts lends a parser to a connection only while part of a packet is read: an idle
  // parser must be one that holds nothing of the last connection.
  test('is idle only between whole packets and without an error', () => {
    const parser = createParser(5);
    parser.on('packet', () => undefined);
    parser.on('error', () => undefined);
    assert.equal(parserIdle(parser), true);
    const publish = mqtt.generate(packets[2]!, { protocolVersion: 5 });
    for (const cut of [1, 2, 5, publish.length - 1]) {
      parser.parse(publish.subarray(0, cut));
      assert.equal(parserIdle(parser), false, `after ${cut} of ${publish.length} bytes`);
      parser.parse(publish.subarray(cut));
      assert.equal(parserIdle(parser), true, `after the rest of a cut at ${cut}`);
    }
    parser.parse(Buffer.concat([publish, publish.subarray(0, 3)]));
    assert.equal(parserIdle(parser), false);
    parser.parse(publish.subarray(3));
    assert.equal(parserIdle(parser), true);
    parser.parse(Buffer.from([0x00, 0x00]));
    assert.equal(parserIdle(parser), false, 'after a malformed packet');
  });
});
