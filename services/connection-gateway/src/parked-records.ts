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
}

const notFound = (err: unknown): boolean =>
  /not found|10037|10014|404/i.test(String((err as Error)?.message));

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

  async get(token: string): Promise<ParkedRecord | undefined> {
    const jsm = await this.jsm();
    try {
      const stored = await jsm.streams.getMessage(this.stream, { last_by_subj: `${this.prefix}.${token}` });
      const parsed = stored.json<{ c?: unknown; s?: unknown }>();
      if (typeof parsed.c !== 'string' || !Array.isArray(parsed.s)) return undefined;
      return { c: parsed.c, s: parsed.s.filter((x): x is string => typeof x === 'string') };
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async put(token: string, record: ParkedRecord): Promise<void> {
    await this.nc.jetstream().publish(`${this.prefix}.${token}`, JSON.stringify(record));
  }

  async delete(token: string): Promise<void> {
    const jsm = await this.jsm();
    await jsm.streams.purge(this.stream, { filter: `${this.prefix}.${token}` }).catch((err: unknown) => {
      if (!notFound(err)) throw err;
    });
  }
}
