// A raw MQTT client on mqtt-packet for end-to-end tests that must declare what MQTT.js cannot
// (or does not let a test observe): Receive Maximum, Maximum Packet Size and Topic Alias Maximum
// in CONNECT, and the exact PUBLISH packets (packet ids, topic aliases) the broker sends.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import * as mqttPacket from 'mqtt-packet';

export interface RawClient {
  socket: Socket;
  /** The CONNACK the broker answered with. */
  connack: mqttPacket.IConnackPacket;
  /** Every packet received after CONNACK, in arrival order. */
  packets: mqttPacket.Packet[];
  /** Every PUBLISH received, with its topic resolved through the topic aliases. */
  publishes: RawPublish[];
  /** PUBLISHes (QoS 1) not acknowledged yet, by packet id. */
  unacked: Map<number, RawPublish>;
  /** The socket closed. */
  closed: boolean;
  send(packet: mqttPacket.Packet): void;
  /** PUBACK for one delivery. */
  ack(packetId: number): void;
  /** PUBACK for every unacknowledged delivery. */
  ackAll(): void;
  /** Resolves with the first packet (past or future) for which the predicate holds. */
  waitFor<T extends mqttPacket.Packet>(
    predicate: (p: mqttPacket.Packet) => boolean,
    timeoutMs?: number,
  ): Promise<T>;
  /** SUBSCRIBE and wait for the SUBACK; returns its granted QoS / reason codes. */
  subscribe(filter: string, qos: 0 | 1): Promise<number[]>;
  /**
   * PINGREQ → PINGRESP. The broker writes PINGRESP after everything it sent before reading the
   * PINGREQ, so once it resolves every earlier delivery has arrived (a barrier, not a sleep).
   */
  ping(): Promise<void>;
  /** Clean DISCONNECT, then waits for the socket to close. */
  disconnect(): Promise<void>;
  /** Closes the socket without DISCONNECT. */
  destroy(): void;
}

export interface RawPublish {
  packet: mqttPacket.IPublishPacket;
  /** The topic, resolved through the alias when the packet carried none. */
  topic: string;
  payload: Buffer;
  alias: number | undefined;
}

export interface RawConnectOptions {
  clientId: string;
  keepalive?: number;
  clean?: boolean;
  properties?: mqttPacket.IConnectPacket['properties'];
  /** PUBACK every QoS 1 delivery at once (default false: the test acknowledges). */
  autoAck?: boolean;
}

export async function rawConnect(port: number, options: RawConnectOptions): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  const packets: mqttPacket.Packet[] = [];
  const publishes: RawPublish[] = [];
  const unacked = new Map<number, RawPublish>();
  const aliases = new Map<number, string>();
  const waiters = new Set<{
    predicate: (p: mqttPacket.Packet) => boolean;
    resolve: (p: mqttPacket.Packet) => void;
  }>();
  let connack: mqttPacket.IConnackPacket | undefined;
  let connackResolve: ((p: mqttPacket.IConnackPacket) => void) | undefined;
  let nextPacketId = 1;

  const send = (packet: mqttPacket.Packet): void => {
    socket.write(mqttPacket.generate(packet, { protocolVersion: 5 }));
  };

  parser.on('packet', (packet: mqttPacket.Packet) => {
    if (packet.cmd === 'connack' && !connack) {
      connack = packet;
      connackResolve?.(packet);
      return;
    }
    if (packet.cmd === 'publish') {
      const alias = packet.properties?.topicAlias;
      let topic = packet.topic;
      if (alias !== undefined) {
        if (topic) aliases.set(alias, topic);
        else topic = aliases.get(alias) ?? `<unknown alias ${alias}>`;
      }
      const received: RawPublish = { packet, topic, payload: packet.payload as Buffer, alias };
      publishes.push(received);
      if (packet.qos > 0 && packet.messageId !== undefined) {
        if (unacked.has(packet.messageId))
          throw new Error(`packet id ${packet.messageId} reused while in flight`);
        if (options.autoAck) send({ cmd: 'puback', messageId: packet.messageId });
        else unacked.set(packet.messageId, received);
      }
    }
    packets.push(packet);
    for (const w of waiters) {
      if (w.predicate(packet)) {
        waiters.delete(w);
        w.resolve(packet);
      }
    }
  });
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  socket.on('error', () => undefined);

  const client: RawClient = {
    socket,
    connack: undefined as unknown as mqttPacket.IConnackPacket,
    packets,
    publishes,
    unacked,
    closed: false,
    send,
    ack(packetId) {
      if (!unacked.delete(packetId)) throw new Error(`packet id ${packetId} is not in flight`);
      send({ cmd: 'puback', messageId: packetId });
    },
    ackAll() {
      for (const id of [...unacked.keys()]) client.ack(id);
    },
    waitFor<T extends mqttPacket.Packet>(predicate: (p: mqttPacket.Packet) => boolean, timeoutMs = 5000) {
      const seen = packets.find(predicate);
      if (seen) return Promise.resolve(seen as T);
      return new Promise<T>((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (p: mqttPacket.Packet) => {
            clearTimeout(timer);
            resolve(p as T);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${options.clientId}: no matching packet within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async subscribe(filter, qos) {
      const messageId = nextPacketId++;
      const suback = client.waitFor<mqttPacket.ISubackPacket>(
        (p) => p.cmd === 'suback' && p.messageId === messageId,
      );
      send({ cmd: 'subscribe', messageId, subscriptions: [{ topic: filter, qos }] });
      return (await suback).granted as number[];
    },
    async ping() {
      const before = packets.length;
      const pong = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${options.clientId}: no PINGRESP`)), 5000);
        const waiter = {
          predicate: (p: mqttPacket.Packet) => p.cmd === 'pingresp' && packets.indexOf(p) >= before,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.add(waiter);
      });
      send({ cmd: 'pingreq' });
      await pong;
    },
    async disconnect() {
      if (client.closed) return;
      const closed = once(socket, 'close');
      send({ cmd: 'disconnect', reasonCode: 0 });
      socket.end();
      await closed;
    },
    destroy() {
      socket.destroy();
    },
  };
  socket.once('close', () => (client.closed = true));

  const connackArrived = new Promise<mqttPacket.IConnackPacket>((resolve, reject) => {
    connackResolve = resolve;
    socket.once('close', () => reject(new Error(`${options.clientId}: closed before CONNACK`)));
    setTimeout(() => reject(new Error(`${options.clientId}: no CONNACK`)), 5000).unref();
  });
  send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clientId: options.clientId,
    clean: options.clean ?? true,
    keepalive: options.keepalive ?? 60,
    ...(options.properties ? { properties: options.properties } : {}),
  });
  client.connack = await connackArrived;
  if (client.connack.reasonCode !== 0) {
    socket.destroy();
    throw new Error(`${options.clientId}: CONNACK reason code ${client.connack.reasonCode}`);
  }
  return client;
}
