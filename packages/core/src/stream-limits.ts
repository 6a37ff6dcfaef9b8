// Bounds of the JetStream streams mqfleet keeps (docs/configuration.md, "Storage bounds"). Every
// stream gets a byte, message and age limit from the configuration (MQFLEET_<STREAM>_STREAM_*),
// and the replica count MQFLEET_STREAM_REPLICAS; the process that creates a stream also brings an
// existing one to these limits at its start.

/**
 * The streams: session events, retained messages, offline queues, cluster work (wills, lost
 * sessions), the messages kept for MQ API sessions until they read them, the history of stored
 * topics (MQFLEET_STORED_TOPICS).
 */
export const STREAM_KINDS = ['events', 'retained', 'queue', 'work', 'mqapi', 'topics'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

export interface StreamLimits {
  /** Bytes the stream may hold; 0 = no limit. */
  maxBytes: number;
  /** Messages the stream may hold; 0 = no limit. */
  maxMessages: number;
  /** Seconds a message is kept; 0 = no limit. */
  maxAgeSeconds: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const DAY = 24 * 60 * 60;

/**
 * Defaults: together 6.25 GiB, which a NATS server reserves from its JetStream storage when the
 * streams are created (deploy/ gives each node 10 GB).
 */
export const DEFAULT_STREAM_LIMITS: Readonly<Record<StreamKind, Readonly<StreamLimits>>> = {
  // A log for gateways that catch up: when full the oldest events go (gateways reconcile anyway).
  events: { maxBytes: 1 * GiB, maxMessages: 10_000_000, maxAgeSeconds: 1 * DAY },
  // One message per topic; Message Expiry still applies per message.
  retained: { maxBytes: 1 * GiB, maxMessages: 1_000_000, maxAgeSeconds: 0 },
  // Messages older than the longest session expiry cannot be wanted by any session.
  queue: { maxBytes: 2 * GiB, maxMessages: 10_000_000, maxAgeSeconds: 7 * DAY },
  // Lost sessions and due wills, each taken by one gateway and removed when done.
  work: { maxBytes: 256 * MiB, maxMessages: 1_000_000, maxAgeSeconds: 0 },
  // Messages waiting for MQ API sessions to read them; unread for a week, they go.
  mqapi: { maxBytes: 1 * GiB, maxMessages: 10_000_000, maxAgeSeconds: 7 * DAY },
  // The history of stored topics: when full, the oldest messages go.
  topics: { maxBytes: 1 * GiB, maxMessages: 10_000_000, maxAgeSeconds: 7 * DAY },
};

/** 1 on one machine; deploy/ runs a 3-node JetStream cluster and sets 3. */
export const DEFAULT_STREAM_REPLICAS = 1;

/** The MQFLEET_* variable of one limit of one stream (e.g. MQFLEET_RETAINED_STREAM_MAX_BYTES). */
export function streamLimitVariable(kind: StreamKind, limit: keyof StreamLimits): string {
  const suffix = { maxBytes: 'MAX_BYTES', maxMessages: 'MAX_MESSAGES', maxAgeSeconds: 'MAX_AGE_SECONDS' }[
    limit
  ];
  return `MQFLEET_${kind.toUpperCase()}_STREAM_${suffix}`;
}

/** What JetStream does when a stream is full: drop the oldest messages, or refuse new ones. */
export type DiscardWhenFull = 'old' | 'new';

/** The limit fields of a JetStream stream configuration (nats StreamConfig names and units). */
export interface JetStreamLimitFields {
  max_bytes: number;
  max_msgs: number;
  /** Nanoseconds; 0 = no limit. */
  max_age: number;
  num_replicas: number;
  discard: DiscardWhenFull;
}

/** A stream's configured limits as JetStream fields (0 = no limit becomes JetStream's -1). */
export function jetStreamLimits(
  limits: StreamLimits,
  replicas: number,
  discard: DiscardWhenFull,
): JetStreamLimitFields {
  return {
    max_bytes: limits.maxBytes > 0 ? limits.maxBytes : -1,
    max_msgs: limits.maxMessages > 0 ? limits.maxMessages : -1,
    max_age: limits.maxAgeSeconds * 1_000_000_000,
    num_replicas: replicas,
    discard,
  };
}

/** The limit fields in which a stream's current configuration differs from the wanted one. */
export function limitsDiffer(
  current: Partial<Record<keyof JetStreamLimitFields, unknown>>,
  wanted: JetStreamLimitFields,
): (keyof JetStreamLimitFields)[] {
  return (Object.keys(wanted) as (keyof JetStreamLimitFields)[]).filter((key) => {
    const a = current[key];
    const b = wanted[key];
    // JetStream reports "no limit" as -1 or 0 depending on the field; 1 replica as 0 or 1.
    if (key === 'num_replicas') return Math.max(1, Number(a ?? 1)) !== b;
    if (key === 'max_age') return Number(a ?? 0) !== b;
    if (key === 'discard') return (a ?? 'old') !== b;
    return (Number(a ?? -1) > 0 ? Number(a) : -1) !== b;
  });
}
