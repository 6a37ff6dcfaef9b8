// The MQTT parser of a connection: mqtt-packet's, holding its unparsed bytes in bl's plain
// BufferList instead of the BufferListStream mqtt-packet creates (a whole Duplex stream per
// connection, with its readable and writable state and listeners: about 1 KiB that every idle
// connection kept, for a stream nobody reads). The parser only calls BufferList methods on it.
// Should a later mqtt-packet not have the fields this relies on, its own parser is used as it is.
import { createRequire } from 'node:module';
import * as mqtt from 'mqtt-packet';

export type Parser = ReturnType<typeof mqtt.parser>;

interface ParserInternals {
  _list?: unknown;
  _resetState?: () => void;
  packet?: unknown;
  error?: unknown;
  _stateCounter?: number;
}

// bl as mqtt-packet resolves it (its own dependency, whatever the workspace hoists).
const fromMqttPacket = createRequire(require.resolve('mqtt-packet'));
const BufferList = (() => {
  try {
    return fromMqttPacket('bl/BufferList') as new () => unknown;
  } catch {
    return undefined;
  }
})();
const Packet = (() => {
  try {
    return fromMqttPacket('mqtt-packet/packet') as new () => unknown;
  } catch {
    return undefined;
  }
})();

function resetState(this: ParserInternals): void {
  this.packet = new Packet!();
  this.error = null;
  this._list = new BufferList!();
  this._stateCounter = 0;
}

export function createParser(protocolVersion: number): Parser {
  const parser = mqtt.parser({ protocolVersion });
  const p = parser as unknown as ParserInternals;
  if (BufferList && Packet && typeof p._resetState === 'function' && p._list && '_stateCounter' in p) {
    p._resetState = resetState;
    p._list = new BufferList();
  }
  return parser;
}

/**
 * Whether the parser holds nothing between packets: no bytes of a next packet, no packet begun,
 * no error (it can then serve any connection).
 */
export function parserIdle(parser: Parser): boolean {
  const p = parser as unknown as {
    _list: { length: number };
    packet: { length: number };
    _stateCounter: number;
    error: unknown;
  };
  return p._list.length === 0 && p.packet.length === -1 && p._stateCounter === 0 && !p.error;
}
