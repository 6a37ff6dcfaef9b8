// The 4-byte publish acknowledgements the gateway writes itself (src/outbound.ts plainAck) are the
// bytes mqtt-packet generates for them (in MQTT 5 with Reason Code 0 left out, as allowed), and
// parse back to the same packet, in MQTT 3.1.1 and 5.
// The PUBLISH packets without properties it writes itself (plainPublish) are compared the same way.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as mqtt from 'mqtt-packet';
import { plainAck, plainPublish } from '../src/outbound';

describe('plain publish acknowledgements', () => {
  for (const cmd of ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const) {
    for (const protocolVersion of [4, 5] as const) {
      test(`${cmd} in MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}`, () => {
        for (const messageId of [1, 2, 255, 256, 4660, 65535]) {
          const packet = { cmd, messageId } as mqtt.Packet;
          const bytes = plainAck(packet)!;
          // MQTT 5: Reason Code 0 and no properties may be left out [MQTT-3.4.2.1]; mqtt-packet
          // does so when the reason code is given as 0.
          const reference = protocolVersion === 5 ? { ...packet, reasonCode: 0 } : packet;
          assert.deepEqual(bytes, mqtt.generate(reference as mqtt.Packet, { protocolVersion }));
          const parser = mqtt.parser({ protocolVersion });
          const parsed: mqtt.Packet[] = [];
          parser.on('packet', (p: mqtt.Packet) => parsed.push(p));
          parser.parse(bytes);
          assert.equal(parsed[0]?.cmd, cmd);
          assert.equal((parsed[0] as mqtt.IPubackPacket).messageId, messageId);
        }
      });
    }
  }
  test('reason codes and properties go through the generic encoder', () => {
    assert.equal(plainAck({ cmd: 'puback', messageId: 1, reasonCode: 0x80 }), undefined);
    assert.equal(plainAck({ cmd: 'puback', messageId: 1, properties: { reasonString: 'x' } }), undefined);
    assert.equal(plainAck({ cmd: 'pingresp' }), undefined);
    assert.ok(plainAck({ cmd: 'puback', messageId: 1, reasonCode: 0 }));
  });
});

// PUBLISH packets without properties (src/outbound.ts plainPublish): the bytes mqtt-packet
// generates, for every QoS, flag, topic and payload size around each remaining-length boundary.
describe('plain PUBLISH packets', () => {
  const topics = ['t', 'a/b/c', 'ünïcödé/топик/🙂', 'x'.repeat(300)];
  // Payload sizes that put the remaining length just below and above 127, 16,383 and 2,097,151.
  const sizes = [0, 1, 64, 118, 119, 120, 121, 122, 125, 16370, 16374, 16380, 2097140, 2097146];
  for (const protocolVersion of [4, 5] as const) {
    test(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: the bytes mqtt-packet makes`, () => {
      let compared = 0;
      for (const topic of topics) {
        for (const size of sizes) {
          const payload = Buffer.alloc(size, size % 251);
          for (const qos of [0, 1, 2] as const) {
            for (const [dup, retain] of [
              [false, false],
              [true, false],
              [false, true],
              [true, true],
            ] as const) {
              const packet: mqtt.IPublishPacket = {
                cmd: 'publish',
                topic,
                payload,
                qos,
                dup,
                retain,
                ...(qos > 0 ? { messageId: 1 + ((size * 7919) % 65535) } : {}),
              };
              const bytes = plainPublish(packet, protocolVersion);
              assert.ok(bytes, 'written by plainPublish');
              assert.ok(
                bytes.equals(mqtt.generate(packet, { protocolVersion })),
                JSON.stringify({ topic, size, qos }),
              );
              compared++;
            }
          }
        }
      }
      assert.equal(compared, topics.length * sizes.length * 12);
    });
  }
  test('properties, string payloads, empty topics and bad fields go through the generic encoder', () => {
    const base: mqtt.IPublishPacket = {
      cmd: 'publish',
      topic: 't',
      payload: Buffer.from('x'),
      qos: 1,
      dup: false,
      retain: false,
      messageId: 1,
    };
    assert.equal(plainPublish({ ...base, properties: { contentType: 'a' } }, 5), undefined);
    assert.equal(plainPublish({ ...base, payload: 'x' }, 4), undefined);
    assert.equal(plainPublish({ ...base, topic: '' }, 4), undefined);
    assert.equal(plainPublish({ ...base, messageId: undefined }, 4), undefined);
    assert.equal(plainPublish({ ...base, messageId: 65536 }, 4), undefined);
    assert.equal(plainPublish({ ...base, qos: 3 as 0 }, 4), undefined);
    assert.ok(plainPublish({ ...base, qos: 0, messageId: undefined }, 4));
  });
});
