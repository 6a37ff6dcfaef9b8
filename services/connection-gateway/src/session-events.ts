// Session events (core subjects.ts), received two ways. A core NATS subscription on the events'
// subjects gets each event straight from its publish, without waiting for JetStream to store it
// and hand it to a consumer (that hop was the slowest of an alteration's path at p99); an ordered
// JetStream consumer that delivers only new events is the guarantee (it also gets what was
// published while this gateway's NATS connection was down and reconnecting). The two copies of an
// event are told apart by their Nats-Msg-Id (the event id), so each event is handled once. The
// stream is created by the session-service at its start, so the gateway retries until it exists.
// Every (re)attachment is followed by a reconcile, so events published before the consumer
// existed cannot leave a connection stale.
import {
  SESSION_EVENT_ACTOR_HEADER,
  ownString,
  type Logger,
  type SessionBulkEvent,
  type SessionEvent,
  type Subjects,
} from '@mqfleet/core';
import {
  DeliverPolicy,
  type ConsumerMessages,
  type JsMsg,
  type Msg,
  type NatsConnection,
  type Subscription,
} from 'nats';

/** How long an event id is remembered, to drop its second copy (JetStream's lags behind). */
const SEEN_MS = 120_000;
/** Above this many remembered ids the old ones are dropped at once, whatever their age. */
const SEEN_MAX = 100_000;
const RETRY_MS = 500;
const ATTACH_TIMEOUT_MS = 5000;

export class SessionEventsConsumer {
  private messages: ConsumerMessages | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private direct: Subscription | undefined;
  /** Event ids handled, with when: insertion order is age order. */
  private readonly seen = new Map<string, number>();
  private received = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly logger: Logger,
    private readonly onEvent: (event: SessionEvent | SessionBulkEvent) => void,
    /** Called once the consumer is attached (first time and after any re-attachment). */
    private readonly onAttached: () => void,
    /** Called with the id of an event's second copy, which is dropped. */
    private readonly onDuplicate: (eventId: string) => void = () => undefined,
    /** From its subject and actor header: whether an event must be read at all. */
    private readonly needed: (subject: string, actor: string | undefined) => boolean = () => true,
  ) {}

  /** Tries once; if the stream is not there yet, keeps trying in the background. */
  async start(): Promise<boolean> {
    this.direct = this.nc.subscribe(this.s.sessionEventsAll, {
      callback: (err, m) => {
        if (!err) this.receive(m);
      },
    });
    const attached = await this.attach();
    if (!attached) void this.retryLoop();
    return attached;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.wake?.();
    this.direct?.unsubscribe();
    const messages = this.messages;
    this.messages = undefined;
    if (messages) await messages.close().catch(() => undefined);
  }

  private async retryLoop(): Promise<void> {
    while (!this.stopped) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.retryTimer = setTimeout(resolve, RETRY_MS);
      });
      if (this.stopped) return;
      if (await this.attach()) return;
    }
  }

  private async attach(): Promise<boolean> {
    try {
      const js = this.nc.jetstream();
      // A single filter as a string: nats-server 2.9 knows filter_subject only (an array would
      // ask for 2.10's filter_subjects, and consume() would never start).
      const consumer = await js.consumers.get(this.s.eventsStream, {
        filterSubjects: this.s.sessionEventsAll,
        deliver_policy: DeliverPolicy.New,
      });
      if (this.stopped) return true;
      const consuming = consumer.consume();
      let timer: NodeJS.Timeout | undefined;
      const messages = await Promise.race([
        consuming,
        new Promise<undefined>(
          (resolve) => (timer = setTimeout(() => resolve(undefined), ATTACH_TIMEOUT_MS)),
        ),
      ]);
      clearTimeout(timer);
      if (!messages) {
        this.logger.warn('session events consumer did not start in time; retrying', {
          stream: this.s.eventsStream,
        });
        void consuming.then((late) => late.close()).catch(() => undefined);
        return false;
      }
      if (this.stopped) {
        await messages.close().catch(() => undefined);
        return true;
      }
      this.messages = messages;
      this.logger.info('consuming session events', { stream: this.s.eventsStream });
      void this.read(messages);
      this.onAttached();
      return true;
    } catch (err) {
      this.logger.debug('session events stream not available yet', { stream: this.s.eventsStream, err });
      return false;
    }
  }

  /** Handles an event from either source once; its other copy is dropped by its id. */
  private receive(m: Msg | JsMsg): void {
    const id = m.headers?.get('Nats-Msg-Id');
    if (id) {
      if (this.seen.has(id)) {
        this.onDuplicate(id);
        return;
      }
      const now = Date.now();
      // A copy: the header's value is a slice of the whole header text (kept SEEN_MS).
      this.seen.set(ownString(id), now);
      if (this.seen.size > SEEN_MAX || ++this.received % 1024 === 0) this.forget(now);
    }
    if (!this.needed(m.subject, m.headers?.get(SESSION_EVENT_ACTOR_HEADER) || undefined)) return;
    let event: SessionEvent | SessionBulkEvent;
    try {
      event = m.json<SessionEvent | SessionBulkEvent>();
    } catch {
      this.logger.warn('session event is not JSON', { subject: m.subject });
      return;
    }
    try {
      this.onEvent(event);
    } catch (err) {
      this.logger.error('session event handling failed', { err, type: event.type });
    }
  }

  private forget(now: number): void {
    for (const [id, at] of this.seen) {
      if (now - at < SEEN_MS && this.seen.size <= SEEN_MAX) break;
      this.seen.delete(id);
    }
  }

  private async read(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) this.receive(m);
    } catch (err) {
      this.logger.warn('session events consumer ended', { err });
    }
    if (!this.stopped && this.messages === messages) {
      // The stream went away (deleted, or a NATS failure the ordered consumer gave up on).
      this.messages = undefined;
      void this.retryLoop();
    }
  }
}
