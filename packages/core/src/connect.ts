// What a CONNECT packet makes of a session's settings. The session-service stores it; a gateway
// that answers a CONNECT before its OpenSession is written (docs/mqtt.md, "Connects at scale")
// computes the same settings for the live connection.
import type { ConnectDeclaration__Output } from '@mqfleet/proto';
import { DEFAULT_SETTINGS, MAX_PACKET_SIZE, UINT16_MAX, UINT32_MAX, type Settings } from './session';

export const WILL_FIELDS = (Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]).filter((f) =>
  f.startsWith('will'),
);

/** The will fields of a session without a will (their defaults). */
const NO_WILL: Partial<Settings> = Object.freeze(
  Object.fromEntries(WILL_FIELDS.map((f) => [f, DEFAULT_SETTINGS[f]])),
);

/**
 * A Session Expiry Interval a client asks for, within the broker's bound (MQFLEET_MAX_SESSION_EXPIRY;
 * 0 = none): "never" (UINT32_MAX: MQTT 3.1.1 Clean Session 0, MQTT 5 0xFFFFFFFF) included. MQTT 5
 * clients learn the value in CONNACK (packets/connect.ts of the gateway).
 */
export function boundedExpiry(requested: number, max: number): number {
  return max > 0 ? Math.min(requested, max) : requested;
}

/** What a CONNECT packet says about the settings an administrator can also set. */
export function declaredSettings(d: ConnectDeclaration__Output, maxExpiry = 0): Partial<Settings> {
  const expiry = boundedExpiry(d.sessionExpiryInterval, maxExpiry);
  const declared: Partial<Settings> = {
    keepAliveSeconds: d.keepAliveSeconds,
    sessionExpiryInterval: expiry,
    // Permanent sessions never expire; any session that can expire is temporary.
    temporarySession: expiry !== UINT32_MAX,
    // 0 means "not declared": the protocol defaults apply [MQTT-3.1.2.11].
    receiveMaximum: d.receiveMaximum || UINT16_MAX,
    maximumPacketSize: d.maximumPacketSize || MAX_PACKET_SIZE,
    topicAliasMaximum: d.topicAliasMaximum,
    requestProblemInformation: d.requestProblemInformation,
    requestResponseInformation: d.requestResponseInformation,
  };
  const will: Partial<Settings> = d.hasWill
    ? {
        willTopic: d.willTopic,
        willPayload: d.willPayload,
        willQos: d.willQos,
        willRetain: d.willRetain,
        willContentType: d.willContentType,
        willCorrelationData: d.willCorrelationData,
        willPayloadUtf8: d.willPayloadUtf8,
        willExpirySeconds: d.hasWillExpiry ? d.willExpirySeconds : 0,
        willDelaySeconds: d.willDelaySeconds,
        willResponseTopic: d.willResponseTopic,
        willUserProperties: d.willUserProperties.map((p) => ({ key: p.key, value: p.value })),
      }
    : NO_WILL;
  return { ...declared, ...will };
}
