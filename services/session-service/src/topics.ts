// Topics seen (docs/json-api.md, listTopics and describeTopics). The connection-gateways count
// the messages they receive per topic and report the counts on core NATS
// `<prefix>.topics.<gatewayId>` every few seconds (connection-gateway topic-counts.ts); TopicReports
// adds them to the topics table (migration 0013), which holds at most MQFLEET_MAX_TOPICS topics: a
// topic beyond it is not recorded (counted, and logged the first time). The Topics RPCs read the
// table, and find each topic's subscribers among the sessions' stored subscriptions
// (session_subscriptions), matched with core topicMatches.
import { createHash } from 'node:crypto';
import type { NatsConnection, Subscription } from 'nats';
import {
  invalidValue,
  MAX_MQTT_STRING_BYTES,
  topicMatches,
  topicNameProblem,
  tooLarge,
  type Logger,
  type Subjects,
  type TopicReport,
} from '@mqfleet/core';
import type {
  DescribeTopicsRequest__Output,
  ListTopicsRequest__Output,
  TopicInfo,
  TopicSubscriber,
  TopicSubscription,
} from '@mqfleet/proto';
import { inTransaction, type Db } from './db';
import { activeRecently, iso } from './sessions';

/** listTopics: at most this many bytes of partialName and of search (FairCom's limit). */
export const MAX_PARTIAL_NAME_BYTES = 64;
export const DEFAULT_LIST_RECORDS = 20;
export const MAX_LIST_RECORDS = 10_000;
/** describeTopics: topics per call, and subscriptions answered per topic. */
export const MAX_DESCRIBE_TOPICS = 1000;
export const DEFAULT_MAX_SUBSCRIBERS = 1000;
export const MAX_MAX_SUBSCRIBERS = 10_000;
/** NATS queue group of the session-services' topic report subscriptions. */
export const TOPIC_REPORTS_QUEUE = 'topic-reports';
/** Arbitrary constant: the transaction lock every recorder of topic counts takes. */
const TOPICS_LOCK = 7_241_993_013;

/** The row key of a topic name: its SHA-256 (a name may be 65,535 bytes). */
export const topicKey = (name: string): Buffer => createHash('sha256').update(name, 'utf8').digest();

/** What one recorded report did. */
export interface Recorded {
  /** Topics whose counts were added (new or known). */
  recorded: number;
  /** New topics left out: the table holds maxTopics already. */
  notRecorded: number;
}

/** A report entry as it may arrive (any JSON): kept only when well formed. */
function entriesOf(report: TopicReport): TopicReport['topics'] {
  if (!Array.isArray(report.topics)) return [];
  return report.topics.filter(
    (e): e is TopicReport['topics'][number] =>
      Array.isArray(e) &&
      typeof e[0] === 'string' &&
      topicNameProblem(e[0]) === undefined &&
      Number.isSafeInteger(e[1]) &&
      e[1] > 0 &&
      Number.isFinite(e[2]) &&
      Number.isFinite(e[3]),
  );
}

/**
 * Adds one gateway report to the topics table in one transaction: the counts of known topics,
 * and new topics while the table holds fewer than maxTopics. Reports are serialised by a
 * transaction lock, so the bound holds with several session-services.
 */
export async function recordTopicReport(db: Db, report: TopicReport, maxTopics: number): Promise<Recorded> {
  const entries = entriesOf(report);
  if (entries.length === 0) return { recorded: 0, notRecorded: 0 };
  const keys = entries.map((e) => topicKey(e[0]));
  return inTransaction(db, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [TOPICS_LOCK]);
    const updated = await tx.query<{ topic_key: Buffer }>(
      `UPDATE topics t
          SET message_count = t.message_count + u.n,
              last_message_at = greatest(t.last_message_at, to_timestamp(u.last / 1000.0)),
              created_at = least(t.created_at, to_timestamp(u.first / 1000.0))
         FROM unnest($1::bytea[], $2::bigint[], $3::float8[], $4::float8[]) AS u(key, n, first, last)
        WHERE t.topic_key = u.key
        RETURNING t.topic_key`,
      [keys, entries.map((e) => e[1]), entries.map((e) => e[2]), entries.map((e) => e[3])],
    );
    const known = new Set(updated.rows.map((r) => r.topic_key.toString('hex')));
    const fresh = entries
      .map((e, i) => ({ e, key: keys[i]! }))
      .filter((x) => !known.has(x.key.toString('hex')));
    if (fresh.length === 0) return { recorded: entries.length, notRecorded: 0 };
    const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM topics');
    const room = Math.max(0, maxTopics - Number(rows[0]!.n));
    const taken = fresh.slice(0, room);
    if (taken.length > 0) {
      await tx.query(
        `INSERT INTO topics (topic_key, name, created_at, last_message_at, message_count)
         SELECT key, name, to_timestamp(first / 1000.0), to_timestamp(last / 1000.0), n
           FROM unnest($1::bytea[], $2::text[], $3::bigint[], $4::float8[], $5::float8[])
             AS u(key, name, n, first, last)`,
        [
          taken.map((x) => x.key),
          taken.map((x) => x.e[0]),
          taken.map((x) => x.e[1]),
          taken.map((x) => x.e[2]),
          taken.map((x) => x.e[3]),
        ],
      );
    }
    return { recorded: known.size + taken.length, notRecorded: fresh.length - taken.length };
  });
}

/** Receives the gateways' topic reports and records them in arrival order. */
export class TopicReports {
  private sub: Subscription | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** New topics not recorded because the table was full (since this process started). */
  notRecorded = 0;
  /** Messages the gateways could not count (their own bound between two reports). */
  uncounted = 0;
  private warned = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly db: Db,
    private readonly maxTopics: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    // A queue group: with several session-services (deploy/k8s runs two) each report is added
    // once. Reports are sums, so the order in which instances record them does not matter.
    this.sub = this.nc.subscribe(this.subjects.topicReportAll, {
      queue: TOPIC_REPORTS_QUEUE,
      callback: (err, msg) => {
        if (err) return;
        let report: TopicReport;
        try {
          report = msg.json<TopicReport>();
          if (report === null || typeof report !== 'object') return;
        } catch {
          return; // A malformed report is ignored.
        }
        this.chain = this.chain.then(() => this.record(report));
      },
    });
  }

  private async record(report: TopicReport): Promise<void> {
    try {
      const uncounted = Number.isSafeInteger(report.uncounted) ? report.uncounted! : 0;
      const { notRecorded } = await recordTopicReport(this.db, report, this.maxTopics);
      this.notRecorded += notRecorded;
      this.uncounted += uncounted;
      if ((notRecorded > 0 || uncounted > 0) && !this.warned) {
        this.warned = true;
        this.log.warn(
          'topics beyond MQFLEET_MAX_TOPICS are not recorded for listTopics/describeTopics (logged once)',
          {
            maxTopics: this.maxTopics,
            notRecorded,
            uncountedMessages: uncounted,
            gatewayId: report.gatewayId,
          },
        );
      }
    } catch (err) {
      this.log.warn('topic report not recorded', { err, gatewayId: report.gatewayId });
    }
  }

  /** Resolves once every report received so far is recorded (tests, shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  close(): void {
    this.sub?.unsubscribe();
  }
}

function checkPartial(property: string, value: string): string {
  if (Buffer.byteLength(value, 'utf8') > MAX_PARTIAL_NAME_BYTES) {
    throw tooLarge(property, `${MAX_PARTIAL_NAME_BYTES} bytes`);
  }
  return value;
}

const likeEscaped = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** ListTopics: names in byte order of their first 512 characters (the 0013 index), then key. */
export async function listTopics(db: Db, req: ListTopicsRequest__Output): Promise<string[]> {
  const partial = checkPartial('partialName', req.partialName ?? '');
  const search = checkPartial('search', req.search ?? '');
  const max = req.maxRecords || DEFAULT_LIST_RECORDS;
  if (max > MAX_LIST_RECORDS) {
    throw invalidValue('maxRecords', `an integer from 1 to ${MAX_LIST_RECORDS}`, max);
  }
  const params: unknown[] = [];
  const where: string[] = [];
  if (partial) {
    params.push(`${likeEscaped(partial)}%`);
    where.push(`(left(name, 512) COLLATE "C") LIKE $${params.length}`);
  }
  if (search) {
    params.push(`%${likeEscaped(search)}%`);
    where.push(`name ILIKE $${params.length}`);
  }
  params.push(max, req.skipRecords ?? 0);
  const { rows } = await db.query<{ name: string }>(
    `SELECT name FROM topics ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY (left(name, 512) COLLATE "C"), topic_key
      LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map((r) => r.name);
}

interface TopicRow {
  topic_key: Buffer;
  name: string;
  created_at: Date;
  last_message_at: Date;
  message_count: string;
}

interface SubscriptionRow {
  client_name: string;
  session_type: string;
  topic_filter: string;
  qos: number;
  connection_status: string;
  ip_address: string | null;
  port: number | null;
  mqtt_protocol: string | null;
  keep_alive: number | null;
  temporary: boolean | null;
  connected_at: Date | null;
  last_active_at: Date | null;
}

/** "$share/{ShareName}/{filter}" → filter; any other filter as it is. */
function matchedPart(topicFilter: string): string {
  if (!topicFilter.startsWith('$share/')) return topicFilter;
  const slash = topicFilter.indexOf('/', '$share/'.length);
  return slash < 0 ? '' : topicFilter.slice(slash + 1);
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * DescribeTopics: each recorded topic asked for (in the order asked, once each; unknown ones
 * left out) with its counts, averages and subscribers. The subscribers are the stored
 * subscriptions of sessions that are not hidden (as listMqSessions leaves hidden sessions out),
 * connected or not, whose filter matches the topic: one scan of the subscriptions that could
 * match any of the topics (an equal filter, or one with a wildcard or a share name).
 */
export async function describeTopics(db: Db, req: DescribeTopicsRequest__Output): Promise<TopicInfo[]> {
  const names = [...new Set(req.topics)];
  if (names.length > MAX_DESCRIBE_TOPICS) {
    throw invalidValue('topics', `an array of at most ${MAX_DESCRIBE_TOPICS} topic names`);
  }
  req.topics.forEach((name, i) => {
    if (Buffer.byteLength(name, 'utf8') > MAX_MQTT_STRING_BYTES) {
      throw tooLarge(`topics[${i}]`, `${MAX_MQTT_STRING_BYTES} bytes`);
    }
    const problem = topicNameProblem(name);
    if (problem) throw invalidValue(`topics[${i}]`, `a topic name (${problem})`, name);
  });
  const maxSubscribers = req.maxSubscribers || DEFAULT_MAX_SUBSCRIBERS;
  if (maxSubscribers > MAX_MAX_SUBSCRIBERS) {
    throw invalidValue('maxSubscribers', `an integer from 1 to ${MAX_MAX_SUBSCRIBERS}`, maxSubscribers);
  }
  if (names.length === 0) return [];
  const found = await db.query<TopicRow & { now: Date }>(
    `SELECT topic_key, name, created_at, last_message_at, message_count, now() AS now
       FROM topics WHERE topic_key = ANY($1)`,
    [names.map(topicKey)],
  );
  if (found.rows.length === 0) return [];
  const byName = new Map(found.rows.map((r) => [r.name, r]));
  const topics = names.filter((n) => byName.has(n));
  const subs = await db.query<SubscriptionRow>(
    `SELECT s.client_name, s.session_type, ss.topic_filter, ss.qos, s.connection_status, s.ip_address,
            s.port, s.mqtt_protocol, (s.settings ->> 'keepAliveSeconds')::int AS keep_alive,
            (s.settings ->> 'temporarySession')::boolean AS temporary, s.connected_at, s.last_active_at
       FROM session_subscriptions ss JOIN sessions s ON s.client_key = ss.client_key
      WHERE s.session_status <> 'hidden'
        AND (ss.topic_filter = ANY($1) OR strpos(ss.topic_filter, '+') > 0
             OR strpos(ss.topic_filter, '#') > 0 OR ss.topic_filter LIKE '$share/%')`,
    [topics],
  );
  const now = Date.now();
  return topics.map((name) => {
    const row = byName.get(name)!;
    // Byte order of UTF-8 (Postgres's COLLATE "C"), as listMqSessions sorts client names.
    const matching = subs.rows
      .filter((s) => topicMatches(matchedPart(s.topic_filter), name))
      .map((s) => ({ s, filter: Buffer.from(s.topic_filter), client: Buffer.from(s.client_name) }))
      .sort((a, b) => Buffer.compare(a.filter, b.filter) || Buffer.compare(a.client, b.client));
    const subscriptions: TopicSubscription[] = [];
    for (const { s } of matching.slice(0, maxSubscribers)) {
      let group = subscriptions[subscriptions.length - 1];
      if (group?.topicFilter !== s.topic_filter) {
        group = { topicFilter: s.topic_filter, subscribers: [] };
        subscriptions.push(group);
      }
      group.subscribers!.push(subscriber(s, now));
    }
    const count = Number(row.message_count);
    const elapsedMs = Math.max(0, row.now.getTime() - row.created_at.getTime());
    const per = (unitMs: number): number => round(count / Math.max(1, elapsedMs / unitMs));
    return {
      name,
      createdAt: iso(row.created_at),
      lastMessageAt: iso(row.last_message_at),
      messageCount: row.message_count,
      averageMessagesPerMinute: per(60_000),
      averageMessagesPerHour: per(3_600_000),
      averageMessagesPerDay: per(86_400_000),
      subscriptions,
      subscriberCount: matching.length,
    };
  });
}

function subscriber(s: SubscriptionRow, now: number): TopicSubscriber {
  const keepAlive = s.keep_alive ?? 0;
  const status =
    s.connection_status === 'connected'
      ? 'connected'
      : activeRecently(s, keepAlive, now)
        ? 'connectedTemporarily'
        : 'disconnected';
  return {
    clientName: s.client_name,
    sessionType: s.session_type || 'mqtt',
    connectionStatus: status,
    ipAddress: s.ip_address ?? '',
    port: s.port ?? 0,
    mqttProtocol: s.mqtt_protocol ?? '',
    keepAliveSeconds: keepAlive,
    clean: s.temporary ?? false,
    connectedAt: iso(s.connected_at),
    qos: s.qos,
  };
}
