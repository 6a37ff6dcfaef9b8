// The JetStream streams (docs/configuration.md, "Storage bounds"): session events, retained
// messages, offline queues and the cluster's work. The session-service creates them at its start
// with the configured limits and replicas, and brings streams that exist already to those limits
// (two instances starting together both succeed). Gateways create the queue stream too when it
// is missing (queue.ts), with the same limits.
import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  nanos,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import {
  jetStreamLimits,
  limitsDiffer,
  type Config,
  type DiscardWhenFull,
  type Logger,
  STREAM_KINDS,
  type StreamKind,
  type Subjects,
} from '@mqfleet/core';

/** Window in which a re-published outbox row (same Nats-Msg-Id) is stored only once. */
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

type Wanted = Partial<StreamConfig> & { name: string };

/**
 * What each stream does when full. Events are a log for gateways that catch up (they reconcile
 * after any gap), so the oldest go. Retained messages, queued messages and work are refused when
 * full: the retained store answers MQTT 5 0x97 Quota exceeded, the others log.
 */
const DISCARD: Record<StreamKind, DiscardWhenFull> = {
  events: 'old',
  retained: 'new',
  queue: 'new',
  work: 'new',
  mqapi: 'new',
  topics: 'old',
};

/** The stream of one kind, with its configured limits. */
export function streamConfig(kind: StreamKind, subjects: Subjects, config: Config): Wanted {
  const limits = jetStreamLimits(config.streams[kind], config.streamReplicas, DISCARD[kind]);
  const common = {
    storage: StorageType.File,
    ...limits,
    discard: limits.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
  };
  switch (kind) {
    case 'events':
      return {
        ...common,
        name: subjects.eventsStream,
        subjects: [subjects.eventsAll],
        retention: RetentionPolicy.Limits,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      };
    case 'retained':
      // Retained messages [MQTT-3.3.1-5]: the last message of each topic, on its own subject
      // (subjects().retained(topic)); the connection-gateways store, purge and read them.
      return {
        ...common,
        name: subjects.retainedStream,
        subjects: [subjects.retainedAll],
        retention: RetentionPolicy.Limits,
        max_msgs_per_subject: 1,
      };
    case 'queue':
      // Offline queues (the gateways' queue.ts): kept while a consumer wants them.
      return {
        ...common,
        name: subjects.queueStream,
        subjects: [subjects.queueAll],
        retention: RetentionPolicy.Interest,
      };
    case 'work':
      // Each item goes to one gateway and is gone once acknowledged (gateway lost-work.ts).
      return {
        ...common,
        name: subjects.workStream,
        subjects: [subjects.workAll],
        retention: RetentionPolicy.Workqueue,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      };
    case 'mqapi':
      // Messages kept for MQ API sessions (services/session-service/src/mq-api-messages.ts):
      // read by subject with direct gets, removed one by one as a read returns them.
      return {
        ...common,
        name: subjects.mqApiStream,
        subjects: [subjects.mqApiAll],
        retention: RetentionPolicy.Limits,
        allow_direct: true,
      };
    case 'topics':
      // The history of stored topics (getMessagesFromMqTopic, topic-messages.ts): read by subject
      // with direct gets; the oldest go when it is full.
      return {
        ...common,
        name: subjects.topicsStream,
        subjects: [subjects.topicsAll],
        retention: RetentionPolicy.Limits,
        allow_direct: true,
      };
  }
}

/** Creates or updates every stream; a stream that cannot have the configured limits stops the start. */
export async function ensureStreams(
  nc: NatsConnection,
  subjects: Subjects,
  config: Config,
  log: Logger,
): Promise<void> {
  if (config.streamReplicas > 1 && !nc.info?.cluster) {
    // nats-server refuses such a stream when creating it, but accepts (and ignores) the change
    // on an existing one.
    throw new Error(
      `MQFLEET_STREAM_REPLICAS is ${config.streamReplicas}, but the NATS server (${nc.getServer()}) is not part of a cluster: replicas need a JetStream cluster of at least that many servers (deploy/ runs 3). Use 1 on a single server; see docs/configuration.md.`,
    );
  }
  for (const kind of STREAM_KINDS) {
    await ensureStream(nc, streamConfig(kind, subjects, config), log);
  }
}

export async function ensureStream(nc: NatsConnection, wanted: Wanted, log: Logger): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const limits = jetStreamLimits(
    {
      maxBytes: Number(wanted.max_bytes ?? -1),
      maxMessages: Number(wanted.max_msgs ?? -1),
      maxAgeSeconds: Number(wanted.max_age ?? 0) / 1e9,
    },
    wanted.num_replicas ?? 1,
    wanted.discard === DiscardPolicy.New ? 'new' : 'old',
  );
  const explain = (err: unknown): Error =>
    new Error(
      `JetStream stream ${wanted.name} cannot have the configured limits (bytes ${limits.max_bytes}, messages ${limits.max_msgs}, replicas ${limits.num_replicas}): ${(err as Error).message}. ` +
        "Check MQFLEET_STREAM_REPLICAS (more than 1 needs a JetStream cluster of at least that many servers) and the MQFLEET_*_STREAM_* limits against the NATS server's JetStream storage (max_file_store); see docs/configuration.md.",
    );
  let current;
  try {
    current = await jsm.streams.info(wanted.name);
  } catch {
    // Not there yet.
  }
  if (!current) {
    try {
      await jsm.streams.add(wanted);
      log.info('stream created', { stream: wanted.name, ...limits });
      return;
    } catch (err) {
      // Another instance may have created it a moment ago.
      current = await jsm.streams.info(wanted.name).catch(() => {
        throw explain(err);
      });
    }
  }
  const differ = limitsDiffer(current.config, limits);
  if (differ.length === 0) return;
  try {
    await jsm.streams.update(wanted.name, { ...current.config, ...limits, discard: wanted.discard! });
  } catch (err) {
    throw explain(err);
  }
  log.info('stream limits updated', {
    stream: wanted.name,
    changed: Object.fromEntries(
      differ.map((key) => [key, { before: current.config[key], after: limits[key] }]),
    ),
  });
}

/** How often the streams' fill is checked. */
const MONITOR_MS = 30_000;
/** A stream this full (bytes or messages, of its limit) is reported. */
const FULL_RATIO = 0.95;

/**
 * Logs when a stream reaches its limits, and when it has room again: a full queue or work stream
 * refuses what gateways publish to it without any client waiting for the answer, so the log is
 * where an operator learns it (the retained store also answers MQTT 5 publishers 0x97).
 */
export class StreamMonitor {
  private timer: NodeJS.Timeout | undefined;
  private readonly full = new Set<string>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** Checks now (a stream full before this start is logged at once), then every MONITOR_MS. */
  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), MONITOR_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<void> {
    let jsm;
    try {
      jsm = await this.nc.jetstreamManager();
    } catch {
      return;
    }
    for (const kind of STREAM_KINDS) {
      const name = streamConfig(kind, this.subjects, this.config).name;
      try {
        const { config, state } = await jsm.streams.info(name);
        const byBytes = config.max_bytes > 0 && state.bytes >= FULL_RATIO * config.max_bytes;
        const byCount = config.max_msgs > 0 && state.messages >= FULL_RATIO * config.max_msgs;
        if (byBytes || byCount) {
          if (this.full.has(name)) continue;
          this.full.add(name);
          // A stream that drops its oldest (events, topic history) is a log bounded by design:
          // reaching the bound is its steady state, not a fault, so that is only noted.
          const say = DISCARD[kind] === 'new' ? this.log.warn : this.log.info;
          say.call(
            this.log,
            DISCARD[kind] === 'new'
              ? `stream ${name} is full: new messages are refused (raise MQFLEET_${kind.toUpperCase()}_STREAM_MAX_BYTES / _MAX_MESSAGES)`
              : `stream ${name} reached its limit: its oldest messages now make room for new ones`,
            {
              stream: name,
              bytes: state.bytes,
              maxBytes: config.max_bytes,
              messages: state.messages,
              maxMessages: config.max_msgs,
            },
          );
        } else if (this.full.delete(name)) {
          this.log.info(`stream ${name} has room again`, {
            stream: name,
            bytes: state.bytes,
            messages: state.messages,
          });
        }
      } catch {
        // Not there (yet), or NATS is down: the next check.
      }
    }
  }
}
