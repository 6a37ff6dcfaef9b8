// Reading the messages kept for MQ API sessions (getMessagesFromMqApiSession, gRPC GetMessages
// and Receive; docs/json-api.md, "Messages of MQ API sessions"). The connection-gateways store
// one copy per session on subjects().mqApiMessage(session, topic) (their mq-api-sessions.ts).
//
// A read of all of a session's messages pulls exactly what is pending (at most maxMessages) from
// the session's durable pull consumer (mqa_<client token>) in one request, acknowledges each
// message as it arrives, then purges the session's subjects up to the consumer's acknowledgement
// floor. The consumer's position lives in the NATS server, so the next read resumes where the
// last stopped after any restart of ours, and two readers never get the same message. (A pull for
// more than is pending stays open in nats-server 2.9 and takes later messages for a reader that is
// gone: measured, about 1 in 300 lost without acknowledgements. Asking for exactly what is
// pending avoids it; should it still happen, the unacknowledged delivery comes again after 2 s.) A read of one topic takes that topic's oldest messages with direct gets by subject and
// deletes each: the delete is the claim (of two readers that got the same message, the one whose
// delete succeeds returns it), and the consumer skips what is gone.
//
// The expiry sweep, a permanent delete, or another session-service's sweep can remove a session
// and its consumer while a read of it is under way: a pull that finds the consumer gone throws
// ConsumerGone, and a read that made the consumer says so (consumerAdded), so that the caller
// (grpc.ts, GetMessages and Receive) can look the session up again and answer it not found.
//
// After a change of an MQ API session's subscriptions this module also tells the gateways
// (sync): every live one answers once it stores messages by the new subscriptions, and the
// retained messages of new subscriptions are stored by one of them.
import {
  MqfleetError,
  clientToken,
  topicNameProblem,
  type Logger,
  type MqApiRetainedReply,
  type MqApiRetainedRequest,
  type MqApiSync,
  type Subjects,
} from '@mqfleet/core';
import type { Session__Output, StoredMessage, Subscription__Output } from '@mqfleet/proto';
import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  RequestStrategy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type StoredMsg,
  type Subscription,
} from 'nats';
import type { GatewayRegistry } from './gateways';
import { decodeKept, keptOf } from './stored-message';

/** Messages one read returns at most, and when none is asked for. */
export const MAX_READ = 10_000;
export const DEFAULT_READ = 100;
/** Name of a session's durable pull consumer (never the raw client name). */
const consumerName = (token: string): string => `mqa_${token}`;
/** Name of the consumer shared by the MQ API members of a shared subscription. */
const groupConsumerName = (token: string): string => `mqg_${token}`;
/** A delivery not acknowledged (lost on its way to a reader that went away) comes again after this. */
const REDELIVER_MS = 2000;
/**
 * How often a pull still waiting for its answer checks that its consumer exists: a pull from a
 * consumer removed after it was looked up is never answered (nats-server 2.9).
 */
const PULL_CHECK_MS = 1000;
/** How long a subscription change waits for the gateways to take it. */
const SYNC_TIMEOUT_MS = 3000;
/** How long the retained messages of new subscriptions may take to be stored. */
const RETAINED_TIMEOUT_MS = 5000;

/** A read's durable consumer was removed during the read (with its session, most likely). */
export class ConsumerGone extends Error {
  constructor(readonly durable: string) {
    super(`consumer ${durable} was removed during the read`);
  }
}

export class MqApiMessages {
  private jsm: Promise<JetStreamManager> | undefined;
  private js: JetStreamClient | undefined;
  /** Durable consumers known to exist (created or found), by name. */
  private readonly consumers = new Set<string>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly gateways: GatewayRegistry,
    private readonly log: Logger,
  ) {}

  private manager(): Promise<JetStreamManager> {
    this.jsm ??= this.nc.jetstreamManager();
    return this.jsm;
  }

  /**
   * Takes up to `max` of the session's oldest messages (of `topic` only, when given), removing
   * them; expired ones are removed and skipped. `remaining`: what is left after them. `backlog`
   * (whole reads): what is left of the session's own messages, its groups' not counted.
   * `consumerAdded` (whole reads): this read added the session's consumer (made it, or found it
   * after this process forgot it), so the session may have been removed before.
   * Throws ConsumerGone when a consumer was removed during the read.
   */
  async take(
    clientName: string,
    max: number,
    topic: string,
    shared: string[] = [],
  ): Promise<{ messages: StoredMessage[]; remaining: number; backlog?: number; consumerAdded?: boolean }> {
    if (topic === '') return this.pullAll(clientName, max, shared);
    const problem = topicNameProblem(topic);
    if (problem) throw new MqfleetError('INVALID_VALUE', `topic must be a topic name: ${problem}`, 'topic');
    const subject = this.s.mqApiMessage(clientName, topic);
    const jsm = await this.manager();
    const messages: StoredMessage[] = [];
    let seq = 1;
    const now = Date.now();
    while (messages.length < max) {
      let stored: StoredMsg;
      try {
        stored = await (jsm as unknown as DirectGets).direct.getMessage(this.s.mqApiStream, {
          seq,
          next_by_subj: subject,
        });
      } catch (err) {
        if (isNotFound(err)) break;
        throw err;
      }
      seq = stored.seq + 1;
      let claimed: boolean;
      try {
        claimed = await jsm.streams.deleteMessage(this.s.mqApiStream, stored.seq, false);
      } catch (err) {
        // Another reader took it first.
        if (isNotFound(err) || /no message found|not found/i.test(String((err as Error).message))) continue;
        throw err;
      }
      if (!claimed) continue;
      const message = decodeKept(
        {
          subject: stored.subject,
          prefix: this.s.mqApiSessionAll(clientName).slice(0, -1),
          headers: stored.header,
          data: stored.data,
          seq: stored.seq,
          storedAt: stored.time.getTime(),
        },
        clientName,
        now,
      );
      if (message) messages.push(message);
    }
    return { messages, remaining: await this.count(jsm, subject) };
  }

  /**
   * A whole-session read: its own messages, then those of its shared subscriptions' groups (each
   * group's copies go to whichever member reads them first), in stream order.
   */
  private async pullAll(
    clientName: string,
    max: number,
    shared: string[],
  ): Promise<{ messages: StoredMessage[]; remaining: number; backlog: number; consumerAdded: boolean }> {
    const own = await this.pull(
      clientName,
      this.s.mqApiSessionAll(clientName),
      consumerName(clientToken(clientName)),
      max,
    );
    let { messages, remaining } = own;
    for (const whole of shared) {
      if (messages.length >= max) break;
      let group: { messages: StoredMessage[]; remaining: number };
      try {
        group = await this.pull(
          clientName,
          this.s.mqApiSharedAll(whole),
          groupConsumerName(clientToken(whole)),
          max - messages.length,
        );
      } catch (err) {
        // A group's consumer removed under the read: the session's own messages, taken already,
        // are returned; the next read makes the group's consumer again.
        if (!(err instanceof ConsumerGone)) throw err;
        this.log.warn('the consumer of a shared subscription was removed during a read', { whole });
        continue;
      }
      messages = messages.concat(group.messages);
      remaining += group.remaining;
    }
    if (shared.length > 0)
      messages.sort((a, b) => Number(BigInt(a.sequence as string) - BigInt(b.sequence as string)));
    return { messages, remaining, backlog: own.remaining, consumerAdded: own.added };
  }

  /** One pull from a durable consumer on `filter`, then a purge of what it gave. */
  private async pull(
    clientName: string,
    filter: string,
    durable: string,
    max: number,
  ): Promise<{ messages: StoredMessage[]; remaining: number; added: boolean }> {
    const added = await this.ensureConsumer(filter, durable);
    this.js ??= this.nc.jetstream();
    const jsm = await this.manager();
    const pulled: JsMsg[] = [];
    let gone = false;
    let check: NodeJS.Timeout | undefined;
    try {
      // Exactly what is there: a pull for more than is pending stays open in nats-server 2.9
      // (also with no_wait) and takes messages stored later for a reader that has gone; with
      // acknowledgements they come back after REDELIVER_MS instead of being lost. (Deliveries
      // waiting for that count too, so they are asked for.)
      const before = await jsm.consumers.info(this.s.mqApiStream, durable);
      const batch = Math.min(max, before.num_pending + before.num_ack_pending);
      if (batch === 0) return { messages: [], remaining: 0, added };
      // no_wait alone: with an expiry too, an empty pull waited for all of it (nats-server 2.9).
      const fetched = this.js.fetch(this.s.mqApiStream, durable, { batch, no_wait: true });
      check = setInterval(() => {
        jsm.consumers.info(this.s.mqApiStream, durable).catch((err: unknown) => {
          if (!consumerGone(err)) return;
          gone = true;
          fetched.stop();
        });
      }, PULL_CHECK_MS);
      for await (const m of fetched) {
        m.ack();
        pulled.push(m);
      }
    } catch (err) {
      // The consumer was removed (with its session, or the stream made again): the next read
      // makes it again.
      this.consumers.delete(durable);
      if (consumerGone(err)) throw new ConsumerGone(durable);
      throw err;
    } finally {
      clearInterval(check);
    }
    if (gone) {
      this.consumers.delete(durable);
      throw new ConsumerGone(durable);
    }
    const now = Date.now();
    const messages: StoredMessage[] = [];
    for (const m of pulled) {
      const message = decodeKept(keptOf(m, filter), clientName, now);
      if (message) messages.push(message);
    }
    if (pulled.length === 0) return { messages, remaining: 0, added };
    // Taken means removed (a topic read must not find it): everything up to the consumer's
    // acknowledgement floor, which a delivery lost on its way (not acknowledged) holds back.
    await this.nc.flush();
    const after = await jsm.consumers.info(this.s.mqApiStream, durable).catch((err: unknown) => {
      if (!consumerGone(err)) throw err;
      this.consumers.delete(durable);
      throw new ConsumerGone(durable);
    });
    await jsm.streams.purge(this.s.mqApiStream, { filter, seq: after.ack_floor.stream_seq + 1 });
    return { messages, remaining: after.num_pending, added };
  }

  /** Adds the durable consumer unless this process knows it exists; whether it added it. */
  private async ensureConsumer(filter: string, durable: string): Promise<boolean> {
    if (this.consumers.has(durable)) return false;
    const jsm = await this.manager();
    // Adding a durable consumer with the same configuration again changes nothing.
    await jsm.consumers.add(this.s.mqApiStream, {
      durable_name: durable,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(REDELIVER_MS),
      // A read takes up to MAX_READ; deliveries lost on their way wait for REDELIVER_MS besides.
      max_ack_pending: 4 * MAX_READ,
      deliver_policy: DeliverPolicy.All,
    });
    this.consumers.add(durable);
    return true;
  }

  /**
   * Messages kept for the session itself and not read (its statistics' currentDeliveryBacklogged):
   * its durable consumer's pending count, or, before its first read made the consumer, what its
   * subjects hold. The copies of its shared subscriptions' groups are not counted (any member may
   * read them).
   */
  async backlog(clientName: string): Promise<number> {
    const jsm = await this.manager();
    try {
      const info = await jsm.consumers.info(this.s.mqApiStream, consumerName(clientToken(clientName)));
      return info.num_pending;
    } catch (err) {
      if (!consumerGone(err)) throw err;
    }
    return this.count(jsm, this.s.mqApiSessionAll(clientName));
  }

  /** Messages kept on a subject (filter). */
  private async count(jsm: JetStreamManager, subject: string): Promise<number> {
    const info = await jsm.streams.info(this.s.mqApiStream, { subjects_filter: subject });
    let n = 0;
    for (const count of Object.values(info.state.subjects ?? {})) n += count;
    return n;
  }

  /**
   * Calls `wake` whenever a message is stored for the session or the groups of its shared
   * subscriptions (of `topic`, when given): JetStream
   * stores what is published on core NATS, so the subject is also seen there (Receive).
   */
  watch(clientName: string, topic: string, shared: string[], wake: () => void): Subscription[] {
    const subjects =
      topic === ''
        ? [this.s.mqApiSessionAll(clientName), ...shared.map((f) => this.s.mqApiSharedAll(f))]
        : [this.s.mqApiMessage(clientName, topic)];
    return subjects.map((subject) => this.nc.subscribe(subject, { callback: () => wake() }));
  }

  /**
   * An MQ API session's subscriptions changed (or it was deleted): every live gateway takes the
   * new state before this resolves (at most SYNC_TIMEOUT_MS; a gateway that does not answer gets
   * it from the session event). `retainedFor`: new subscriptions whose retained messages are due.
   */
  async sync(
    session: Session__Output,
    deleted: boolean,
    retainedFor: Subscription__Output[] = [],
  ): Promise<void> {
    const expected = this.gateways.alive().length;
    const sync: MqApiSync = {
      clientName: session.clientName,
      ...(session.createdAt ? { createdAt: session.createdAt } : {}),
      version: String(session.version),
      ...(deleted ? { deleted: true as const } : {}),
      subscriptions: deleted ? [] : session.subscriptions,
    };
    if (expected > 0) {
      let answered = 0;
      try {
        // Count: done at the last expected answer (nats.js' default strategy, Timer, waits out
        // maxWait whatever arrives: every subscribeToMq of an MQ API session took 3 s).
        const replies = await this.nc.requestMany(this.s.mqApiSync, JSON.stringify(sync), {
          maxWait: SYNC_TIMEOUT_MS,
          maxMessages: expected,
          strategy: RequestStrategy.Count,
        });
        for await (const _reply of replies) answered++;
      } catch (err) {
        this.log.warn('MQ API subscriptions not confirmed by the gateways', {
          clientName: session.clientName,
          err,
        });
      }
      if (answered < expected) {
        this.log.warn('MQ API subscriptions confirmed by fewer gateways than are alive', {
          clientName: session.clientName,
          answered,
          alive: expected,
        });
      }
    }
    if (deleted) {
      await this.discard(session.clientName);
      return;
    }
    if (retainedFor.length === 0) return;
    const request: MqApiRetainedRequest = { clientName: session.clientName, subscriptions: retainedFor };
    try {
      const reply = await this.nc.request(this.s.mqApiRetained, JSON.stringify(request), {
        timeout: RETAINED_TIMEOUT_MS,
      });
      const { stored } = reply.json<MqApiRetainedReply>();
      if (stored < 0) throw new Error('the gateway could not store them');
    } catch (err) {
      this.log.warn('retained messages not stored for an MQ API session', {
        clientName: session.clientName,
        err,
      });
    }
  }

  /**
   * Removes the session's consumer that a read made after the session was removed (the messages
   * went with the session).
   */
  async forgetConsumer(clientName: string): Promise<void> {
    const durable = consumerName(clientToken(clientName));
    this.consumers.delete(durable);
    const jsm = await this.manager();
    await jsm.consumers.delete(this.s.mqApiStream, durable).catch((err: unknown) => {
      if (!consumerGone(err)) throw err;
    });
  }

  /** Removes every message kept for a deleted session, and its consumer. */
  async discard(clientName: string): Promise<void> {
    try {
      const jsm = await this.manager();
      const durable = consumerName(clientToken(clientName));
      this.consumers.delete(durable);
      await jsm.consumers.delete(this.s.mqApiStream, durable).catch((err: unknown) => {
        if (!consumerGone(err)) throw err;
      });
      await jsm.streams.purge(this.s.mqApiStream, { filter: this.s.mqApiSessionAll(clientName) });
    } catch (err) {
      this.log.warn('messages of a deleted MQ API session not removed', { clientName, err });
    }
  }
}

/** nats.js has JetStream direct gets (jsm.direct) without declaring them on JetStreamManager. */
interface DirectGets {
  direct: { getMessage(stream: string, query: { seq: number; next_by_subj: string }): Promise<StoredMsg> };
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string | number; api_error?: { code?: number } };
  return e.code === '404' || e.code === 404 || e.api_error?.code === 404;
}

/**
 * The durable consumer does not exist (never made, or removed; "consumer deleted" is what a pull
 * waiting on it hears).
 */
const consumerGone = (err: unknown): boolean =>
  isNotFound(err) || /consumer (not found|deleted)/i.test(String((err as Error | undefined)?.message));
