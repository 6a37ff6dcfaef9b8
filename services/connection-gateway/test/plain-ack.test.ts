// The 4-byte publish acknowledgements the gateway writes itself (src/outbound.ts plainAck) are the
// bytes mqtt-packet generates for them (in MQTT 5 with Reason Code 0 left out, as allowed), and
// parse back to the same packet, in MQTT 3.1.1 and 5.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as mqtt from 'mqtt-packet';
import { plainAck } from '../src/outbound';

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
