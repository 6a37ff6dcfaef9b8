// A routed message's NATS headers (src/message.ts): the bytes encodedNatsHeaders builds for core
// NATS are those nats.js makes of toNatsHeaders, and they decode back to the same message.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { headers as natsHeaders, type MsgHdrs } from 'nats';
import {
  encodedNatsHeaders,
  fromNats,
  safeHeaderValue,
  toNatsHeaders,
  type RoutedMessage,
} from '../src/message';

const base: RoutedMessage = {
  id: 'g1.k2',
  topic: 'a/b',
  payload: Buffer.from('x'),
  qos: 1,
  retain: false,
  properties: { userProperties: [] },
  receivedAt: Date.now(),
};

const cases: [string, RoutedMessage][] = [
  ['no properties', base],
  ['retained QoS 0', { ...base, qos: 0, retain: true }],
  [
    'every property, with unicode, quotes, CR and LF in values',
    {
      ...base,
      qos: 2,
      properties: {
        userProperties: [
          ['ключ', 'wert "ü"\r\nnext'],
          ['k', ' spaced '],
        ],
        contentType: 'text/plain; charset=utf-8',
        correlationData: Buffer.from([0, 1, 255]),
        responseTopic: 'reply/ü',
        payloadFormatIndicator: true,
        messageExpiryInterval: 3600,
      },
    },
  ],
];

/** The bytes nats.js sends for these headers (encode() is not in the MsgHdrs type). */
const bytesOf = (h: MsgHdrs): Uint8Array => (h as unknown as { encode(): Uint8Array }).encode();

/** What the receiving gateway gets: the header bytes parsed by nats.js. */
function decoded(bytes: Uint8Array): MsgHdrs {
  const impl = natsHeaders() as unknown as { constructor: { decode(a: Uint8Array): MsgHdrs } };
  return impl.constructor.decode(bytes);
}

describe('NATS headers of a routed message', () => {
  for (const [name, message] of cases) {
    test(`${name}: the same bytes as nats.js makes, and the same message back`, () => {
      const fast = bytesOf(encodedNatsHeaders(message, 'gw-1'));
      assert.deepEqual(Buffer.from(fast), Buffer.from(bytesOf(toNatsHeaders(message, 'gw-1'))));
      const back = fromNats(message.topic, message.payload, decoded(fast));
      assert.ok(back);
      assert.equal(back.id, message.id);
      assert.equal(back.qos, message.qos);
      assert.equal(back.retain, message.retain);
      assert.deepEqual(back.properties.userProperties, message.properties.userProperties);
      assert.equal(back.properties.contentType, message.properties.contentType);
      assert.deepEqual(back.properties.correlationData, message.properties.correlationData);
    });
  }

  test('a gateway id that needs a check is not put in headers unchecked', () => {
    assert.equal(safeHeaderValue('gw-1'), true);
    assert.equal(safeHeaderValue('gw\r\n1'), false);
    assert.equal(safeHeaderValue(' gw'), false);
  });
});
