// Which queued-message subjects some parked session wants (docs/mqtt.md, "Offline queues"): a
// QoS 1/2 message goes to the queue stream, and waits for JetStream's acknowledgement, only when
// a parked session's consumer could keep it. Publishing every QoS 1/2 message there cost each
// one a JetStream store (interest retention drops it at once when nobody wants it) and its
// acknowledgement: about a tenth of the gateway's CPU per QoS 1 message, and JetStream's.
//
// Each gateway keeps the filter subjects of the queue stream's consumers (queue.ts names them
// qm_<token>_<hash>). Getting it wrong one way only costs work (a subject nobody wants any more
// is published to), the other way loses messages, so:
//   - at start (and after a NATS reconnection, and every RESYNC_MS) the consumers are listed; until
//     the first list is read, and while a reconnection's list is pending, every QoS 1/2 message is
//     published (as before);
//   - before a gateway creates a session's consumers it announces their subjects and waits until
//     every live gateway (heartbeats) has added them and answered, or ANNOUNCE_TIMEOUT_MS: a
//     message another gateway publishes after answering goes to the queue stream, one published
//     before reaches the parking gateway through the NATS interest it still holds, and is
//     collected there until the consumers exist (offline.ts ParkingSession). "Before" must hold
//     on the parking gateway too: a gateway answers on the connection it routes messages on, so
//     NATS reads its earlier messages first, and the parking gateway, once answered, makes a
//     round trip on the connection its subscriptions use, so those messages were handed to it
//     (NATS keeps the order of one connection, not across two);
//   - subjects are only added by announcements; the lists remove what no consumer has any more.
import type { Logger, Subjects } from '@mqfleet/core';
import type { NatsConnection, Subscription } from 'nats';
import { createInbox, Events } from 'nats';

/** How often the consumer list is read again (it also drops subjects nobody wants any more). */
const RESYNC_MS = 60_000;
/** How long a parking waits for the other gateways to know its subjects. */
export const ANNOUNCE_TIMEOUT_MS = 3000;
/** While a parking waits for answers, how often gateways gone silent meanwhile are dropped. */
const STALE_CHECK_MS = 100;
/** An announcement not answered by every live gateway within this long is sent again. */
const REPEAT_MS = 500;
/** Announced subjects are kept this long whatever a list says (a list may predate them). */
const ANNOUNCED_KEEP_MS = 2 * RESYNC_MS;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** A filter ends here. */
  end: boolean;
}

const trieNode = (): TrieNode => ({ children: new Map(), end: false });

/** NATS subject filters ('*' one token, '>' the rest) and whether any matches a subject. */
export class SubjectFilters {
  private root = trieNode();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(filter: string): void {
    let at = this.root;
    for (const token of filter.split('.')) {
      let next = at.children.get(token);
      if (!next) at.children.set(token, (next = trieNode()));
      at = next;
    }
    if (!at.end) this.count++;
    at.end = true;
  }

  clear(): void {
    this.root = trieNode();
    this.count = 0;
  }

  /** True when some filter matches the subject (iterative: subjects may have thousands of tokens). */
  matches(subject: string): boolean {
    if (this.count === 0) return false;
    const tokens = subject.split('.');
    const pending: [TrieNode, number][] = [[this.root, 0]];
    for (let next = pending.pop(); next; next = pending.pop()) {
      const [at, i] = next;
      if (at.children.get('>')?.end && i < tokens.length) return true;
      if (i === tokens.length) {
        if (at.end) return true;
        continue;
      }
      const exact = at.children.get(tokens[i]!);
      if (exact) pending.push([exact, i + 1]);
      const star = at.children.get('*');
      if (star) pending.push([star, i + 1]);
    }
    return false;
  }
}

interface Announcement {
  gatewayId: string;
  subjects: string[];
}

export class ParkedInterest {
  private filters = new SubjectFilters();
  /** Subjects announced lately, with when (kept through lists that may predate them). */
  private readonly announced = new Map<string, number>();
  /** Other gateways' last heartbeat, by id (who must answer an announcement). */
  private readonly peers = new Map<string, number>();
  /** False until a consumer list is read (and again after a NATS reconnection): publish everything. */
  private known = false;
  private readonly subs: Subscription[] = [];
  private resync: NodeJS.Timeout | undefined;
  private listing: Promise<void> | undefined;
  /** Announcements waiting for answers: the gateways each still waits for, and its check. */
  private readonly waiting = new Set<{ expected: Set<string>; check: () => void }>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly gatewayId: string,
    private readonly logger: Logger,
    /** The queue stream's consumers: their names and filter subjects. */
    private readonly consumers: () => AsyncIterable<{ name: string; filter: string }>,
    /** A gateway silent this long does not answer any more. */
    private readonly peerTimeoutMs: number,
    /**
     * The connection routed messages are published and received on (router.ts): answers go out
     * on it, behind the messages published before them.
     */
    private readonly ordered: NatsConnection = nc,
  ) {}

  /** Whether a queued message on this subject may be kept by some parked session. */
  mayWant(subject: string): boolean {
    return !this.known || this.filters.matches(subject);
  }

  /** False when no session is parked anywhere (the message's subject need not be computed). */
  get any(): boolean {
    return !this.known || this.filters.size > 0;
  }

  async start(): Promise<void> {
    this.subs.push(
      this.nc.subscribe(this.s.queueParking, {
        callback: (err, msg) => {
          if (err) return;
          let announcement: Announcement;
          try {
            announcement = msg.json<Announcement>();
          } catch {
            return;
          }
          if (!Array.isArray(announcement.subjects)) return;
          this.add(announcement.subjects.filter((x): x is string => typeof x === 'string'));
          if (msg.reply && announcement.gatewayId !== this.gatewayId && !this.ordered.isClosed())
            this.ordered.publish(msg.reply, this.gatewayId);
        },
      }),
      this.nc.subscribe(this.s.gatewayHeartbeatAll, {
        callback: (err, msg) => {
          if (err) return;
          try {
            const { gatewayId, left } = msg.json<{ gatewayId?: unknown; left?: unknown }>();
            if (typeof gatewayId !== 'string' || gatewayId === this.gatewayId) return;
            // A gateway that stopped (its drain ended) answers no announcement any more.
            if (left === true) {
              this.peers.delete(gatewayId);
              // Not waited for any more (it stopped answering when it stopped).
              for (const w of this.waiting) {
                w.expected.delete(gatewayId);
                w.check();
              }
            } else this.peers.set(gatewayId, Date.now());
          } catch {
            // not a heartbeat
          }
        },
      }),
    );
    void this.watchNats();
    await this.list();
    this.resync = setInterval(() => void this.list(), RESYNC_MS);
    this.resync.unref();
  }

  stop(): void {
    clearInterval(this.resync);
    for (const sub of this.subs) sub.unsubscribe();
  }

  /**
   * A session's consumers are about to be created on these subjects: every gateway learns them
   * first (resolves once each live gateway answered, or after ANNOUNCE_TIMEOUT_MS).
   */
  async announce(subjects: string[]): Promise<void> {
    if (subjects.length === 0) return;
    this.add(subjects);
    const now = Date.now();
    const expected = new Set(
      [...this.peers].filter(([, seen]) => now - seen <= this.peerTimeoutMs).map(([id]) => id),
    );
    const inbox = createInbox();
    const answered = new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        clearInterval(stale);
        this.waiting.delete(wait);
        sub.unsubscribe();
        resolve();
      };
      const wait = {
        expected,
        check: (): void => {
          if (expected.size === 0) done();
        },
      };
      const timer = setTimeout(() => {
        if (expected.size > 0) {
          this.logger.warn('parked subjects not confirmed by every gateway in time', {
            missing: [...expected],
          });
        }
        done();
      }, ANNOUNCE_TIMEOUT_MS);
      // A gateway that goes silent for the peer timeout while this waits (it died, as one
      // SIGKILLed a moment before may have) is taken for lost, as at the start of the wait, and
      // not waited for any more; one that said it left is dropped at once (start()).
      let ticks = 0;
      const stale = setInterval(() => {
        const now = Date.now();
        for (const id of expected) {
          const seen = this.peers.get(id);
          if (seen === undefined || now - seen > this.peerTimeoutMs) expected.delete(id);
        }
        wait.check();
        // Sent again while some have not answered: in a NATS cluster a subscription reaches the
        // other servers a moment after it is made (a gateway just started may miss the
        // announcement; an answer may reach a server before the inbox is known there), and
        // test/e2e/deploy-topology.test.ts saw a live gateway "not confirmed in time" now and
        // then. Answering again is harmless.
        if (expected.size > 0 && ++ticks % (REPEAT_MS / STALE_CHECK_MS) === 0) {
          repeated = true;
          try {
            send();
          } catch {
            // closed: the timeout ends the wait
          }
        }
      }, STALE_CHECK_MS);
      const sub = this.nc.subscribe(inbox, {
        callback: (err, msg) => {
          if (!err && expected.delete(msg.string()) && repeated)
            this.logger.info('parked subjects confirmed after the announcement was repeated', {
              gatewayId: msg.string(),
            });
          wait.check();
        },
      });
      this.waiting.add(wait);
      wait.check();
    });
    let repeated = false;
    const send = (): void =>
      this.nc.publish(
        this.s.queueParking,
        JSON.stringify({ gatewayId: this.gatewayId, subjects } satisfies Announcement),
        { reply: inbox },
      );
    send();
    await answered;
    // What the others routed before answering is ahead of this round trip's answer.
    await this.caughtUp();
  }

  /**
   * Resolves once every message the NATS server routed to this gateway before now has been
   * handed to its subscriptions: a round trip on the connection they use (its callbacks run as
   * the messages are read, in order, before the answer).
   */
  caughtUp(): Promise<void> {
    return this.ordered.flush().catch(() => undefined);
  }

  private add(subjects: string[]): void {
    const now = Date.now();
    for (const subject of subjects) {
      this.filters.add(subject);
      this.announced.set(subject, now);
    }
  }

  /** Reads the consumer list into a new set of filters (announcements of the last minutes kept). */
  private list(): Promise<void> {
    this.listing ??= (async () => {
      try {
        const filters = new SubjectFilters();
        for await (const c of this.consumers())
          if (c.name.startsWith('qm_') && c.filter) filters.add(c.filter);
        const now = Date.now();
        for (const [subject, at] of this.announced) {
          if (now - at > ANNOUNCED_KEEP_MS) this.announced.delete(subject);
          else filters.add(subject);
        }
        this.filters = filters;
        this.known = true;
      } catch (err) {
        this.logger.warn('parked sessions not listed: every QoS 1/2 message goes to the queue stream', {
          err,
        });
      } finally {
        this.listing = undefined;
      }
    })();
    return this.listing;
  }

  /** After a reconnection announcements may have been missed: publish everything until listed. */
  private async watchNats(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) this.known = false;
      else if (status.type === Events.Reconnect) void this.list();
    }
  }
}
