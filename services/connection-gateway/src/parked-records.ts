// What a parked session's offline queue consists of (queue.ts): its client id and the subjects of
// its filter consumers. They used to live in the session consumer's description, which JetStream
// caps at 4,096 bytes: a session with a long client id, or more than a few dozen QoS 1/2
// subscriptions, or one long filter, could not be parked and lost its offline messages. Now each
// record is the last message of its own subject in a small stream (limits retention, one message
// per subject), read with a direct get, as retained messages are (retained.ts); it may be as large
// as the session's subscriptions are (bounded by MQFLEET_MAX_SUBSCRIPTION_BYTES).
import { RetentionPolicy, StorageType, type JetStreamManager, type NatsConnection } from 'nats';

export interface ParkedRecord {
  /** The client id. */
  c: string;
  /** Subjects of the session's filter consumers. */
  s: string[];
  /** The parking is complete: a take hands it over (absent in records of older gateways). */
  d?: boolean;
  /**
   * Set while a take removes the parking (queue.ts): a parking that begins then waits until the
   * record is gone, so that the take never removes consumers a newer parking made or kept.
   */
  t?: 1;
}

/** A record as read, with its sequence in the stream (what a conditional write expects). */
export interface StoredRecord extends ParkedRecord {
  seq: number;
}

/**
 * A conditional write found another sequence than it expected: someone wrote (or removed) the
 * record since it was read. JetStream's "wrong last sequence" (10071).
 */
export const recordChanged = (err: unknown): boolean =>
  /wrong last sequence|10071/i.test(String((err as Error)?.message));

const notFound = (err: unknown): boolean =>
  /not found|no message found|10037|10014|404/i.test(String((err as Error)?.message));

export class ParkedRecords {
  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: () => Promise<JetStreamManager>,
    /** The stream, and the prefix of its subjects (one per client token). */
    private readonly stream: string,
    private readonly prefix: string,
    /**
     * Replicas (MQFLEET_STREAM_REPLICAS, as every other stream): with fewer, losing one NATS node
     * would lose the records, and with them the parked sessions' offline messages.
     */
    private readonly replicas = 1,
  ) {}

  /**
   * Creates the stream if it is missing, or gives an existing one the configured replicas
   * (idempotent; several gateways may race).
   */
  async ensure(): Promise<void> {
    const jsm = await this.jsm();
    const existing = await jsm.streams.info(this.stream).catch(() => undefined);
    if (existing) {
      if (Math.max(1, existing.config.num_replicas ?? 1) !== this.replicas) {
        await jsm.streams.update(this.stream, { ...existing.config, num_replicas: this.replicas });
      }
      return;
    }
    try {
      await jsm.streams.add({
        name: this.stream,
        subjects: [`${this.prefix}.*`],
        retention: RetentionPolicy.Limits,
        max_msgs_per_subject: 1,
        storage: StorageType.File,
        num_replicas: this.replicas,
      });
    } catch (err) {
      await jsm.streams.info(this.stream).catch(() => {
        throw err;
      });
    }
  }

  /** The record, or undefined when there is none (seq 0 for a write that expects none). */
  async get(token: string): Promise<StoredRecord | undefined> {
    const jsm = await this.jsm();
    try {
      const stored = await jsm.streams.getMessage(this.stream, { last_by_subj: `${this.prefix}.${token}` });
      const parsed = stored.json<{ c?: unknown; s?: unknown; d?: unknown; t?: unknown }>();
      if (typeof parsed.c !== 'string' || !Array.isArray(parsed.s)) return undefined;
      return {
        c: parsed.c,
        s: parsed.s.filter((x): x is string => typeof x === 'string'),
        seq: stored.seq,
        ...(typeof parsed.d === 'boolean' ? { d: parsed.d } : {}),
        ...(parsed.t === 1 ? { t: 1 as const } : {}),
      };
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Writes the record; returns its sequence. With `expectedSeq`, only if the record is still the
   * one read with that sequence (0: there is none), else it throws (recordChanged): a compare and
   * set, done by JetStream itself (Nats-Expected-Last-Subject-Sequence).
   */
  async put(token: string, record: ParkedRecord, expectedSeq?: number): Promise<number> {
    const ack = await this.nc
      .jetstream()
      .publish(
        `${this.prefix}.${token}`,
        JSON.stringify(record),
        expectedSeq === undefined ? undefined : { expect: { lastSubjectSequence: expectedSeq } },
      );
    return ack.seq;
  }

  async delete(token: string): Promise<void> {
    const jsm = await this.jsm();
    await jsm.streams.purge(this.stream, { filter: `${this.prefix}.${token}` }).catch((err: unknown) => {
      if (!notFound(err)) throw err;
    });
  }
}
