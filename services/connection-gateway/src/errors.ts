// Typed errors of the gateway. A ProtocolError ends one connection (never the process); the
// dispatcher turns it into an MQTT 5 DISCONNECT with its reason code before closing.
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

/** A call to the session-service failed (unreachable, deadline, or an error status). */
export class SessionServiceError extends Error {
  override readonly name = 'SessionServiceError';
  constructor(
    readonly rpc: string,
    message: string,
    /** gRPC status code, when the call got one. */
    readonly grpcCode: number | undefined,
    /** The stable mqfleet error code from the `mqfleet-error-code` trailer, when present. */
    readonly mqfleetCode: string | undefined,
  ) {
    super(`${rpc}: ${message}`);
  }
}

/** A packet larger than the gateway's Maximum Packet Size [MQTT-3.2.2-15 announces it]. */
export class PacketTooLargeError extends ProtocolError {
  constructor(size: number, limit: number) {
    super(`packet of ${size} bytes exceeds the maximum of ${limit}`, ReasonCode.PACKET_TOO_LARGE);
  }
}
