// Reason String and Request Problem Information (MQTT 5). The gateway sends a Reason String on
// its DISCONNECT only; acknowledgements that refuse something carry just the reason code. With
// Request Problem Information 0 the server must not send a Reason String or User Properties on
// any packet other than PUBLISH, CONNACK and DISCONNECT [MQTT-3.1.2-29]; DISCONNECT may still
// carry one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as mqttPacket from 'mqtt-packet';
import { ReasonCode } from '../src/reason-codes';
import { connectPacket, RawClient, startCluster, type Cluster } from './helpers';

describe('Reason String and Request Problem Information', () => {
  let cluster: Cluster;
  let dir: string;
  let port: number;
  const raws: RawClient[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mqfleet-rpi-'));
    const config = join(dir, 'config.json');
    // "secret/#" may be neither published nor subscribed: refusals with reason code 0x87.
    writeFileSync(
      config,
      JSON.stringify({
        authorization: [
          { permission: 'deny', action: 'all', topics: ['secret/#'] },
          { permission: 'allow', action: 'all', topics: ['#'] },
        ],
      }),
    );
    cluster = await startCluster();
    ({ port } = await cluster.startGateway({ MQFLEET_CONFIG: config }));
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await cluster?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** An MQTT 5 raw client; `rpi` undefined leaves Request Problem Information out (default 1). */
  async function connected(clientId: string, rpi: boolean | undefined): Promise<RawClient> {
    const raw = await RawClient.open(port, 5);
    raws.push(raw);
    raw.send(
      connectPacket(clientId, {
        protocolVersion: 5,
        ...(rpi !== undefined ? { properties: { requestProblemInformation: rpi } } : {}),
      }),
    );
    const connack = (await raw.next()) as mqttPacket.IConnackPacket;
    assert.equal(connack.cmd, 'connack');
    assert.equal(connack.reasonCode, 0);
    return raw;
  }

  interface Ack {
    cmd: string;
    messageId?: number;
    reasonCode?: number;
    granted?: number[];
    properties?: { reasonString?: string; userProperties?: unknown };
  }

  /** The next packet: `cmd` for `messageId`, with neither Reason String nor User Properties. */
  async function bareAck(raw: RawClient, cmd: string, messageId: number): Promise<Ack> {
    const packet = (await raw.next()) as Ack | undefined;
    assert.equal(packet?.cmd, cmd);
    assert.equal(packet.messageId, messageId);
    assert.equal(packet.properties?.reasonString, undefined, `${cmd} carries a Reason String`);
    assert.equal(packet.properties?.userProperties, undefined, `${cmd} carries User Properties`);
    return packet;
  }

  for (const rpi of [false, undefined]) {
    const label =
      rpi === false ? 'Request Problem Information 0 [MQTT-3.1.2-29]' : 'Request Problem Information 1';
    test(`${label}: refusing SUBACK, PUBACK, PUBREC, UNSUBACK, PUBCOMP and PUBREL carry no Reason String`, async () => {
      const raw = await connected(`rpi-acks-${String(rpi)}`, rpi);

      // SUBSCRIBE refused by the authorization rules (0x87) and for an invalid filter (0x8F).
      raw.send({
        cmd: 'subscribe',
        messageId: 1,
        subscriptions: [
          { topic: 'secret/x', qos: 1 },
          { topic: 'bad/#/filter', qos: 1 },
        ],
      });
      const suback = await bareAck(raw, 'suback', 1);
      assert.deepEqual(suback.granted, [ReasonCode.NOT_AUTHORIZED, ReasonCode.TOPIC_FILTER_INVALID]);

      // PUBLISH refused: PUBACK / PUBREC 0x87.
      const refused = { topic: 'secret/x', payload: Buffer.from('no'), dup: false, retain: false } as const;
      raw.send({ cmd: 'publish', ...refused, qos: 1, messageId: 2 });
      assert.equal((await bareAck(raw, 'puback', 2)).reasonCode, ReasonCode.NOT_AUTHORIZED);
      raw.send({ cmd: 'publish', ...refused, qos: 2, messageId: 3 });
      assert.equal((await bareAck(raw, 'pubrec', 3)).reasonCode, ReasonCode.NOT_AUTHORIZED);

      // UNSUBSCRIBE of a filter not subscribed: 0x11.
      raw.send({ cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['never/subscribed'] });
      const unsuback = await bareAck(raw, 'unsuback', 4);
      assert.deepEqual(unsuback.granted, [ReasonCode.NO_SUBSCRIPTION_EXISTED]);

      // Unknown packet identifiers: PUBCOMP / PUBREL 0x92.
      raw.send({ cmd: 'pubrel', messageId: 5 });
      assert.equal((await bareAck(raw, 'pubcomp', 5)).reasonCode, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND);
      raw.send({ cmd: 'pubrec', messageId: 6 });
      assert.equal((await bareAck(raw, 'pubrel', 6)).reasonCode, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND);

      // Still connected.
      raw.send({ cmd: 'pingreq' });
      assert.equal((await raw.next())?.cmd, 'pingresp');
    });

    test(`${label}: the server's DISCONNECT carries a Reason String`, async () => {
      const raw = await connected(`rpi-disconnect-${String(rpi)}`, rpi);
      // Topic Alias 0 is a protocol error: DISCONNECT 0x94 [MQTT-3.3.2-8].
      raw.send({
        cmd: 'publish',
        topic: 'alias/x',
        payload: Buffer.from('x'),
        qos: 0,
        dup: false,
        retain: false,
        properties: { topicAlias: 0 },
      });
      const disconnect = (await raw.next()) as mqttPacket.IDisconnectPacket | undefined;
      assert.equal(disconnect?.cmd, 'disconnect');
      assert.equal(disconnect.reasonCode, ReasonCode.TOPIC_ALIAS_INVALID);
      assert.match(disconnect.properties?.reasonString ?? '', /topic alias 0/);
      await raw.waitClosed();
    });
  }
});
