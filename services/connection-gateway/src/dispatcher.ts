// The dispatcher: the only place that knows the connection state machine.
//   new      → the first packet must be CONNECT [MQTT-3.1.0-1]
//   opening  → OpenSession runs; packets wait in order; a second CONNECT is an error [MQTT-3.1.0-2]
//   open     → every client-to-server packet is handled, synchronously and in arrival order (its
//              effect — a routed message, a subscription in force — precedes the next packet;
//              acknowledgements that wait for the bus keep the packet order: connection.ts reply);
//              CONNECT again is a protocol error
//   closed   → nothing more is read
// Any error while handling a packet closes that connection only (never the process).
import type { Packet } from 'mqtt-packet';
import { NO_PACKETS, type Connection } from './connection';
import type { ClientStream } from './listeners';
import { MalformedPacketError, PacketTooLargeError, ProtocolError } from './errors';
import { ReasonCode, ReturnCode } from './reason-codes';
import { handleConnect } from './packets/connect';
import { handlePublish } from './packets/publish';
import { handlePuback, handlePubcomp, handlePubrec, handlePubrel } from './packets/acks';
import { handleSubscribe } from './packets/subscribe';
import { handleUnsubscribe } from './packets/unsubscribe';
import { handlePingreq } from './packets/ping';
import { handleDisconnect } from './packets/disconnect';
import { READ_INBOX } from './outbound';
import { createParser, parserIdle, type Parser } from './parser';

/** A client that has not sent CONNECT this long after opening the socket is cut off. */
export const CONNECT_TIMEOUT_MS = 10000;

/** Size of a whole packet from its remaining length: 1 type byte, 1-4 length bytes, the rest. */
function packetSize(remainingLength: number): number {
  const lengthBytes =
    remainingLength < 128 ? 1 : remainingLength < 16384 ? 2 : remainingLength < 2097152 ? 3 : 4;
  return 1 + lengthBytes + remainingLength;
}

/** The connection of a socket or parser, for the handlers below. */
const CONN = Symbol('connection');
interface Wired {
  [CONN]: Connection;
}

// One set of handler functions for every connection (`this` is the socket or parser that emits):
// closures per connection were about 450 bytes of each idle one (bench/mqtt-load.ts idle-memory).

function onConnectTimeout(conn: Connection): void {
  conn.connectTimer = undefined;
  if (conn.state === 'new') conn.end({ reason: 'no CONNECT', clean: false, publishWill: false });
}

function onPacket(this: Wired, packet: Packet): void {
  const conn = this[CONN];
  if (conn.connectTimer) {
    clearTimeout(conn.connectTimer);
    conn.connectTimer = undefined;
  }
  dispatch(conn, packet);
}

function onParserError(this: Wired, err: Error): void {
  const conn = this[CONN];
  if (conn.ending) return;
  if (conn.state === 'new' && err.message === 'Invalid protocol version') {
    // Unsupported protocol level: CONNACK 0x01, then close [MQTT-3.1.2-2].
    conn.send({
      cmd: 'connack',
      sessionPresent: false,
      returnCode: ReturnCode.UNACCEPTABLE_PROTOCOL_VERSION,
    });
  }
  fail(conn, new MalformedPacketError(err.message));
}

function onData(this: Wired, chunk: Buffer): void {
  const conn = this[CONN];
  if (conn.ending) return;
  const parser = conn.parser ?? lendParser(conn);
  conn.ctx.traffic.bytesIn += chunk.length;
  try {
    parser.parse(chunk);
    // The parser buffers a packet until it is complete; stop one that announces more than we
    // accept as soon as its remaining length is known, before its body is buffered.
    const pending = (parser as unknown as { packet?: { length?: number } }).packet?.length ?? -1;
    if (pending >= 0 && packetSize(pending) > conn.ctx.maxPacketSize) {
      fail(conn, new PacketTooLargeError(packetSize(pending), conn.ctx.maxPacketSize));
    }
  } catch (err) {
    fail(conn, err);
  }
  if (conn.parser === parser && parserIdle(parser)) {
    // Between packets the connection keeps no parser (most of an idle connection's time).
    conn.parser = undefined;
    (parser as unknown as Partial<Wired>)[CONN] = undefined;
    if (idleParsers.length < IDLE_PARSERS_MAX) idleParsers.push(parser);
  }
}

/**
 * Parsers no connection holds. A connection holds one only while it has read part of a packet,
 * from a chunk to the next: a parser with its packet, byte list and state was about 400 bytes of
 * every idle connection (bench/mqtt-load.ts idle-memory).
 */
const idleParsers: Parser[] = [];
const IDLE_PARSERS_MAX = 64;

function lendParser(conn: Connection): Parser {
  let parser = idleParsers.pop();
  if (!parser) {
    parser = createParser(4);
    parser.on('packet', onPacket);
    parser.on('error', onParserError);
  }
  (parser as unknown as { settings: unknown }).settings = conn.parserSettings;
  (parser as unknown as Wired)[CONN] = conn;
  conn.parser = parser;
  return parser;
}

function onSocketError(this: Wired, err: Error): void {
  this[CONN].log.debug('socket error', { err: err.message });
}

function onSocketClose(this: Wired): void {
  const conn = this[CONN];
  if (conn.connectTimer) clearTimeout(conn.connectTimer);
  conn.connectTimer = undefined;
  conn.ctx.socketClosed(conn);
  conn.finalize();
}

/** Wires a connection's socket to its parser and the dispatcher. */
export function attach(conn: Connection): void {
  const socket = conn.socket as unknown as Wired & ClientStream;
  socket[CONN] = conn;
  // Until CONNECT arrives (then no timer is kept: a Timeout per idle connection is memory).
  conn.connectTimer = setTimeout(onConnectTimeout, CONNECT_TIMEOUT_MS, conn);
  conn.connectTimer.unref();
  socket.on('data', onData);
  socket.on('error', onSocketError);
  socket.on('close', onSocketClose);
}

/** Ends the connection because of an error in what the client sent. */
export function fail(conn: Connection, err: unknown): void {
  const protocolError =
    err instanceof ProtocolError
      ? err
      : new ProtocolError(
          `internal error: ${(err as Error)?.message ?? String(err)}`,
          ReasonCode.UNSPECIFIED_ERROR,
        );
  if (!(err instanceof ProtocolError)) conn.log.error('packet handling failed', { err });
  else conn.log.info('protocol error', { clientName: conn.clientName, reason: err.message });
  conn.ctx.emit('protocolError', conn.clientName, protocolError);
  // A protocol error ends the connection without a clean DISCONNECT: the will is published
  // [MQTT-3.1.2-8] (MQTT 5: DISCONNECT with the reason code first [MQTT-4.13.2-1]).
  conn.end(
    { reason: protocolError.message, clean: false, publishWill: true },
    protocolError.reasonCode,
    protocolError.message,
  );
}

function run(conn: Connection, work: () => void | Promise<void>): void {
  try {
    const result = work();
    if (result) result.catch((err: unknown) => fail(conn, err));
  } catch (err) {
    fail(conn, err);
  }
}

export function dispatch(conn: Connection, packet: Packet): void {
  if (conn.ending) return;
  switch (conn.state) {
    case 'closed':
      return;
    case 'new':
      if (packet.cmd !== 'connect') {
        // [MQTT-3.1.0-1] The first packet must be CONNECT; close without CONNACK.
        fail(conn, new ProtocolError(`${packet.cmd} before CONNECT`));
        return;
      }
      conn.state = 'opening';
      run(conn, async () => {
        await handleConnect(conn, packet);
        // Packets that arrived during OpenSession, in their order.
        while (conn.state === 'open' && conn.pending.length > 0) dispatch(conn, conn.pending.shift()!);
        conn.pendingHandled();
      });
      return;
    case 'opening':
      if (packet.cmd === 'connect')
        fail(conn, new ProtocolError('second CONNECT')); // [MQTT-3.1.0-2]
      else conn.holdPending(packet);
      return;
    case 'open':
      conn.keepAlive.touch(); // any control packet counts [MQTT-3.1.2-23]
      if (conn.inbox.length > 0 || mustWait(conn, packet)) {
        hold(conn, packet);
        return;
      }
      run(conn, () => handle(conn, packet));
      return;
  }
}

/**
 * A QoS 1/2 PUBLISH while the inbound window (Receive Maximum) is full because the gateway still
 * waits for the bus to confirm earlier ones (connection.ts reply): it is not the client's fault
 * (MQTT.js, for one, does not count the server's Receive Maximum), so the packet waits instead of
 * ending the connection with 0x93, and so does everything read after it. A client that holds the
 * window itself (QoS 2 without PUBREL) still gets 0x93 [MQTT-3.3.4-9] (packets/publish.ts).
 */
function mustWait(conn: Connection, packet: Packet): boolean {
  return (
    packet.cmd === 'publish' &&
    packet.qos > 0 &&
    conn.waitingForBus > 0 &&
    conn.unacknowledgedInbound >= conn.ctx.limits.receiveMaximum
  );
}

/** Keeps a packet for later, in order, and stops reading the socket meanwhile (back-pressure). */
function hold(conn: Connection, packet: Packet): void {
  if (conn.inbox === NO_PACKETS) conn.inbox = [];
  conn.inbox.push(packet);
  if (conn.inbox.length === 1) {
    conn.holdReading(READ_INBOX);
    conn.onWindowFreed ??= () => release(conn);
  }
}

/** Acknowledgements went out: handles the packets held, in order, as far as the window allows. */
function release(conn: Connection): void {
  while (conn.inbox.length > 0) {
    if (conn.ending || conn.state !== 'open') {
      conn.inbox.length = 0;
      return;
    }
    if (mustWait(conn, conn.inbox[0]!)) return;
    const packet = conn.inbox.shift()!;
    run(conn, () => handle(conn, packet));
  }
  conn.releaseReading(READ_INBOX);
}

/** Packets that must carry a non-zero packet identifier [MQTT-2.2.1-3]. */
const NEEDS_PACKET_ID = new Set(['puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'unsubscribe']);

function handle(conn: Connection, packet: Packet): void | Promise<void> {
  // mqtt-packet reads a body too short for its identifier as messageId -1; answering it would
  // mean writing a malformed acknowledgement, so the packet is malformed [MQTT-4.13.1].
  // A QoS 1/2 PUBLISH too short for its identifier too (found by the fuzzer, MQFLEET_FUZZ_SEED=200735581).
  if (NEEDS_PACKET_ID.has(packet.cmd) || (packet.cmd === 'publish' && packet.qos > 0)) {
    const id = (packet as { messageId?: number }).messageId;
    if (id === undefined || !Number.isInteger(id) || id < 1 || id > 65535) {
      throw new MalformedPacketError(`${packet.cmd} without a valid packet identifier`);
    }
  }
  switch (packet.cmd) {
    case 'publish':
      return handlePublish(conn, packet);
    case 'puback':
      return handlePuback(conn, packet);
    case 'pubrel':
      return handlePubrel(conn, packet);
    case 'pubrec':
      return handlePubrec(conn, packet);
    case 'pubcomp':
      return handlePubcomp(conn, packet);
    case 'subscribe':
      return handleSubscribe(conn, packet);
    case 'unsubscribe':
      return handleUnsubscribe(conn, packet);
    case 'pingreq':
      return handlePingreq(conn);
    case 'disconnect':
      return handleDisconnect(conn, packet);
    case 'connect':
      throw new ProtocolError('second CONNECT'); // [MQTT-3.1.0-2]
    case 'auth':
      throw new ProtocolError('AUTH without enhanced authentication'); // [MQTT-4.12.0-1]
    default:
      // CONNACK, SUBACK, UNSUBACK, PINGRESP only travel from server to client.
      throw new ProtocolError(`${packet.cmd} is not sent by clients`);
  }
}
