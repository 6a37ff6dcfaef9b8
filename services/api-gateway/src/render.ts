// Session__Output (gRPC) → the JSON shape of alterMqSession / describeMqSessions results.
import { DEFAULT_SETTINGS, JSON_NAME_OF_STORED, renderSettings, type BinaryFormat } from '@mqfleet/core';
import type { Session__Output, Subscription__Output } from '@mqfleet/proto';

export { renderBytes, renderLabelRef, type BinaryFormat } from '@mqfleet/core';

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** ISO 8601 → the API's `YYYY-MM-DDTHH:MM:SS` (UTC, no zone); null when absent. */
export function apiTimestamp(value: string | undefined | null): string | null {
  if (!value) return null;
  // What the session-service sends (Date.toISOString of a year 0000-9999) needs no parsing.
  if (value.length === 24 && ISO_UTC.test(value)) return value.slice(0, 19);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toISOString().slice(0, 19);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const orNull = <T>(value: T | '' | 0 | undefined): T | null => (value ? value : null);

/** changed_fields of AlterSessionResponse as JSON API property names, without duplicates. */
export function jsonFieldNames(fields: string[]): string[] {
  const names = fields.map((f) => {
    const camel = f.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    return JSON_NAME_OF_STORED[camel] ?? camel;
  });
  return [...new Set(names)];
}

export interface RenderOptions {
  binaryFormat: BinaryFormat;
  numberFormat: 'number' | 'string';
}

/** MQTT 5 Retain Handling (0, 1, 2) ↔ the JSON API's receiveRetainedMessages (docs/json-api.md). */
export const RECEIVE_RETAINED = ['onSubscription', 'onNewSubscription', 'never'] as const;

/** One stored subscription as subscribeToMq and describeMqSessions render it. */
export function renderSubscription(sub: Subscription__Output): Record<string, unknown> {
  return {
    topicFilter: sub.topicFilter,
    qos: sub.qos,
    receiveMyMessages: !sub.noLocal,
    retainAsPublished: sub.retainAsPublished,
    receiveRetainedMessages: RECEIVE_RETAINED[sub.retainHandling] ?? 'onSubscription',
    subscriptionIdentifier: sub.subscriptionIdentifier || null,
  };
}

/** The JSON API's connectionStatus: connected, connectedTemporarily (an MQ API session that acted lately) or disconnected. */
export function connectionStatusName(status: string | number | null | undefined): string {
  if (status === 'CONNECTION_STATUS_CONNECTED') return 'connected';
  if (status === 'CONNECTION_STATUS_CONNECTED_TEMPORARILY') return 'connectedTemporarily';
  return 'disconnected';
}

/** A session in the describeMqSessions shape; `subscriptions` only when includeSubscriptions. */
export function renderSession(
  session: Session__Output,
  options: RenderOptions,
  includeSubscriptions = false,
): Record<string, unknown> {
  const { binaryFormat, numberFormat } = options;
  const s = session.settings ?? DEFAULT_SETTINGS;
  const c = session.connection;
  return {
    clientName: session.clientName,
    sessionType: session.sessionType || 'mqtt',
    // The account that created an MQ API session; null for MQTT sessions.
    owner: session.owner || null,
    username: orNull(c?.username),
    ipaddress: orNull(c?.ipAddress),
    port: orNull(c?.port),
    mqttProtocol: orNull(c?.mqttProtocol),
    connectionStatus: connectionStatusName(c?.status),
    connectionDateTime: apiTimestamp(c?.connectedAt),
    disconnectionDateTime: apiTimestamp(c?.disconnectedAt),
    disconnectionReason: orNull(c?.disconnectionReason),
    lastFailedConnectionDateTime: apiTimestamp(c?.lastFailedConnectionAt),
    lastFailedConnectionReason: orNull(c?.lastFailedConnectionReason),
    // Every setting of the field table (core session-fields.ts), in its order.
    ...renderSettings(s, binaryFormat),
    sessionHealth: session.health || 'offline',
    defaultBinaryFormat: binaryFormat,
    defaultVariantFormat: 'json',
    defaultResponseOptions: { binaryFormat, variantFormat: 'json', dataFormat: 'objects', numberFormat },
    version: String(session.version),
    createdAt: apiTimestamp(session.createdAt),
    updatedAt: apiTimestamp(session.updatedAt),
    ...(includeSubscriptions ? { subscriptions: (session.subscriptions ?? []).map(renderSubscription) } : {}),
  };
}

const STATS_TIMESTAMPS = [
  'firstMessagePublishedOn',
  'lastMessagePublishedOn',
  'firstMessageReceivedOn',
  'lastMessageReceivedOn',
] as const;

/**
 * describeMqSessions includeStats (as docs/json-api.md names them): the thresholds and
 * sessionHealth, plus the live statistics the gateway answered (stats_json); null when there are none (not
 * connected, or the gateway did not answer in time).
 */
export function renderStats(session: Session__Output): Record<string, unknown> | null {
  if (!session.statsJson) return null;
  const live = parseJson(session.statsJson) as Record<string, unknown>;
  const s = { ...DEFAULT_SETTINGS, ...(session.settings ?? {}) };
  const stats: Record<string, unknown> = {
    minHealthySendRatePerMinute: s.minHealthySendRatePerMinute,
    maxHealthySendRatePerMinute: s.maxHealthySendRatePerMinute,
    maxHealthyBacklogRatePerMinute: s.maxHealthyBacklogRatePerMinute,
    minHealthySubscribedTopicFiltersCount: s.minHealthySubscribedTopicFiltersCount,
    maxHealthySubscribedTopicFiltersCount: s.maxHealthySubscribedTopicFiltersCount,
    sessionHealth: session.health || 'offline',
    ...live,
  };
  for (const key of [...STATS_TIMESTAMPS, 'connectedSince']) {
    stats[key] = apiTimestamp(stats[key] as string | null | undefined);
  }
  return stats;
}

/**
 * describeMqSessions includePublishedTopics (docs/json-api.md, publishedTopics): the topics the
 * live connection published to, most recent first, as the gateway holding it answered
 * (published_topics_json); null when there is no answer (not connected, or no reply in time).
 */
export function renderPublishedTopics(session: Session__Output): Record<string, unknown>[] | null {
  if (!session.publishedTopicsJson) return null;
  const topics = parseJson(session.publishedTopicsJson);
  if (!Array.isArray(topics)) return null;
  return (topics as Record<string, unknown>[]).map((t) => ({
    topic: t.topic,
    totalMessagesPublished: t.totalMessagesPublished,
    lastMessagePublishedOn: apiTimestamp(t.lastMessagePublishedOn as string | null | undefined),
  }));
}

/** responseOptions.numberFormat "string": every number inside the value becomes a string. */
export function numbersAsStrings(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(numbersAsStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, numbersAsStrings(v)]));
  }
  return value;
}
