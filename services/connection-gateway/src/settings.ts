// How a session's settings (Session__Output from the session-service) turn into the limits and
// will of a live connection (docs/live-effects.md).
import { DEFAULT_SETTINGS, MAX_PACKET_SIZE, SETTINGS_FIELDS, UINT16_MAX, type Settings } from '@mqfleet/core';
import type { Session__Output } from '@mqfleet/proto';
import type { MessageProperties, QoS } from './message';

/** What the client declared in CONNECT that bounds what the gateway may send it. */
export interface ClientLimits {
  receiveMaximum: number;
  maximumPacketSize: number;
  topicAliasMaximum: number;
}

export const UNLIMITED_CLIENT: ClientLimits = Object.freeze({
  receiveMaximum: UINT16_MAX,
  maximumPacketSize: MAX_PACKET_SIZE,
  topicAliasMaximum: 0,
});

export function settingsOf(session: Session__Output | null | undefined): Settings {
  return shared({ ...DEFAULT_SETTINGS, ...(session?.settings ?? {}) });
}

/**
 * A key that tells settings apart (every field in order, strings with their length, so that no
 * two settings share one), or undefined for settings with a list or bytes that are not empty
 * (user properties, a will: not worth sharing). Less than half of JSON.stringify's cost (2.9
 * against 6.6 µs in a micro-benchmark), once or twice per CONNECT.
 */
function sharingKey(settings: Settings): string | undefined {
  let key = '';
  for (const field of SETTINGS_FIELDS) {
    const value = settings[field] as unknown;
    if (typeof value === 'string') key += `${value.length}:${value}|`;
    else if (typeof value === 'number' || typeof value === 'boolean') key += `${String(value)}|`;
    else if ((Array.isArray(value) || Buffer.isBuffer(value)) && value.length === 0) key += '[]|';
    else if (value === undefined || value === null) key += '-|';
    else return undefined;
  }
  return key;
}

/** Distinct settings objects kept for sharing; beyond it the cache starts again. */
const SHARED_MAX = 4096;
const sharedSettings = new Map<string, Settings>();

/**
 * One object for equal settings: the devices of a fleet mostly have the same settings, and a
 * settings object per connection was about 260 bytes of every idle one (bench/mqtt-load.ts
 * idle-memory). Settings objects are never changed in place (a new state is a new object), so
 * connections can share one.
 */
export function shared(settings: Settings): Settings {
  const key = sharingKey(settings);
  if (key === undefined) return settings;
  const known = sharedSettings.get(key);
  if (known) return known;
  if (sharedSettings.size >= SHARED_MAX) sharedSettings.clear();
  sharedSettings.set(key, settings);
  return settings;
}

/** A stored limit of 0 means "not set": the client's own value applies. */
const capped = (stored: number, declared: number): number =>
  stored > 0 ? Math.min(stored, declared) : declared;

/**
 * Effective outbound limits: never above what the client declared [MQTT-3.1.2-24 (packet size),
 * MQTT-3.3.4-7 (receive maximum), MQTT-3.3.2-9 (topic alias maximum)].
 */
export function effectiveLimits(settings: Settings, declared: ClientLimits): ClientLimits {
  return sharedLimits({
    receiveMaximum: Math.max(1, capped(settings.receiveMaximum, declared.receiveMaximum)),
    maximumPacketSize: capped(settings.maximumPacketSize, declared.maximumPacketSize),
    topicAliasMaximum: Math.min(settings.topicAliasMaximum, declared.topicAliasMaximum),
  });
}

/**
 * UNLIMITED_CLIENT itself for limits equal to it (most clients declare none): connections keep
 * one object instead of two each (bench/mqtt-load.ts idle-memory). Limits are never changed in
 * place.
 */
export function sharedLimits(limits: ClientLimits): ClientLimits {
  return limits.receiveMaximum === UNLIMITED_CLIENT.receiveMaximum &&
    limits.maximumPacketSize === UNLIMITED_CLIENT.maximumPacketSize &&
    limits.topicAliasMaximum === UNLIMITED_CLIENT.topicAliasMaximum
    ? UNLIMITED_CLIENT
    : limits;
}

export function isBanned(settings: Settings): boolean {
  return settings.sessionStatus === 'SESSION_STATUS_BANNED';
}

export interface Will {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: MessageProperties;
  delaySeconds: number;
}

const fromBase64 = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'base64');

/** The will the session holds right now; undefined when willTopic is empty (no will). */
export function willOf(settings: Settings): Will | undefined {
  if (!settings.willTopic) return undefined;
  const properties: MessageProperties = {
    userProperties: (settings.willUserProperties ?? []).map((p) => [p.key, p.value] as [string, string]),
  };
  if (settings.willContentType) properties.contentType = settings.willContentType;
  if (settings.willCorrelationData) properties.correlationData = fromBase64(settings.willCorrelationData);
  if (settings.willResponseTopic) properties.responseTopic = settings.willResponseTopic;
  if (settings.willPayloadUtf8) properties.payloadFormatIndicator = true;
  if (settings.willExpirySeconds > 0) properties.messageExpiryInterval = settings.willExpirySeconds;
  return {
    topic: settings.willTopic,
    payload: fromBase64(settings.willPayload),
    qos: Math.min(2, Math.max(0, settings.willQos)) as QoS,
    retain: settings.willRetain,
    properties,
    delaySeconds: settings.willDelaySeconds,
  };
}
