// The second-gateway oracle of the fuzzer (fuzz-lib.ts): which messages a fuzzed connection got
// acknowledged, and a witness on another gateway that must receive each of them. What one
// gateway accepts must reach the other (docs/mqtt.md "Limits of the message bus").
import { createHash } from 'node:crypto';
import * as mqttPacket from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { endClient, mqttClient } from './helpers';

export interface Ack {
  cmd: 'puback' | 'pubrec';
  messageId: number;
  reasonCode: number | undefined;
}

/** A message a gateway acknowledged: another gateway's "#" subscriber must receive it. */
export interface Accepted {
  topic: string;
  payload: Buffer;
}

interface SentPublish {
  packet: mqttPacket.IPublishPacket;
  /** The topic after the MQTT 5 topic alias is resolved, as the gateway resolves it. */
  topic: string;
  /** False for a QoS 2 PUBLISH whose packet identifier still awaits PUBREL: not routed again. */
  routed: boolean;
}

/** The PUBLISH packets of a stream as the gateway parses it, until the stream breaks. */
function publishesIn(bytes: Buffer): SentPublish[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const out: SentPublish[] = [];
  const aliases = new Map<number, string>();
  const awaiting = new Set<number>();
  let v5 = false;
  let broken = false;
  parser.on('packet', (p: mqttPacket.Packet) => {
    if (broken) return;
    if (p.cmd === 'connect') {
      v5 = p.protocolVersion === 5;
      (parser as unknown as { settings: { protocolVersion: number } }).settings.protocolVersion =
        p.protocolVersion ?? 4;
    } else if (p.cmd === 'pubrel') {
      awaiting.delete(p.messageId ?? -1);
    } else if (p.cmd === 'publish') {
      let topic = p.topic;
      const alias = v5 ? p.properties?.topicAlias : undefined;
      if (alias !== undefined) {
        if (topic === '') topic = aliases.get(alias) ?? '';
        else aliases.set(alias, topic);
      }
      let routed = true;
      if (p.qos === 2) {
        if (awaiting.has(p.messageId ?? -1)) routed = false;
        else awaiting.add(p.messageId ?? -1);
      }
      out.push({ packet: p, topic, routed });
    }
  });
  parser.on('error', () => (broken = true));
  try {
    parser.parse(bytes);
  } catch {
    // what follows a broken packet never reached a handler
  }
  return out;
}

/**
 * The messages a connection's acknowledgements accepted: acknowledgements come in the order of
 * the PUBLISH packets [MQTT-4.6.0-2], so each is matched to the next QoS 1 (PUBACK) or QoS 2
 * (PUBREC) PUBLISH with its packet identifier. Left out: refusals (reason code 0x80 or more),
 * QoS 2 duplicates, "$" topics (no "#" matches them [MQTT-4.7.2-1]) and messages that may expire
 * before delivery (Message Expiry Interval under a minute).
 */
export function acceptedMessages(bytes: Buffer, acks: Ack[]): Accepted[] {
  const publishes = publishesIn(bytes);
  const accepted: Accepted[] = [];
  let next = 0;
  for (const ack of acks) {
    const qos = ack.cmd === 'puback' ? 1 : 2;
    let k = next;
    while (
      k < publishes.length &&
      !(publishes[k]!.packet.qos === qos && publishes[k]!.packet.messageId === ack.messageId)
    )
      k++;
    if (k >= publishes.length) break;
    next = k + 1;
    const { packet, topic, routed } = publishes[k]!;
    const expiry = packet.properties?.messageExpiryInterval;
    if ((ack.reasonCode ?? 0) >= 0x80 || !routed || topic.startsWith('$')) continue;
    if (expiry !== undefined && expiry < 60) continue;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    accepted.push({ topic, payload });
  }
  return accepted;
}

const messageKey = (topic: string, payload: Buffer): string =>
  `${topic}\u0000${createHash('sha1').update(payload).digest('base64')}`;

/** An MQTT.js client on the other gateway, subscribed to "#", that counts what arrives. */
export class Witness {
  private readonly received = new Set<string>();
  private expected = new Map<string, { caseIndex: number; topic: string; bytes: number }>();
  /** Messages accepted so far, and of those delivered to the witness. */
  accepted = 0;
  delivered = 0;

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => this.received.add(messageKey(topic, payload)));
  }

  static async start(port: number, tag: string): Promise<Witness> {
    const client = await mqttClient(port, { clientId: `fz-witness-${tag}`, protocolVersion: 5 });
    await client.subscribeAsync('#', { qos: 1 }); // at least once: enough to see what arrives
    return new Witness(client);
  }

  expect(caseIndex: number, accepted: Accepted[]): void {
    for (const m of accepted) {
      const key = messageKey(m.topic, m.payload);
      if (this.expected.has(key)) continue;
      this.accepted++;
      this.expected.set(key, { caseIndex, topic: m.topic, bytes: m.payload.length });
    }
  }

  /** Waits (at most `ms`) for every expected message; returns those that never arrived. */
  async settle(ms: number): Promise<{ caseIndex: number; topic: string; bytes: number }[]> {
    const deadline = Date.now() + ms;
    const missing = (): string[] => [...this.expected.keys()].filter((k) => !this.received.has(k));
    while (missing().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const lost = missing().map((k) => this.expected.get(k)!);
    this.delivered += this.expected.size - lost.length;
    this.expected = new Map();
    this.received.clear();
    return lost;
  }

  close(): Promise<void> {
    return endClient(this.client);
  }
}
