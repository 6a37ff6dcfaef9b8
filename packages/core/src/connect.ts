// What a CONNECT packet makes of a session's settings. The session-service stores it; a gateway
// that answers a CONNECT before its OpenSession is written (docs/mqtt.md, "Connects at scale")
// computes the same settings for the live connection.
import type { ConnectDeclaration__Output } from '@mqfleet/proto';
import type { Settings } from './session';
import { DEFAULT_SETTINGS } from './session-fields';
import { MAX_PACKET_SIZE, UINT16_MAX, UINT32_MAX } from './session-values';

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

/**
 * Writes what a CONNECT declares into `target`: the settings an administrator can also set, and
 * the will when the CONNECT has one (`withoutWill` is written when it has none).
 */
function writeDeclared<T extends Partial<Settings>>(
  target: T,
  d: ConnectDeclaration__Output,
  maxExpiry: number,
  withoutWill: Partial<Settings> | undefined,
): T {
  const expiry = boundedExpiry(d.sessionExpiryInterval, maxExpiry);
  target.keepAliveSeconds = d.keepAliveSeconds;
  target.sessionExpiryInterval = expiry;
  // Permanent sessions never expire; any session that can expire is temporary.
  target.temporarySession = expiry !== UINT32_MAX;
  // 0 means "not declared": the protocol defaults apply [MQTT-3.1.2.11].
  target.receiveMaximum = d.receiveMaximum || UINT16_MAX;
  target.maximumPacketSize = d.maximumPacketSize || MAX_PACKET_SIZE;
  target.topicAliasMaximum = d.topicAliasMaximum;
  target.requestProblemInformation = d.requestProblemInformation;
  target.requestResponseInformation = d.requestResponseInformation;
  if (d.hasWill) {
    target.willTopic = d.willTopic;
    target.willPayload = d.willPayload;
    target.willQos = d.willQos;
    target.willRetain = d.willRetain;
    target.willContentType = d.willContentType;
    target.willCorrelationData = d.willCorrelationData;
    target.willPayloadUtf8 = d.willPayloadUtf8;
    target.willExpirySeconds = d.hasWillExpiry ? d.willExpirySeconds : 0;
    target.willDelaySeconds = d.willDelaySeconds;
    target.willResponseTopic = d.willResponseTopic;
    target.willUserProperties = d.willUserProperties.map((p) => ({ key: p.key, value: p.value }));
  } else if (withoutWill) {
    Object.assign(target, withoutWill);
  }
  return target;
}

/** What a CONNECT packet says about the settings an administrator can also set. */
export function declaredSettings(d: ConnectDeclaration__Output, maxExpiry = 0): Partial<Settings> {
  return writeDeclared({}, d, maxExpiry, NO_WILL);
}

/**
 * The settings of a session a CONNECT creates: the defaults with what the CONNECT declares (as
 * `{ ...DEFAULT_SETTINGS, ...declaredSettings(d) }`, without the intermediate object: a gateway
 * computes it for every CONNECT it answers first).
 */
export function newSessionSettings(d: ConnectDeclaration__Output, maxExpiry = 0): Settings {
  return writeDeclared({ ...DEFAULT_SETTINGS }, d, maxExpiry, undefined);
}
