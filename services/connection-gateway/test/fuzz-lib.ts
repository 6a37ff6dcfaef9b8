// A seeded fuzzer for the gateway's packet decoding and handlers, over real TCP sockets into a
// real gateway (startCluster: session-service process, NATS, Postgres). Used by fuzz.test.ts (a
// short run in `npm test`) and bench/fuzz-long.ts (the long run).
//
// Oracle: the process never sees an unhandled error ('error' on the gateway, uncaughtException,
// unhandledRejection); every fuzz connection is closed by the server or still answers a PINGREQ
// within a deadline once its session was accepted (a stream that ends inside a packet may keep
// the server waiting for the rest: counted as "incomplete", not as a hang); after every batch a
// well-behaved MQTT.js client can connect, subscribe and receive a message. With a second gateway
// (RunOptions.peerPort) a witness subscribed to "#" there must receive every message the fuzzed
// gateway acknowledged (PUBACK/PUBREC below 0x80): what one gateway accepts must reach the other.
import { connect as tcpConnect, type Socket } from 'node:net';
import * as mqttPacket from 'mqtt-packet';
import type { Gateway } from '../src/index';
import { endClient, mqttClient, nextMessage } from './helpers';
import { acceptedMessages, Witness, type Accepted, type Ack } from './fuzz-witness';

// ---------------------------------------------------------------------------------------------
// PRNG

/** sfc32 seeded through splitmix32: fast, deterministic, good enough for fuzzing. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** [0, 1) */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  bool(p = 0.5): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }

  /** Mostly small sizes, sometimes large. */
  size(max: number): number {
    const r = this.float();
    if (r < 0.6) return this.int(0, Math.min(16, max));
    if (r < 0.9) return this.int(0, Math.min(300, max));
    return this.int(0, max);
  }
}

/** The seed from MQFLEET_FUZZ_SEED (replay) or a fresh random one. */
export function fuzzSeed(): number {
  const env = process.env.MQFLEET_FUZZ_SEED;
  if (env !== undefined && env !== '') return Number(env) >>> 0;
  return (Math.random() * 4294967296) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Generators

export type Version = 4 | 5;

const UNICODE = ['é', 'ß', '中', '文', '😀', '\u{10ffff}', '\u0000', '\uffff', '\u200b', 'ǅ'];
const TOPIC_PIECES = ['a', 'b', 'fuzz', '+', '#', '$SYS', '$share', '', ' ', '/', 'x'.repeat(40)];

export function randomString(rng: Rng, max = 40): string {
  const n = rng.size(max);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rng.float();
    if (r < 0.7) s += String.fromCharCode(rng.int(0x20, 0x7e));
    else if (r < 0.85) s += rng.pick(UNICODE);
    else if (r < 0.9) s += String.fromCharCode(rng.int(0, 0x1f));
    else s += String.fromCharCode(rng.int(0x80, 0xd7ff));
  }
  return s;
}

/** Topic names and filters: mostly plausible, with wildcards, NUL, unicode, empty, very long. */
export function randomTopic(rng: Rng): string {
  const r = rng.float();
  if (r < 0.05) return '';
  if (r < 0.08) return 'fuzz/'.repeat(rng.int(100, 13000)); // up to ~65 KB
  if (r < 0.15) return randomString(rng, 80);
  if (r < 0.2) return `fuzz/${rng.pick(UNICODE)}/${rng.int(0, 9)}`;
  const levels = rng.int(1, 6);
  const parts: string[] = [];
  for (let i = 0; i < levels; i++) parts.push(rng.bool(0.8) ? rng.pick(TOPIC_PIECES) : randomString(rng, 8));
  return parts.join('/');
}

function userProperties(rng: Rng): Record<string, string | string[]> | undefined {
  if (!rng.bool(0.3)) return undefined;
  const props: Record<string, string | string[]> = {};
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    props[randomString(rng, 10)] = rng.bool(0.3)
      ? [randomString(rng, 10), randomString(rng, 10)]
      : randomString(rng, 20);
  }
  return props;
}

function maybe<T>(rng: Rng, p: number, make: () => T): T | undefined {
  return rng.bool(p) ? make() : undefined;
}

/** Drops undefined values (mqtt-packet encodes present keys). */
function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function u16(rng: Rng): number {
  return rng.bool(0.1) ? rng.pick([0, 1, 65535]) : rng.int(1, 65535);
}

function u32(rng: Rng): number {
  return rng.bool(0.2) ? rng.pick([0, 1, 4294967295]) : rng.int(0, 100000);
}

function payload(rng: Rng): Buffer {
  return rng.bool(0.02) ? rng.bytes(rng.int(1000, 200000)) : rng.bytes(rng.size(512));
}

export function randomConnect(rng: Rng, version: Version, clientId?: string): mqttPacket.IConnectPacket {
  const v5 = version === 5;
  const packet: mqttPacket.IConnectPacket = {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: version,
    clean: rng.bool(0.8),
    keepalive: rng.bool(0.7) ? 0 : rng.pick([1, 2, 10, 60, 65535]),
    clientId: clientId ?? (rng.bool(0.1) ? '' : `fz-${rng.u32().toString(36)}`),
  };
  if (rng.bool(0.15)) {
    packet.username = randomString(rng, 20);
    if (rng.bool(0.7)) packet.password = rng.bytes(rng.size(30));
  }
  if (rng.bool(0.25)) {
    packet.will = {
      topic: randomTopic(rng),
      payload: rng.bytes(rng.size(64)),
      qos: rng.int(0, 2) as 0 | 1 | 2,
      retain: rng.bool(0.2),
    };
    if (v5 && rng.bool(0.5)) {
      packet.will.properties = clean({
        willDelayInterval: maybe(rng, 0.3, () => rng.int(0, 3)),
        payloadFormatIndicator: maybe(rng, 0.3, () => rng.bool()),
        messageExpiryInterval: maybe(rng, 0.3, () => u32(rng)),
        contentType: maybe(rng, 0.3, () => randomString(rng, 20)),
        responseTopic: maybe(rng, 0.3, () => randomTopic(rng)),
        correlationData: maybe(rng, 0.3, () => rng.bytes(rng.size(20))),
        userProperties: userProperties(rng),
      });
    }
  }
  if (v5 && rng.bool(0.6)) {
    packet.properties = clean({
      sessionExpiryInterval: maybe(rng, 0.4, () => rng.pick([0, 1, 10, 4294967295])),
      receiveMaximum: maybe(rng, 0.3, () => u16(rng)),
      maximumPacketSize: maybe(rng, 0.3, () => rng.pick([1, 20, 128, 65536, 268435455])),
      topicAliasMaximum: maybe(rng, 0.3, () => u16(rng)),
      requestResponseInformation: maybe(rng, 0.2, () => rng.bool()),
      requestProblemInformation: maybe(rng, 0.2, () => rng.bool()),
      userProperties: userProperties(rng),
      authenticationMethod: maybe(rng, 0.05, () => randomString(rng, 10)),
      authenticationData: maybe(rng, 0.05, () => rng.bytes(rng.size(10))),
    });
  }
  return packet;
}

export function randomPublish(rng: Rng, version: Version): mqttPacket.IPublishPacket {
  const qos = rng.int(0, 2) as 0 | 1 | 2;
  const packet: mqttPacket.IPublishPacket = {
    cmd: 'publish',
    topic: rng.bool(0.1) ? '' : randomTopic(rng),
    payload: payload(rng),
    qos,
    dup: rng.bool(0.1),
    retain: rng.bool(0.1),
  };
  if (qos > 0) packet.messageId = u16(rng);
  if (version === 5 && rng.bool(0.5)) {
    packet.properties = clean({
      payloadFormatIndicator: maybe(rng, 0.2, () => rng.bool()),
      messageExpiryInterval: maybe(rng, 0.2, () => u32(rng)),
      topicAlias: maybe(rng, 0.4, () => rng.pick([0, 1, 2, 5, 10, 11, 65535])),
      responseTopic: maybe(rng, 0.2, () => randomTopic(rng)),
      correlationData: maybe(rng, 0.2, () => rng.bytes(rng.size(20))),
      userProperties: userProperties(rng),
      subscriptionIdentifier: maybe(rng, 0.05, () => rng.int(0, 268435455)),
      contentType: maybe(rng, 0.2, () => randomString(rng, 20)),
    });
  }
  return packet;
}

export function randomSubscribe(rng: Rng, version: Version): mqttPacket.ISubscribePacket {
  const n = rng.bool(0.05) ? 0 : rng.int(1, 5);
  const subscriptions: mqttPacket.ISubscription[] = [];
  for (let i = 0; i < n; i++) {
    const sub: mqttPacket.ISubscription = { topic: randomTopic(rng), qos: rng.int(0, 2) as 0 | 1 | 2 };
    if (version === 5) {
      sub.nl = rng.bool(0.3);
      sub.rap = rng.bool(0.3);
      sub.rh = rng.int(0, 2);
    }
    subscriptions.push(sub);
  }
  const packet: mqttPacket.ISubscribePacket = { cmd: 'subscribe', messageId: u16(rng), subscriptions };
  if (version === 5 && rng.bool(0.4)) {
    packet.properties = clean({
      subscriptionIdentifier: maybe(rng, 0.6, () => rng.pick([0, 1, 7, 268435455])),
      userProperties: userProperties(rng),
    });
  }
  return packet;
}

export function randomUnsubscribe(rng: Rng, version: Version): mqttPacket.IUnsubscribePacket {
  const n = rng.int(1, 5);
  const unsubscriptions: string[] = [];
  for (let i = 0; i < n; i++) unsubscriptions.push(randomTopic(rng));
  const packet: mqttPacket.IUnsubscribePacket = { cmd: 'unsubscribe', messageId: u16(rng), unsubscriptions };
  if (version === 5 && rng.bool(0.3)) packet.properties = clean({ userProperties: userProperties(rng) });
  return packet;
}

const REASON_CODES = [0, 4, 0x10, 0x80, 0x81, 0x82, 0x87, 0x8e, 0x92, 0x93, 0x97, 0x98, 0x9c, 0xff];

function ackProperties(rng: Rng): {
  reasonString?: string;
  userProperties?: Record<string, string | string[]>;
} {
  return clean({
    reasonString: maybe(rng, 0.3, () => randomString(rng, 30)),
    userProperties: userProperties(rng),
  });
}

export function randomAck(rng: Rng, version: Version): mqttPacket.Packet {
  const cmd = rng.pick(['puback', 'pubrec', 'pubrel', 'pubcomp'] as const);
  const packet = { cmd, messageId: u16(rng) } as mqttPacket.IPubackPacket;
  if (version === 5) {
    if (rng.bool(0.5)) packet.reasonCode = rng.pick(REASON_CODES);
    if (rng.bool(0.3)) packet.properties = ackProperties(rng);
  }
  return packet as mqttPacket.Packet;
}

export function randomDisconnect(rng: Rng, version: Version): mqttPacket.IDisconnectPacket {
  const packet: mqttPacket.IDisconnectPacket = { cmd: 'disconnect' };
  if (version === 5) {
    if (rng.bool(0.7)) packet.reasonCode = rng.pick(REASON_CODES);
    if (rng.bool(0.4)) {
      packet.properties = clean({
        sessionExpiryInterval: maybe(rng, 0.5, () => rng.pick([0, 1, 60, 4294967295])),
        reasonString: maybe(rng, 0.3, () => randomString(rng, 30)),
        userProperties: userProperties(rng),
        serverReference: maybe(rng, 0.1, () => randomString(rng, 20)),
      });
    }
  }
  return packet;
}

export function randomAuth(rng: Rng): mqttPacket.IAuthPacket {
  return {
    cmd: 'auth',
    reasonCode: rng.pick([0, 0x18, 0x19]),
    properties: clean({
      authenticationMethod: randomString(rng, 10),
      authenticationData: maybe(rng, 0.5, () => rng.bytes(rng.size(20))),
      reasonString: maybe(rng, 0.3, () => randomString(rng, 20)),
      userProperties: userProperties(rng),
    }),
  };
}

/** Server-to-client packets a client must not send. */
function randomServerPacket(rng: Rng, version: Version): mqttPacket.Packet {
  switch (rng.int(0, 3)) {
    case 0:
      return version === 5
        ? { cmd: 'connack', sessionPresent: rng.bool(), reasonCode: 0 }
        : { cmd: 'connack', sessionPresent: rng.bool(), returnCode: 0 };
    case 1:
      return { cmd: 'suback', messageId: u16(rng), granted: [0, 1, 0x80] };
    case 2:
      return { cmd: 'unsuback', messageId: u16(rng), granted: version === 5 ? [0] : [] } as mqttPacket.Packet;
    default:
      return { cmd: 'pingresp' };
  }
}

/** A valid (encodable) packet of any type; mostly the ones a connected client sends. */
export function randomPacket(rng: Rng, version: Version): mqttPacket.Packet {
  const r = rng.float();
  if (r < 0.35) return randomPublish(rng, version);
  if (r < 0.45) return randomSubscribe(rng, version);
  if (r < 0.52) return randomUnsubscribe(rng, version);
  if (r < 0.72) return randomAck(rng, version);
  if (r < 0.85) return { cmd: 'pingreq' };
  if (r < 0.89) return randomDisconnect(rng, version);
  if (r < 0.92) return randomAuth(rng);
  if (r < 0.96) return randomConnect(rng, rng.bool() ? 4 : 5);
  return randomServerPacket(rng, version);
}

/**
 * A packet a well-behaved connected client could send (valid topics, no RETAIN in MQTT 5 so the
 * retained store is not filled with fuzz, known alias range): keeps batched connections open so later packets reach the handlers.
 */
export function plausiblePacket(rng: Rng, version: Version): mqttPacket.Packet {
  const topic = (): string => `fuzz/${rng.int(0, 20)}/${rng.bool(0.2) ? rng.pick(UNICODE) : rng.int(0, 5)}`;
  const r = rng.float();
  if (r < 0.5) {
    const p = randomPublish(rng, version);
    p.topic = topic();
    if (version === 5) {
      p.retain = false;
      if (p.properties) {
        p.properties.topicAlias = rng.bool(0.2) ? rng.int(1, 10) : undefined;
        p.properties.subscriptionIdentifier = undefined;
        p.properties.responseTopic = undefined;
        clean(p.properties);
      }
    }
    if (p.qos > 0 && !p.messageId) p.messageId = 1;
    return p;
  }
  if (r < 0.58) {
    const p = randomSubscribe(rng, version);
    const filter = rng.bool(0.3)
      ? 'fuzz/#'
      : rng.bool(0.1)
        ? `$share/${rng.pick(['g', 'h', ''])}/fuzz/#`
        : topic();
    p.subscriptions = [{ topic: filter, qos: rng.int(0, 2) as 0 | 1 | 2 }];
    if (p.properties?.subscriptionIdentifier === 0) p.properties.subscriptionIdentifier = 1;
    return p;
  }
  if (r < 0.63) {
    const p = randomUnsubscribe(rng, version);
    p.unsubscriptions = [topic()];
    return p;
  }
  if (r < 0.85) {
    const p = randomAck(rng, version);
    return p.cmd === 'pubrel' || p.cmd === 'puback' ? p : { cmd: 'pingreq' };
  }
  return { cmd: 'pingreq' };
}

/** Encodes a packet; mqtt-packet refuses some random inputs (those become a PINGREQ). */
export function encode(packet: mqttPacket.Packet, version: Version): Buffer {
  try {
    return mqttPacket.generate(packet, { protocolVersion: version });
  } catch {
    return Buffer.from([0xc0, 0x00]);
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations

/** The variable-length encoding of n (more than 4 bytes past the protocol's maximum). */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

/** Length of the fixed header's remaining-length field (1..4; malformed input → what is there). */
function lengthFieldSize(buf: Buffer): number {
  let i = 1;
  while (i < buf.length && i <= 4 && (buf[i]! & 0x80) !== 0) i++;
  return Math.min(i, buf.length - 1);
}

export function mutate(rng: Rng, input: Buffer): Buffer {
  let buf = Buffer.from(input);
  const rounds = rng.int(1, 3);
  for (let k = 0; k < rounds; k++) {
    switch (rng.int(0, 8)) {
      case 0: {
        // bit flips
        const flips = rng.int(1, 4);
        for (let i = 0; i < flips && buf.length > 0; i++)
          buf[rng.int(0, buf.length - 1)]! ^= 1 << rng.int(0, 7);
        break;
      }
      case 1: {
        // byte insert
        const at = rng.int(0, buf.length);
        buf = Buffer.concat([buf.subarray(0, at), rng.bytes(rng.int(1, 8)), buf.subarray(at)]);
        break;
      }
      case 2: {
        // byte delete
        if (buf.length === 0) break;
        const at = rng.int(0, buf.length - 1);
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + rng.int(1, 8))]);
        break;
      }
      case 3:
        // truncation
        buf = buf.subarray(0, rng.int(0, buf.length));
        break;
      case 4: {
        // remaining length replaced (oversized up to 268,435,455 and beyond: a 5-byte field)
        if (buf.length < 2) break;
        const len = rng.pick([
          0,
          1,
          127,
          128,
          16383,
          16384,
          2097151,
          2097152,
          268435455,
          268435456,
          34359738367,
          rng.int(0, buf.length + 10),
        ]);
        const end = 1 + lengthFieldSize(buf);
        buf = Buffer.concat([buf.subarray(0, 1), varint(len), buf.subarray(end)]);
        break;
      }
      case 5: {
        // raw continuation bytes in the length field
        if (buf.length < 2) break;
        const end = 1 + lengthFieldSize(buf);
        const n = rng.int(4, 6);
        buf = Buffer.concat([
          buf.subarray(0, 1),
          Buffer.alloc(n, 0xff),
          Buffer.from([0x01]),
          buf.subarray(end),
        ]);
        break;
      }
      case 6:
        // the first byte (type and flags)
        if (buf.length > 0) buf[0] = rng.bool() ? rng.u32() & 0xff : (buf[0]! & 0xf0) | (rng.u32() & 0x0f);
        break;
      case 7: {
        // a 16-bit length prefix inside the body (string lengths, packet ids)
        if (buf.length < 4) break;
        const at = rng.int(2, buf.length - 2);
        buf.writeUInt16BE(rng.pick([0, 1, 0x7fff, 0xffff, rng.int(0, 0xffff)]), at);
        break;
      }
      default: {
        // overwrite a byte with an interesting value
        if (buf.length === 0) break;
        buf[rng.int(0, buf.length - 1)] = rng.pick([0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x26, 0x0b, 0x23]);
      }
    }
  }
  return buf;
}

/** Splits bytes at random boundaries (one write per piece). */
export function split(rng: Rng, bytes: Buffer): Buffer[] {
  if (bytes.length <= 1 || rng.bool(0.4)) return [bytes];
  const pieces: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = rng.bool(0.3) ? 1 : rng.int(1, Math.max(1, Math.min(bytes.length - at, 64)));
    pieces.push(bytes.subarray(at, at + n));
    at += n;
  }
  return pieces;
}

// ---------------------------------------------------------------------------------------------
// Cases

export interface FuzzCase {
  kind: string;
  version: Version;
  /** Each chunk is one input (a packet or a byte string), written in order. */
  inputs: Buffer[];
}

/**
 * One connection's worth of inputs. `perConnection` > 1 batches that many packets after the
 * CONNECT (the long run); most are valid, some mutated.
 */
export function randomCase(rng: Rng, perConnection = 1): FuzzCase {
  const version: Version = rng.bool() ? 4 : 5;
  const r = rng.float();
  if (r < 0.1) {
    return { kind: 'random bytes', version, inputs: [rng.bytes(rng.size(400))] };
  }
  if (r < 0.2) {
    // A packet before CONNECT (possibly mutated).
    const p = encode(randomPacket(rng, version), version);
    return { kind: 'before connect', version, inputs: [rng.bool(0.3) ? mutate(rng, p) : p] };
  }
  if (r < 0.35) {
    // A mutated CONNECT, maybe followed by packets.
    const inputs = [mutate(rng, encode(randomConnect(rng, version), version))];
    const n = rng.int(0, Math.max(1, perConnection >> 2));
    for (let i = 0; i < n; i++) inputs.push(encode(randomPacket(rng, version), version));
    return { kind: 'mutated connect', version, inputs };
  }
  // A valid CONNECT, then packets: valid, mutated, duplicated.
  const inputs = [encode(randomConnect(rng, version), version)];
  const n = perConnection > 1 ? rng.int(1, perConnection * 2) : rng.int(1, 4);
  const batched = perConnection > 1;
  const mutateP = batched ? 0.02 : 0.35;
  for (let i = 0; i < n; i++) {
    const packet = batched && rng.bool(0.9) ? plausiblePacket(rng, version) : randomPacket(rng, version);
    const p = encode(packet, version);
    const x = rng.float();
    if (x < mutateP) inputs.push(mutate(rng, p));
    else if (x < mutateP + 0.03 && inputs.length > 1) inputs.push(inputs[inputs.length - 1]!);
    else inputs.push(p);
  }
  return { kind: 'session', version, inputs };
}

/**
 * Replays a stream through mqtt-packet's parser as the gateway does: is it left mid-packet (or
 * empty: the gateway waits for CONNECT until its CONNECT timeout)?
 */
function leftMidPacket(bytes: Buffer): boolean {
  if (bytes.length === 0) return true;
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let failed = false;
  parser.on('packet', (p: mqttPacket.Packet) => {
    if (p.cmd === 'connect' && (p.protocolVersion === 4 || p.protocolVersion === 5)) {
      (parser as unknown as { settings: { protocolVersion: number } }).settings.protocolVersion =
        p.protocolVersion;
    }
  });
  parser.on('error', () => (failed = true));
  let left = 0;
  try {
    left = parser.parse(bytes);
  } catch {
    failed = true;
  }
  const state = (parser as unknown as { _stateCounter: number })._stateCounter;
  return !failed && (left > 0 || state !== 0);
}

export type Outcome = 'closed' | 'answered' | 'incomplete' | 'hang';

export interface CaseResult {
  outcome: Outcome;
  /** A CONNACK arrived. */
  connack: boolean;
  inputs: number;
  /** Inputs actually written before the server closed. */
  written: number;
  /** Messages the gateway acknowledged that another gateway's "#" subscriber must receive. */
  accepted: Accepted[];
}

/**
 * Runs one case on a fresh socket. Inputs are written one by one (each split across writes),
 * stopping when the server closes. After the deadline the socket must be closed, or — once a
 * CONNACK arrived — answer a PINGREQ.
 */
export async function runCase(port: number, rng: Rng, c: FuzzCase, deadlineMs: number): Promise<CaseResult> {
  const socket: Socket = tcpConnect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let closed = false;
  let connack = false;
  let pingresp = false;
  let wake: (() => void) | undefined;
  const acks: Ack[] = [];
  const parser = mqttPacket.parser({ protocolVersion: c.version });
  parser.on('packet', (p: mqttPacket.Packet) => {
    if (p.cmd === 'connack') connack = true;
    if (p.cmd === 'pingresp') pingresp = true;
    if (p.cmd === 'puback' || p.cmd === 'pubrec')
      acks.push({ cmd: p.cmd, messageId: p.messageId ?? -1, reasonCode: p.reasonCode });
    wake?.();
  });
  parser.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    try {
      parser.parse(chunk);
    } catch {
      // what the server sends is not under test here
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  const waitFor = (cond: () => boolean, ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (cond()) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = () => {
        if (cond()) done();
      };
    });

  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
  } catch {
    return { outcome: 'closed', connack, inputs: c.inputs.length, written: 0, accepted: [] };
  }
  let written = 0;
  const sent: Buffer[] = [];
  for (const input of c.inputs) {
    if (closed) break;
    for (const piece of split(rng, input)) {
      if (!socket.writable) break;
      if (!socket.write(piece)) await waitFor(() => closed || socket.writableLength === 0, deadlineMs);
    }
    sent.push(input);
    written++;
    // Let the server (same process) read between inputs, so writing stops soon after it closes:
    // always with several inputs per connection, now and then otherwise.
    if (c.inputs.length > 8 || rng.bool(0.1)) await new Promise((r) => setImmediate(r));
  }
  // A stream that stops inside a packet needs no answer: the server may wait for the rest, so
  // such a case only gets a short look (closed or not) instead of the whole deadline.
  const incomplete = leftMidPacket(Buffer.concat(sent));
  const deadline = Date.now() + (incomplete ? Math.min(deadlineMs, 200) : deadlineMs);
  // Allow the server to answer the CONNECT (OpenSession) or close.
  await waitFor(() => closed || connack, Math.max(1, deadline - Date.now()));
  let outcome: Outcome;
  if (closed) outcome = 'closed';
  else if (connack) {
    if (socket.writable) socket.write(Buffer.from([0xc0, 0x00]));
    await waitFor(() => closed || pingresp, Math.max(1, deadline - Date.now()));
    if (closed) outcome = 'closed';
    else if (pingresp) outcome = 'answered';
    else outcome = incomplete ? 'incomplete' : 'hang';
  } else outcome = incomplete ? 'incomplete' : 'hang';
  socket.destroy();
  const accepted = acks.length > 0 ? acceptedMessages(Buffer.concat(sent), acks) : [];
  return { outcome, connack, inputs: c.inputs.length, written, accepted };
}

// ---------------------------------------------------------------------------------------------
// The oracle around a run

export interface Watch {
  errors: string[];
  internalErrors: string[];
  stop(): void;
}

/** Records unhandled errors of the process and the gateway, and handler bugs ("internal error"). */
export function watch(gateway: Gateway): Watch {
  const errors: string[] = [];
  const internalErrors: string[] = [];
  const onUncaught = (err: unknown): void => {
    errors.push(`uncaughtException: ${(err as Error)?.stack ?? String(err)}`);
  };
  const onRejection = (err: unknown): void => {
    errors.push(`unhandledRejection: ${(err as Error)?.stack ?? String(err)}`);
  };
  const onGatewayError = (err: unknown): void => {
    errors.push(`gateway error: ${(err as Error)?.stack ?? String(err)}`);
  };
  const onProtocolError = (_client: string, err: Error): void => {
    if (err.message.startsWith('internal error')) internalErrors.push(err.message);
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  gateway.on('error', onGatewayError);
  gateway.on('protocolError', onProtocolError);
  return {
    errors,
    internalErrors,
    stop() {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onRejection);
      gateway.off('error', onGatewayError);
      gateway.off('protocolError', onProtocolError);
    },
  };
}

/** A well-behaved MQTT.js client connects, subscribes and receives its own message. */
export async function brokerStillWorks(port: number, tag: string): Promise<void> {
  const client = await mqttClient(port, { clientId: `fz-check-${tag}`, protocolVersion: 5 });
  try {
    const topic = `fuzz-check/${tag}`;
    await client.subscribeAsync(topic, { qos: 1 });
    const got = nextMessage(client, 5000);
    await client.publishAsync(topic, `ok ${tag}`, { qos: 1 });
    const msg = await got;
    if (msg.payload.toString() !== `ok ${tag}`) throw new Error(`wrong payload ${msg.payload.toString()}`);
  } finally {
    await endClient(client);
  }
}

export interface RunStats {
  seed: number;
  cases: number;
  inputs: number;
  written: number;
  outcomes: Record<Outcome, number>;
  hangs: { caseIndex: number; kind: string; connack: boolean; head: string }[];
  batches: number;
  seconds: number;
  /** With a peer gateway: messages acknowledged by the fuzzed gateway (distinct topic + payload)… */
  accepted: number;
  /** …received by the witness on the peer… */
  delivered: number;
  /** …and those that never arrived (must be none). */
  lost: { caseIndex: number; topic: string; bytes: number }[];
}

export interface RunOptions {
  port: number;
  seed: number;
  /** Stop at this many inputs (written + planned)… */
  maxInputs: number;
  /** …or after this long. */
  maxSeconds: number;
  concurrency: number;
  perConnection: number;
  deadlineMs: number;
  /** Cases per batch; brokerStillWorks runs after each. */
  batchCases: number;
  /** A second gateway: a witness there must receive what the fuzzed gateway accepted. */
  peerPort?: number;
  onBatch?: (stats: RunStats) => void;
}

/**
 * Runs cases from one seed. Case i uses its own Rng (seed, i), so a failing case can be
 * replayed with the same seed whatever the concurrency.
 */
export async function fuzz(options: RunOptions): Promise<RunStats> {
  const stats: RunStats = {
    seed: options.seed,
    cases: 0,
    inputs: 0,
    written: 0,
    outcomes: { closed: 0, answered: 0, incomplete: 0, hang: 0 },
    hangs: [],
    batches: 0,
    seconds: 0,
    accepted: 0,
    delivered: 0,
    lost: [],
  };
  const witness = options.peerPort ? await Witness.start(options.peerPort, String(options.seed)) : undefined;
  const started = Date.now();
  const elapsed = (): number => (Date.now() - started) / 1000;
  let index = 0;
  const more = (): boolean => stats.written < options.maxInputs && elapsed() < options.maxSeconds;
  while (more()) {
    const batchEnd = index + options.batchCases;
    const worker = async (): Promise<void> => {
      while (index < batchEnd && more()) {
        const i = index++;
        const rng = new Rng((options.seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
        const c = randomCase(rng, options.perConnection);
        stats.inputs += c.inputs.length;
        const result = await runCase(options.port, rng, c, options.deadlineMs);
        stats.cases++;
        stats.written += result.written;
        stats.outcomes[result.outcome]++;
        witness?.expect(i, result.accepted);
        if (result.outcome === 'hang') {
          const head = Buffer.concat(c.inputs).subarray(0, 64).toString('hex');
          stats.hangs.push({ caseIndex: i, kind: c.kind, connack: result.connack, head });
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    await brokerStillWorks(options.port, `${options.seed}-${stats.batches}`);
    if (witness) {
      stats.lost.push(...(await witness.settle(5000)));
      stats.accepted = witness.accepted;
      stats.delivered = witness.delivered;
    }
    stats.batches++;
    stats.seconds = elapsed();
    options.onBatch?.(stats);
  }
  stats.seconds = elapsed();
  await witness?.close();
  return stats;
}

/** heapUsed after a full GC when node runs with --expose-gc. */
export function heapUsed(): { bytes: number; afterGc: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return { bytes: process.memoryUsage().heapUsed, afterGc: gc !== undefined };
}
