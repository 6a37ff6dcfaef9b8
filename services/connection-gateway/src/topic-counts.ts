// Topics seen (docs/json-api.md, listTopics and describeTopics): the messages this gateway
// receives from its publishers (PUBLISH, wills, API publishes: everything index.ts route() takes,
// not the copies other gateways hand on) are counted per topic here, and every
// TOPIC_REPORT_MS the counts go to the session-service as TopicReport messages on core NATS
// `<prefix>.topics.<gatewayId>`; the session-service adds them to its topics table. Counting costs
// one Map lookup per message for a topic seen since the last report. The map holds at most
// MQFLEET_MAX_TOPICS topics and MAX_TOPIC_CHARS characters of names between two reports: a
// message to a further topic is not counted (`uncounted`, reported and logged by the
// session-service). A report lost in transit (core NATS, no retry) loses its counts.
import type { Logger, Subjects, TopicReport } from '@mqfleet/core';
import type { NatsConnection } from 'nats';

/** How often a gateway reports its counts. */
export const TOPIC_REPORT_MS = 2000;
/** Characters of topic names counted between two reports (a topic name may be 65,535 bytes). */
export const MAX_TOPIC_CHARS = 8 * 1024 * 1024;
/** Characters of topic names per report message, well under NATS's max_payload (1 MiB by default). */
const REPORT_CHARS = 256 * 1024;
/** What a report entry weighs beyond its name (counts, times, JSON punctuation). */
const ENTRY_OVERHEAD = 48;

interface Count {
  messages: number;
  first: number;
  last: number;
}

export class TopicCounts {
  private counts = new Map<string, Count>();
  private chars = 0;
  private uncounted = 0;

  constructor(
    private readonly maxTopics: number,
    private readonly maxChars = MAX_TOPIC_CHARS,
  ) {}

  /** One message to `topic`, received at `at` (epoch ms). */
  add(topic: string, at: number): void {
    const count = this.counts.get(topic);
    if (count !== undefined) {
      count.messages++;
      count.last = at;
      return;
    }
    this.insert(topic, at);
  }

  private insert(topic: string, at: number): void {
    if (this.counts.size >= this.maxTopics || this.chars + topic.length > this.maxChars) {
      this.uncounted++;
      return;
    }
    this.counts.set(topic, { messages: 1, first: at, last: at });
    this.chars += topic.length;
  }

  /** Topics counted since the last take. */
  get size(): number {
    return this.counts.size;
  }

  /**
   * Everything counted since the last take, as reports of a bounded size (none when nothing was
   * counted); counting starts again from nothing.
   */
  take(gatewayId: string): TopicReport[] {
    if (this.counts.size === 0 && this.uncounted === 0) return [];
    const counts = this.counts;
    const uncounted = this.uncounted;
    this.counts = new Map();
    this.chars = 0;
    this.uncounted = 0;
    const reports: TopicReport[] = [];
    let report: TopicReport = { gatewayId, topics: [] };
    let chars = 0;
    for (const [topic, c] of counts) {
      if (report.topics.length > 0 && chars + topic.length + ENTRY_OVERHEAD > REPORT_CHARS) {
        reports.push(report);
        report = { gatewayId, topics: [] };
        chars = 0;
      }
      report.topics.push([topic, c.messages, c.first, c.last]);
      chars += topic.length + ENTRY_OVERHEAD;
    }
    if (uncounted > 0) report.uncounted = uncounted;
    reports.push(report);
    return reports;
  }
}

/** Publishes a gateway's TopicCounts every TOPIC_REPORT_MS, and once more when it stops. */
export class TopicReporter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly counts: TopicCounts,
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly gatewayId: string,
    private readonly logger: Logger,
    private readonly intervalMs = TOPIC_REPORT_MS,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.report(), this.intervalMs);
    this.timer.unref();
  }

  /** Publishes what was counted since the last report. */
  report(): void {
    if (this.nc.isClosed()) return;
    for (const report of this.counts.take(this.gatewayId)) {
      try {
        this.nc.publish(this.s.topicReport(this.gatewayId), JSON.stringify(report));
      } catch (err) {
        this.logger.warn('topic counts not reported', { err, topics: report.topics.length });
      }
    }
  }

  /** Reports the last counts (before the NATS connection drains). */
  stop(): void {
    clearInterval(this.timer);
    this.report();
  }
}
