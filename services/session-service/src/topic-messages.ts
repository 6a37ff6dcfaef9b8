// getMessagesFromMqTopic (docs/json-api.md): a stateless read of a stored topic's history (the
// messages gateways keep for MQFLEET_STORED_TOPICS in subjects().topicsStream). Nothing moves and
// nothing is removed: each read makes a short-lived JetStream consumer on the topic's subject,
// starting where it was asked (head, a time, a stream position), takes up to maxMessages, and
// deletes the consumer. "tail" (the newest messages) finds its start by a binary search on the
// stream position, counting what a consumer from there would deliver (about log2(stream size)
// consumer creations).
import { randomBytes } from 'node:crypto';
import { MqfleetError, topicNameProblem, type Subjects } from '@mqfleet/core';
import type { StoredMessage } from '@mqfleet/proto';
import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  type ConsumerConfig,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import { decodeKept, keptOf } from './stored-message';

/** Where a read starts: the oldest kept, the newest `max`, the first at or after a time, a position. */
export type StartFrom =
  { kind: 'head' } | { kind: 'tail' } | { kind: 'time'; at: Date } | { kind: 'position'; seq: number };

/** A consumer nobody uses is removed by the server after this long (if its delete was lost). */
const INACTIVE_MS = 10_000;

export class TopicMessages {
  private jsm: Promise<JetStreamManager> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
  ) {}

  private manager(): Promise<JetStreamManager> {
    this.jsm ??= this.nc.jetstreamManager();
    return this.jsm;
  }

  /** Up to `max` messages of `topic` from `from`, oldest first; expired ones are left out. */
  async read(
    topic: string,
    from: StartFrom,
    max: number,
  ): Promise<{ messages: StoredMessage[]; kept: number }> {
    const problem = topicNameProblem(topic);
    if (problem) throw new MqfleetError('INVALID_VALUE', `topic must be a topic name: ${problem}`, 'topic');
    const subject = this.s.topicMessage(topic);
    const jsm = await this.manager();
    const kept = await this.count(jsm, subject);
    if (kept === 0) return { messages: [], kept };
    let start: Partial<ConsumerConfig>;
    switch (from.kind) {
      case 'head':
        start = { deliver_policy: DeliverPolicy.All };
        break;
      case 'time':
        start = { deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.at.toISOString() };
        break;
      case 'position':
        start = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, from.seq) };
        break;
      case 'tail':
        start =
          kept <= max
            ? { deliver_policy: DeliverPolicy.All }
            : {
                deliver_policy: DeliverPolicy.StartSequence,
                opt_start_seq: await this.tailStart(jsm, subject, max),
              };
        break;
    }
    const { name } = await this.consumer(jsm, subject, start);
    try {
      const pulled: JsMsg[] = [];
      for await (const m of this.nc
        .jetstream()
        .fetch(this.s.topicsStream, name, { batch: max, no_wait: true })) {
        pulled.push(m);
      }
      const now = Date.now();
      const messages = pulled.flatMap((m) => {
        // (The stream's filter: its subject up to the topic is the same for every topic.)
        const message = decodeKept(keptOf(m, this.s.topicsAll), '', now);
        return message ? [message] : [];
      });
      return { messages, kept };
    } finally {
      void jsm.consumers.delete(this.s.topicsStream, name).catch(() => undefined);
    }
  }

  /** Messages of the topic kept now. */
  private async count(jsm: JetStreamManager, subject: string): Promise<number> {
    const info = await jsm.streams.info(this.s.topicsStream, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  }

  /** An ephemeral consumer on the topic from `start`: its name and how many messages it has to deliver. */
  private async consumer(
    jsm: JetStreamManager,
    subject: string,
    start: Partial<ConsumerConfig>,
  ): Promise<{ name: string; pending: number }> {
    const name = `topic_${randomBytes(9).toString('base64url')}`;
    const info = await jsm.consumers.add(this.s.topicsStream, {
      name,
      filter_subject: subject,
      ack_policy: AckPolicy.None,
      inactive_threshold: nanos(INACTIVE_MS),
      ...start,
    });
    return { name, pending: info.num_pending };
  }

  /** The highest stream position from which at least `max` messages of the subject follow. */
  private async tailStart(jsm: JetStreamManager, subject: string, max: number): Promise<number> {
    const { state } = await jsm.streams.info(this.s.topicsStream);
    let lo = state.first_seq;
    let hi = state.last_seq;
    const following = async (seq: number): Promise<number> => {
      const { name, pending } = await this.consumer(jsm, subject, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: seq,
      });
      void jsm.consumers.delete(this.s.topicsStream, name).catch(() => undefined);
      return pending;
    };
    // following(lo) ≥ max (more than max are kept); find the largest such position.
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if ((await following(mid)) >= max) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
