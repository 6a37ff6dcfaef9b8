// The JetStream streams: session events, and retained messages (one per topic). Created idempotently at start; two
// instances starting together both succeed.
import { RetentionPolicy, StorageType, nanos, type NatsConnection, type StreamConfig } from 'nats';
import type { Subjects } from '@mqfleet/core';

/** Events are kept a day: long enough for a gateway to catch up after an outage. */
const MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Window in which a re-published outbox row (same Nats-Msg-Id) is stored only once. */
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

export async function ensureEventStream(nc: NatsConnection, subjects: Subjects): Promise<void> {
  await ensureStream(nc, {
    name: subjects.eventsStream,
    subjects: [subjects.eventsAll],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(MAX_AGE_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  });
}

/**
 * Retained messages [MQTT-3.3.1-5]: the last message of each topic, on its own subject
 * (subjects().retained(topic)); the connection-gateways store, purge and read them.
 */
export async function ensureRetainedStream(nc: NatsConnection, subjects: Subjects): Promise<void> {
  await ensureStream(nc, {
    name: subjects.retainedStream,
    subjects: [subjects.retainedAll],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_msgs_per_subject: 1,
  });
}

async function ensureStream(
  nc: NatsConnection,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.info(config.name);
    return;
  } catch {
    // Not there yet.
  }
  try {
    await jsm.streams.add(config);
  } catch (err) {
    // Another instance may have created it a moment ago.
    await jsm.streams.info(config.name).catch(() => {
      throw err;
    });
  }
}
