// Typed errors of the gateway. A ProtocolError ends one connection (never the process); the
// dispatcher turns it into an MQTT 5 DISCONNECT with its reason code before closing.
import { CallError } from '@mqfleet/client';
import { ReasonCode } from './reason-codes';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    message: string,
    /** MQTT 5 DISCONNECT reason code sent before closing (MQTT 3.1.1 just closes). */
    readonly reasonCode: number = ReasonCode.PROTOCOL_ERROR,
  ) {
    super(message);
  }
}

/** The input could not be parsed as an MQTT packet [MQTT-4.13.1]. */
export class MalformedPacketError extends ProtocolError {
  constructor(message: string) {
    super(`malformed packet: ${message}`, ReasonCode.MALFORMED_PACKET);
  }
}

/**
 * A call to the session-service failed (unreachable, deadline, or an error status): the
 * transport's decoded CallError (packages/client/src/transport.ts; an MqfleetError with `code`),
 * named after the RPC in its message. Callers decide by `grpcCode`, the status itself: writer.ts
 * gives up on a final NOT_FOUND or INVALID_ARGUMENT, session-client.ts falls back to single calls
 * on UNIMPLEMENTED (an older service without the batch RPC, which sends no mqfleet-error-code).
 */
export class SessionServiceError extends CallError {
  override readonly name = 'SessionServiceError';
  constructor(
    readonly rpc: string,
    failure: CallError,
  ) {
    super(failure.code, `${rpc}: ${failure.message}`, failure.property, failure.grpcCode);
  }
}

/** A packet larger than the gateway's Maximum Packet Size [MQTT-3.2.2-15 announces it]. */
export class PacketTooLargeError extends ProtocolError {
  constructor(size: number, limit: number) {
    super(`packet of ${size} bytes exceeds the maximum of ${limit}`, ReasonCode.PACKET_TOO_LARGE);
  }
}
