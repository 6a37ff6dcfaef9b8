// The gRPC surface: SessionService, AuthService, AccountService, LabelService and Topics, the standard health service and server
// reflection. Errors are mapped to gRPC here and only here.
import { timingSafeEqual } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { HealthImplementation, protoPath as HEALTH_PROTO } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import {
  ERROR_CODE_METADATA_KEY,
  ERROR_PROPERTY_METADATA_KEY,
  MqfleetError,
  notFound,
  parseClientName,
  topicMatches,
  type ApiPublishedNote,
  type ApiPublishRequest,
  type Logger,
} from '@mqfleet/core';
import {
  fastSerializer,
  LOADER_OPTIONS,
  packageDefinition,
  peerCommonName,
  v1,
  type AccountServiceHandlers,
  type AuthServiceHandlers,
  type LabelServiceHandlers,
  type SessionServiceHandlers,
  type TopicsHandlers,
  type AlterSessionRequest__Output,
  type AlterSessionResponse,
  type AlterSessionStreamRequest__Output,
  type BatchFailure,
  type CloseSessionRequest__Output,
  type ChangeSubscriptionsResponse,
  type CloseSessionResponse,
  type OpenSessionRequest__Output,
  type OpenSessionResponse,
  type ReceiveRequest__Output,
  type SessionEventNotice,
  type WatchSessionEventsRequest__Output,
  type Session__Output,
  type StoredMessage,
} from '@mqfleet/proto';
import {
  alterAccount,
  createAccount,
  deleteAccount,
  deleteToken,
  describeTokens,
  listAccounts,
  type AccountRow,
} from './account-admin';
import type { AppliedWaiters } from './applied';
import { authenticateMqtt, checkToken, createToken, tokenHash, type Actor } from './accounts';
import type { Db } from './db';
import { attachLabels, resolveSessionLabel, type LabelStore } from './labels';
import { PROPAGATION_KEEP_MS, type GatewayRegistry } from './gateways';
import type { LiveWanted } from './health';
import type { MqApiHealth } from './mq-api-stats';
import {
  clientKey,
  createMqApiSession,
  Activity,
  MQ_API_SESSION_TYPE,
  publisherOf,
  sharedFiltersOf,
  type OpenResult,
  type SessionStore,
  type SubscriptionChange,
} from './sessions';
import type { CloseRequest, CloseResult, KeyedBatcher } from './connect-batch';
import { ConsumerGone, DEFAULT_READ, MAX_READ, type MqApiMessages } from './mq-api-messages';
import type { StartFrom, TopicMessages } from './topic-messages';
import type { GatewayChange } from './subscription-batch';
import { checkSubscriptions, checkWill, willRule, type SessionRules } from './rules';
import { describeTopics, listTopics } from './topics';
import type { SessionServiceMetrics } from './metrics';
import { noticeOf } from './event-watch';
import { keepWills } from './losses';

interface Deps {
  db: Db;
  store: SessionStore;
  /**
   * Open and close sessions in groups (connect-batch.ts); without them each CONNECT and each
   * close is its own transaction.
   */
  opens?: KeyedBatcher<OpenSessionRequest__Output, OpenResult>;
  closes?: KeyedBatcher<CloseRequest, CloseResult>;
  /** Gateways' subscription changes in groups (subscription-batch.ts). */
  subscriptionChanges?: KeyedBatcher<GatewayChange, SubscriptionChange>;
  gateways: GatewayRegistry;
  internalToken: string | undefined;
  /**
   * Mutual TLS (MQFLEET_GRPC_TLS_CA_FILE): every caller presents a certificate the CA signed; one
   * whose subject CN is in internalNames (any CN when the list is empty) is an internal service.
   */
  clientCertificates?: { internalNames: string[] } | undefined;
  allowAnonymous: boolean;
  /** The authorization rules and broker limits subscribeToMq and wills are checked against (rules.ts). */
  rules?: SessionRules;
  applied: AppliedWaiters;
  applyTimeoutMs: number;
  labels: LabelStore;
  /** includeStats: fills stats_json from the gateways; returns the names left without stats. */
  liveStats?: (sessions: Session__Output[], wanted: LiveWanted) => Promise<string[]>;
  /** Hands messages to a gateway (api-publish); rejects UNAVAILABLE when none answers. */
  publish?: (request: ApiPublishRequest) => Promise<number[]>;
  /** The messages kept for MQ API sessions (mq-api-messages.ts). */
  mqApi?: MqApiMessages;
  /** The history of stored topics (topic-messages.ts) and the filters that say which. */
  topics?: TopicMessages;
  storedTopics?: string[];
  /**
   * MQ API sessions' activity and statistics writer (sessions/mq-api.ts); one is made when not
   * given (the caller then cannot flush it at shutdown).
   */
  activity?: Activity;
  /** Statistics and health of MQ API sessions (mq-api-stats.ts). */
  mqApiHealth?: MqApiHealth;
  /**
   * Calls back with each session event's payload as NATS delivers it (event-watch.ts); returns
   * the function that stops it. Without it WatchSessionEvents is UNAVAILABLE.
   */
  sessionEvents?: (listener: (data: Uint8Array) => void) => () => void;
  /** Tells the gateway holding an MQTT session's connection what it published through the API. */
  notifyApiPublished?: (gatewayId: string, note: ApiPublishedNote) => void;
  /** gRPC latencies and alterations for /metrics (metrics.ts); none without. */
  metrics?: SessionServiceMetrics | undefined;
  log: Logger;
}

/**
 * SessionService with ListSessions' reply written by fastSerializer: the same bytes as
 * proto-loader's serializer, without its garbage (a page is up to 10,000 sessions).
 */
function sessionServiceDefinition(): grpc.ServiceDefinition {
  const service = v1.SessionService.service;
  return {
    ...service,
    ListSessions: {
      ...service.ListSessions,
      responseSerialize: fastSerializer(packageDefinition, 'mqfleet.v1.ListSessionsResponse'),
    },
  };
}

type Call = {
  metadata: grpc.Metadata;
  /** Set by grpc-js once the client cancelled the call. */
  cancelled?: boolean;
  getDeadline?: () => grpc.Deadline;
  getAuthContext?: () => { sslPeerCertificate?: PeerCertificate };
  getPeer: () => string;
};

const isConnected = (session: Session__Output): boolean =>
  session.connection?.status === 'CONNECTION_STATUS_CONNECTED';

/** Postgres refused a session pointing at a label that no longer exists (0007's foreign key). */
function labelGone(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23503' && e.constraint === 'sessions_label_id_fkey';
}

/**
 * The failure as the caller should see it: an MqfleetError as it is; Postgres's refusal of a
 * deleted label as 12012; anything else logged and reported as an internal error.
 */
function failureOf(err: unknown, log: Logger): MqfleetError {
  if (err instanceof MqfleetError) return err;
  if (labelGone(err)) {
    // resolveSessionLabel found the label, then it was deleted before the alteration committed.
    return new MqfleetError(
      'INVALID_VALUE',
      '"label" must name an existing label; it was deleted while the session was being changed',
      'label',
    );
  }
  log.error('request failed', { err });
  return new MqfleetError('INTERNAL', 'internal error in the session-service');
}

/** Notices a WatchSessionEvents caller has not read yet, beyond which new ones are dropped. */
const WATCH_BUFFER = 10_000;

/** Receive reads again this long after a notice of a new message, and at least this often. */
const RECEIVE_RECHECK_MS = 25;
const RECEIVE_POLL_MS = 1000;

/** GetTopicMessages' start_from: "tail" (or empty), "head", an ISO 8601 date(-time), a position. */
export function parseStartFrom(raw: string): StartFrom {
  const value = raw.trim();
  if (value === '' || value === 'tail') return { kind: 'tail' };
  if (value === 'head') return { kind: 'head' };
  if (/^\d{1,16}$/.test(value)) return { kind: 'position', seq: Number(value) };
  // A date alone is that day at 00:00:00.000 (UTC); a date-time without a zone is UTC too.
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? `${value}T00:00:00Z`
    : /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(value)
      ? `${value}Z`
      : value;
  const at = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? new Date(iso) : new Date(NaN);
  if (Number.isNaN(at.getTime())) {
    throw new MqfleetError(
      'INVALID_VALUE',
      `startFrom must be "tail", "head", an ISO 8601 date or date-time, or a position (a message's sequence); got "${value.slice(0, 100)}"`,
      'startFrom',
    );
  }
  return { kind: 'time', at };
}

/** maxMessages of a read: 0 means DEFAULT_READ; more than MAX_READ is refused. */
function readCount(max: number): number {
  if (max === 0) return DEFAULT_READ;
  if (max > MAX_READ) {
    throw new MqfleetError(
      'INVALID_VALUE',
      `maxMessages must be an integer from 1 to ${MAX_READ}`,
      'maxMessages',
    );
  }
  return max;
}

export function toServiceError(err: unknown, log: Logger): Partial<grpc.StatusObject> {
  const failure = failureOf(err, log);
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, failure.code);
  // Header values are ASCII: a property path with other characters is left out.
  if (failure.property !== undefined && /^[\x20-\x7e]{1,256}$/.test(failure.property)) {
    metadata.set(ERROR_PROPERTY_METADATA_KEY, failure.property);
  }
  return { code: failure.grpcStatus, details: failure.message, metadata };
}

/** Adapts an async function to a unary handler, mapping errors in one place. */
function unary<Req, Res>(
  log: Logger,
  fn: (request: Req, call: Call) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(err, log)),
    );
  };
}

/** Whether the caller gave up on the call: cancelled, or past its deadline. */
function gaveUp(call: Call): () => boolean {
  const deadline = call.getDeadline?.();
  const ms = deadline instanceof Date ? deadline.getTime() : (deadline ?? Infinity);
  return () => call.cancelled === true || Date.now() > ms;
}

/** A bytes field as the loader gives it (base64 text, or bytes from another serializer) → base64. */
const base64 = (bytes: string | Uint8Array): string =>
  typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('base64');

/** Metadata key of the request id a caller passes on (docs/operations.md, "Request ids"). */
export const REQUEST_ID_METADATA_KEY = 'x-request-id';

/** The caller's request id (x-request-id metadata): printable, at most 200 characters. */
function requestIdOf(call: Call): string | undefined {
  const value = call.metadata.get(REQUEST_ID_METADATA_KEY)[0];
  return typeof value === 'string' && /^[\x21-\x7e]{1,200}$/.test(value) ? value : undefined;
}

function bearer(call: Call): string | undefined {
  const value = call.metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value);
  return match?.[1];
}

async function admin(db: Db, call: Call): Promise<Actor> {
  return adminByToken(db, bearer(call));
}

/**
 * The caller of an action on named sessions: an administrator acts on any; another account only
 * on MQ API sessions it created (docs/json-api.md, createMqApiSession), each of which must exist:
 * anything else is ADMIN_REQUIRED, as for an ordinary account before, so that it learns nothing
 * of other sessions.
 */
async function ownerOrAdmin(db: Db, token: string | undefined, clientNames: string[]): Promise<Actor> {
  const actor = await checkToken(db, token);
  if (actor.role === 'admin') return actor;
  const names = [...new Set(clientNames)];
  const { rows } = await db.query<{ client_name: string; session_status: string }>(
    'SELECT client_name, session_status FROM sessions WHERE client_key = ANY($1) AND owner = $2',
    [names.map(clientKey), actor.username],
  );
  const owned = new Set(rows.map((r) => r.client_name));
  const other = names.find((n) => !owned.has(n));
  if (names.length === 0 || other !== undefined) {
    throw new MqfleetError(
      'ADMIN_REQUIRED',
      `account "${actor.username}" is not an administrator${
        other === undefined ? '' : ` and did not create session "${other.slice(0, 200)}"`
      }`,
    );
  }
  // A ban holds against the session's owner too: every action of the owner on it is refused (an
  // owner who could alter it could lift the ban); administrators still act on it.
  const banned = rows.find((r) => r.session_status === 'banned');
  if (banned) {
    throw new MqfleetError(
      'SESSION_BANNED',
      `session "${banned.client_name.slice(0, 200)}" is banned: only an administrator may act on it`,
    );
  }
  return actor;
}

async function adminByToken(db: Db, token: string | undefined): Promise<Actor> {
  const actor = await checkToken(db, token);
  if (actor.role !== 'admin')
    throw new MqfleetError('ADMIN_REQUIRED', `account "${actor.username}" is not an administrator`);
  return actor;
}

/** Compares two secrets in a time that does not depend on where they differ (of their digests). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(tokenHash(a), tokenHash(b));
}

/**
 * Gateway calls: a caller with an internal client certificate (mutual TLS, CN in
 * MQFLEET_GRPC_TLS_INTERNAL_NAMES or any CN when that is empty) or the x-mqfleet-internal token.
 * With neither configured (development only: production refuses to start so) the network is
 * trusted.
 */
/**
 * The address a login comes from: an internal caller (the api-gateway) names its HTTP client's
 * in x-mqfleet-client-address; anyone else is taken at the gRPC peer's address.
 */
function sourceAddress(deps: Deps, call: Call): string {
  const named = call.metadata.get('x-mqfleet-client-address')[0];
  if (typeof named === 'string' && named !== '') {
    try {
      internal(deps, call);
      return named;
    } catch {
      // Not an internal caller: its claim is ignored.
    }
  }
  return peerAddress(call.getPeer());
}

/** The host of a grpc-js peer ("ipv4:127.0.0.1:5000", "ipv6:[::1]:5000"). */
function peerAddress(peer: string): string {
  const m = /^(?:ipv4:|ipv6:)?\[?([^\]]*?)\]?:\d+$/.exec(peer);
  return m ? m[1]! : peer;
}

function internal(deps: Deps, call: Call): void {
  const certs = deps.clientCertificates;
  if (certs) {
    const cn = peerCommonName(call);
    if (cn !== undefined && (certs.internalNames.length === 0 || certs.internalNames.includes(cn))) return;
  }
  if (!deps.internalToken && !certs) return;
  const given = call.metadata.get('x-mqfleet-internal')[0];
  if (!deps.internalToken || typeof given !== 'string' || !sameSecret(given, deps.internalToken)) {
    throw new MqfleetError(
      'BAD_TOKEN',
      certs
        ? 'gateway calls need the client certificate of an internal service (MQFLEET_GRPC_TLS_INTERNAL_NAMES) or the x-mqfleet-internal token'
        : 'gateway calls need the x-mqfleet-internal token',
    );
  }
}

/**
 * describeMqSessions of MQ API sessions (not connected over MQTT): with includeStats their
 * statistics from Postgres and the health they give (stored when it changed); without, a stored
 * health that disagrees with connectedTemporarily (the keep-alive window lapsed since the last
 * sweep) is evaluated again first, so describe and listMqSessions healthFilter agree.
 */
async function describeMqApi(
  health: MqApiHealth,
  sessions: Session__Output[],
  includeStats: boolean,
): Promise<void> {
  const mqApi = sessions.filter((s) => s.sessionType === MQ_API_SESSION_TYPE && !isConnected(s));
  if (mqApi.length === 0) return;
  if (includeStats) {
    const stats = await health.describe(mqApi);
    for (const s of mqApi) {
      const st = stats.get(s.clientName);
      if (st) s.statsJson = JSON.stringify(st);
    }
    return;
  }
  const stale = mqApi.filter(
    (s) => (s.connection?.status === 'CONNECTION_STATUS_CONNECTED_TEMPORARILY') === (s.health === 'offline'),
  );
  if (stale.length > 0) await health.describe(stale);
}

export function buildGrpcServer(deps: Deps): { server: grpc.Server; health: HealthImplementation } {
  const { db, store, log } = deps;
  /** One log line per administrative change: who changed what (never a secret), for which request. */
  const adminAction = (
    action: string,
    actor: string,
    requestId: string | undefined,
    fields: Record<string, unknown>,
  ): void => log.info('admin action', { action, actor, requestId, ...fields });
  /** MQ API sessions' last actions and statistics, written in batches (mq-api.ts). */
  const activity = deps.activity ?? new Activity(db);

  /**
   * Whether an administrator's change is in force on the client's live connection: false when
   * not connected; true at once when nothing changed (what the client has is already in force);
   * otherwise once the holding gateway confirms the version (bounded wait).
   */
  const inForce = async (session: Session__Output, changed: boolean): Promise<boolean> => {
    if (!isConnected(session)) return false;
    return !changed || deps.applied.wait(session.clientName, session.version, deps.applyTimeoutMs);
  };

  /**
   * The caller may read this session's messages: it exists, is an MQ API session that is not
   * banned, and the caller owns it or is an administrator.
   */
  const reader = async (clientName: string, token: string | undefined): Promise<{ mqApi: MqApiMessages }> => {
    parseClientName(clientName);
    await ownerOrAdmin(db, token, [clientName]);
    const session = await publisherOf(db, clientName);
    if (!session) throw notFound(`session "${clientName.slice(0, 200)}"`);
    if (session.type !== MQ_API_SESSION_TYPE) {
      throw new MqfleetError(
        'INVALID_VALUE',
        `session "${clientName.slice(0, 200)}" is an MQTT session: its messages go to its MQTT connection; only MQ API sessions (createMqApiSession) keep messages to read`,
        'clientName',
      );
    }
    if (session.status === 'banned') {
      throw new MqfleetError('SESSION_BANNED', `session "${clientName.slice(0, 200)}" is banned`);
    }
    if (!deps.mqApi) throw new MqfleetError('UNAVAILABLE', 'reading messages is not available');
    return { mqApi: deps.mqApi };
  };

  /**
   * One read of a session's messages that reader() allowed. The session can go while it runs (the
   * expiry sweep, a permanent delete: its consumer goes with it): a consumer found gone sends the
   * read back to reader(), which answers a session gone as one that never was (NOT_FOUND, the
   * JSON API's 100); a session still there gets its consumer made again by one more try. A read
   * that made the consumer looks the session up once more, so that it neither answers for a
   * session removed meanwhile nor leaves it a consumer.
   */
  const take = async (
    mqApi: MqApiMessages,
    clientName: string,
    token: string | undefined,
    max: number,
    topic: string,
    shared: string[],
  ): Promise<Awaited<ReturnType<MqApiMessages['take']>>> => {
    let taken: Awaited<ReturnType<MqApiMessages['take']>>;
    try {
      taken = await mqApi.take(clientName, max, topic, shared);
    } catch (err) {
      if (!(err instanceof ConsumerGone)) throw err;
      await reader(clientName, token);
      taken = await mqApi.take(clientName, max, topic, shared);
    }
    if (taken.consumerAdded && !(await publisherOf(db, clientName))) {
      await mqApi.forgetConsumer(clientName);
      throw notFound(`session "${clientName.slice(0, 200)}"`);
    }
    return taken;
  };

  /**
   * Receive: what is kept now, then each message as it is stored, until the caller cancels. The
   * session is checked again before every read (a ban or deletion ends the stream).
   */
  const receive = async (
    call: grpc.ServerWritableStream<ReceiveRequest__Output, StoredMessage>,
  ): Promise<void> => {
    const { clientName, topic } = call.request;
    const token = bearer(call);
    const { mqApi } = await reader(clientName, token);
    let wake: (() => void) | undefined;
    let pending = true;
    // (The groups of its shared subscriptions when the stream starts.)
    const shared = topic === '' ? await sharedFiltersOf(db, clientName) : [];
    const poke = (): void => {
      pending = true;
      wake?.();
    };
    // The notice (core NATS) may come before JetStream has stored the message: a read then finds
    // nothing, so it is tried again a moment later; and once a second whatever happens.
    let recheck: NodeJS.Timeout | undefined;
    const watch = mqApi.watch(clientName, topic, shared, () => {
      poke();
      recheck ??= setTimeout(() => {
        recheck = undefined;
        poke();
      }, RECEIVE_RECHECK_MS);
    });
    const poll = setInterval(poke, RECEIVE_POLL_MS);
    const stopped = new Promise<void>((resolve) => {
      call.on('cancelled', resolve);
      call.on('close', resolve);
    });
    try {
      while (!call.cancelled) {
        if (!pending) {
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), stopped]);
          wake = undefined;
          continue;
        }
        pending = false;
        await reader(clientName, token);
        const { messages } = await take(mqApi, clientName, token, DEFAULT_READ, topic, shared);
        for (const message of messages) {
          if (call.cancelled) return;
          if (!call.write(message)) await new Promise((resolve) => call.once('drain', resolve));
        }
        if (messages.length === DEFAULT_READ) pending = true;
        await activity.note(clientName, { received: messages.length });
      }
    } finally {
      for (const sub of watch) sub.unsubscribe();
      clearTimeout(recheck);
      clearInterval(poll);
    }
  };

  /**
   * WatchSessionEvents: checks the caller is an administrator, then writes a notice per event
   * until the caller cancels. Notices that the caller does not read in time are dropped beyond
   * WATCH_BUFFER (a watcher reads the sessions again when it needs the whole truth).
   */
  const watchEvents = async (
    call: grpc.ServerWritableStream<WatchSessionEventsRequest__Output, SessionEventNotice>,
  ): Promise<void> => {
    await admin(db, call);
    if (!deps.sessionEvents) throw new MqfleetError('UNAVAILABLE', 'session events are not available');
    const stop = deps.sessionEvents((data) => {
      if (call.cancelled || call.writableLength > WATCH_BUFFER) return;
      const notice = noticeOf(data);
      if (notice) call.write(notice);
    });
    await new Promise<void>((resolve) => {
      call.on('cancelled', resolve);
      call.on('close', resolve);
      if (call.cancelled) resolve();
    });
    stop();
  };

  const listGateways = () => ({
    gateways: deps.gateways.alive().map((g) => ({
      gatewayId: g.gatewayId,
      host: g.host,
      mqttPort: g.mqttPort,
      connections: g.connections,
      refusedConnections: String(g.refusedConnections ?? 0),
      lastSeenAt: new Date(g.lastSeen).toISOString(),
    })),
  });

  /** One administrator's alteration: the AlterSession RPC and each item of AlterSessionStream. */
  const alterOne = async (
    req: AlterSessionRequest__Output,
    token: string | undefined,
    requestId: string | undefined,
  ): Promise<AlterSessionResponse> => {
    const started = performance.now();
    parseClientName(req.clientName);
    const actor = await ownerOrAdmin(db, token, [req.clientName]);
    if (deps.rules) await checkWill(db, deps.rules, req.clientName, req.patch);
    // The label reference becomes the stored label id before the alteration is written.
    await resolveSessionLabel(db, req.patch);
    const { session, changedFields } = await store.alter(req, actor.username, requestId);
    await attachLabels(db, [session]);
    const changed = changedFields.length > 0;
    const liveApplied = await inForce(session, changed);
    deps.metrics?.alterations.altered(changed, liveApplied, (performance.now() - started) / 1000);
    adminAction('alterSession', actor.username, requestId, {
      clientName: req.clientName,
      version: session.version,
      changed: changedFields,
      liveApplied,
    });
    return { session, changedFields, liveApplied };
  };

  const openSession = async (
    req: OpenSessionRequest__Output,
    abandoned?: () => boolean,
  ): Promise<OpenSessionResponse> => {
    parseClientName(req.clientName);
    // [MQTT-3.1.4-2] authenticate before the session is touched.
    if (req.username) {
      const password = Buffer.from(req.password ?? '', 'base64');
      const checked = await authenticateMqtt(db, req.username, password, req.ipAddress);
      if (checked !== 'ok') {
        const refusal =
          checked === 'throttled'
            ? 'OPEN_REFUSAL_THROTTLED'
            : checked === 'busy'
              ? 'OPEN_REFUSAL_BUSY'
              : 'OPEN_REFUSAL_BAD_CREDENTIALS';
        return { refusal, sessionPresent: false, session: null };
      }
    } else if (!deps.allowAnonymous) {
      return { refusal: 'OPEN_REFUSAL_NOT_AUTHORIZED', sessionPresent: false, session: null };
    }
    const result = await (deps.opens ? deps.opens.submit(req, abandoned) : store.open(req));
    return {
      refusal:
        result.refusal === 'banned'
          ? 'OPEN_REFUSAL_BANNED'
          : result.refusal === 'mqApiSession'
            ? 'OPEN_REFUSAL_MQ_API_SESSION'
            : result.refusal === 'notOwner'
              ? 'OPEN_REFUSAL_NOT_OWNER'
              : 'OPEN_REFUSAL_NONE',
      sessionPresent: result.sessionPresent,
      session: result.session,
    };
  };
  const closeSession = async (
    req: CloseSessionRequest__Output,
    gatewayId: string,
    abandoned?: () => boolean,
  ): Promise<CloseSessionResponse> => {
    const { closed, removed } = await (deps.closes
      ? deps.closes.submit({ req, gatewayId }, abandoned)
      : store.close(req, gatewayId));
    return { closed, sessionRemoved: removed };
  };
  const gatewayOf = (call: Call): string => String(call.metadata.get('x-mqfleet-gateway')[0] ?? 'unknown');
  /** One request of a batch call: its response, or its failure as the single call would end. */
  const settle = async <Res>(
    work: () => Promise<Res>,
  ): Promise<{ response: Res } | { failure: BatchFailure }> => {
    try {
      return { response: await work() };
    } catch (err) {
      const failure = failureOf(err, log);
      return {
        failure: { status: failure.grpcStatus, errorCode: failure.code, errorMessage: failure.message },
      };
    }
  };

  const sessions: SessionServiceHandlers = {
    OpenSession: unary(log, async (req, call) => {
      internal(deps, call);
      return openSession(req);
    }),
    CloseSession: unary(log, async (req, call) => {
      internal(deps, call);
      return closeSession(req, gatewayOf(call));
    }),
    OpenSessions: unary(log, async (req, call) => {
      internal(deps, call);
      const abandoned = gaveUp(call);
      return {
        results: await Promise.all(req.requests.map((r) => settle(() => openSession(r, abandoned)))),
      };
    }),
    CloseSessions: unary(log, async (req, call) => {
      internal(deps, call);
      const gatewayId = gatewayOf(call);
      const abandoned = gaveUp(call);
      return {
        results: await Promise.all(
          req.requests.map((r) => settle(() => closeSession(r, gatewayId, abandoned))),
        ),
      };
    }),
    AlterSession: unary(log, (req, call) => alterOne(req, bearer(call), requestIdOf(call))),
    AlterSessionStream: (call) => {
      // Each item is answered on its own as soon as it is done; a failure is that item's result,
      // never the stream's end.
      call.on('data', (item: AlterSessionStreamRequest__Output) => {
        const requestId = /^[\x21-\x7e]{1,200}$/.test(item.requestId) ? item.requestId : undefined;
        alterOne(item.request ?? ({} as AlterSessionRequest__Output), item.authToken, requestId).then(
          (response) => {
            if (!call.cancelled && call.writable) call.write({ id: item.id, response });
          },
          (err: unknown) => {
            if (call.cancelled || !call.writable) return;
            const failure = failureOf(err, log);
            call.write({
              id: item.id,
              errorCode: failure.code,
              errorMessage: failure.message,
              errorProperty: failure.property ?? '',
            });
          },
        );
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
    DescribeSessions: unary(log, async (req, call) => {
      // Administrators call it with a token; gateways reconcile their live sessions with it.
      if (bearer(call)) await ownerOrAdmin(db, bearer(call), req.clientNames);
      else internal(deps, call);
      // What this instance has not written yet of their MQ API sessions' activity is written first.
      await activity.flush(req.clientNames);
      const sessions = await store.describe(req.clientNames);
      await attachLabels(db, sessions);
      const wanted = { stats: req.includeStats, publishedTopics: req.includePublishedTopics };
      const statsUnavailable =
        (wanted.stats || wanted.publishedTopics) && deps.liveStats
          ? await deps.liveStats(sessions, wanted)
          : [];
      if (deps.mqApiHealth) await describeMqApi(deps.mqApiHealth, sessions, req.includeStats);
      return { sessions, statsUnavailable };
    }),
    ListSessions: unary(log, async (req, call) => {
      await admin(db, call);
      const listed = await store.list(req);
      await attachLabels(db, listed.sessions);
      return listed;
    }),
    Publish: unary(log, async (req, call) => {
      parseClientName(req.clientName);
      const actor = await ownerOrAdmin(db, bearer(call), [req.clientName]);
      const publisher = await publisherOf(db, req.clientName);
      if (!publisher) throw notFound(`session "${req.clientName.slice(0, 200)}"`);
      if (publisher.status === 'banned') {
        throw new MqfleetError('SESSION_BANNED', `session "${req.clientName.slice(0, 200)}" is banned`);
      }
      if (!deps.publish) throw new MqfleetError('UNAVAILABLE', 'publishing is not available');
      const reasonCodes = await deps.publish({
        clientName: req.clientName,
        username: publisher.owner || publisher.username || actor.username,
        topic: req.topic,
        sessionUserProperties: publisher.userProperties,
        messages: req.messages.map((m) => ({
          payload: base64(m.payload),
          qos: m.qos === 1 ? 1 : 0,
          retain: m.retain,
          ...(m.contentType ? { contentType: m.contentType } : {}),
          ...(m.correlationData.length > 0 ? { correlationData: base64(m.correlationData) } : {}),
          ...(m.responseTopic ? { responseTopic: m.responseTopic } : {}),
          ...(m.expirySeconds ? { expirySeconds: m.expirySeconds } : {}),
          ...(m.payloadUtf8 ? { utf8: true } : {}),
          userProperties: m.userProperties.map((p) => [p.key, p.value] as [string, string]),
        })),
      });
      // Messages routed (reason code below 0x80) count as the session's published messages.
      const published = reasonCodes.filter((code) => code < 0x80).length;
      // An MQ API session that an MQTT client holds (MQFLEET_MQTT_MAY_USE_MQ_API_NAMES) counts
      // them on that connection, as an MQTT session does.
      if (publisher.type === MQ_API_SESSION_TYPE) {
        await activity.note(req.clientName, publisher.connection ? {} : { published });
      }
      if (publisher.connection && published > 0) {
        deps.notifyApiPublished?.(publisher.connection.gatewayId, {
          clientName: req.clientName,
          connectionId: publisher.connection.connectionId,
          topic: req.topic,
          count: published,
        });
      }
      return { reasonCodes };
    }),
    // Any account may create an MQ API session; the session records it as owner.
    CreateMqApiSession: unary(log, async (req, call) => {
      const actor = await checkToken(db, bearer(call));
      await resolveSessionLabel(db, req.patch);
      const session = await createMqApiSession(db, store, store.limits, req, actor.username);
      adminAction('createMqApiSession', actor.username, requestIdOf(call), {
        clientName: session.clientName,
      });
      // Messages kept for an earlier session of that name (one that expired) are not its own.
      await deps.mqApi?.discard(session.clientName);
      await attachLabels(db, [session]);
      return { session };
    }),
    DeleteSession: unary(log, async (req, call) => {
      parseClientName(req.clientName);
      const actor = await ownerOrAdmin(db, bearer(call), [req.clientName]);
      const { sessionType, ...result } = await store.delete(req, actor.username);
      adminAction('deleteSession', actor.username, requestIdOf(call), {
        clientName: req.clientName,
        deleted: result.deleted,
      });
      // The gateways stop keeping its messages, and those kept go.
      if (result.deleted && sessionType === MQ_API_SESSION_TYPE && deps.mqApi) {
        await deps.mqApi.sync(
          { clientName: req.clientName, version: result.version } as Session__Output,
          true,
        );
      }
      return result;
    }),
    AlterSessions: unary(log, async (req, call) => {
      const actor = await admin(db, call);
      // The will's QoS and retain against the broker limits here; its topic against the rules of
      // each matching session's user, in the transaction that reads them (store.alterMany).
      if (deps.rules) await checkWill(db, { ...deps.rules, authorization: undefined }, '', req.patch);
      await resolveSessionLabel(db, req.patch);
      const { matched, changed } = await store.alterMany(
        req,
        actor.username,
        willRule(deps.rules, req.patch),
        requestIdOf(call),
      );
      const connected = changed.filter((x) => x.connected);
      const confirmations = await Promise.all(
        connected.map((x) => deps.applied.wait(x.clientName, x.version, deps.applyTimeoutMs)),
      );
      adminAction('alterSessions', actor.username, requestIdOf(call), {
        matched,
        changed: changed.length,
        fields: Object.keys(req.patch ?? {}),
        liveApplied: confirmations.filter(Boolean).length,
      });
      return {
        matched,
        changed: changed.length,
        connected: connected.length,
        liveApplied: confirmations.filter(Boolean).length,
      };
    }),
    GetSessionAudit: unary(log, async (req, call) => {
      parseClientName(req.clientName);
      await ownerOrAdmin(db, bearer(call), [req.clientName]);
      return { entries: await store.audit(req) };
    }),
    ChangeSubscriptions: unary(log, async (req, call) => {
      parseClientName(req.clientName);
      // Administrators call it with a token (subscribeToMq); gateways with the internal token
      // for their clients' SUBSCRIBE/UNSUBSCRIBE.
      if (bearer(call)) {
        const actor = await ownerOrAdmin(db, bearer(call), [req.clientName]);
        if (deps.rules) await checkSubscriptions(db, deps.rules, req.clientName, req.add);
        const { session, changed, retainedFor } = await store.changeSubscriptions(req, actor.username, true);
        adminAction('changeSubscriptions', actor.username, requestIdOf(call), {
          clientName: req.clientName,
          version: session.version,
          changed,
        });
        await attachLabels(db, [session]);
        if (session.sessionType === MQ_API_SESSION_TYPE && deps.mqApi) {
          // Messages published once this returns are kept for the session.
          if (changed || (retainedFor?.length ?? 0) > 0) await deps.mqApi.sync(session, false, retainedFor);
          return { session, liveApplied: false };
        }
        return { session, liveApplied: await inForce(session, changed) };
      }
      internal(deps, call);
      const { session } = await store.changeSubscriptions(req, `gateway:${gatewayOf(call)}`, false);
      return { session, liveApplied: false };
    }),
    ChangeSubscriptionsBatch: unary(log, async (req, call) => {
      internal(deps, call);
      const gatewayId = gatewayOf(call);
      const abandoned = gaveUp(call);
      const change = async (r: (typeof req.requests)[number]): Promise<ChangeSubscriptionsResponse> => {
        parseClientName(r.clientName);
        const { session } = await (deps.subscriptionChanges
          ? deps.subscriptionChanges.submit({ req: r, gatewayId }, abandoned)
          : store.changeSubscriptions(r, `gateway:${gatewayId}`, false));
        return { session, liveApplied: false };
      };
      return { results: await Promise.all(req.requests.map((r) => settle(() => change(r)))) };
    }),
    GetMessages: unary(log, async (req, call) => {
      const token = bearer(call);
      const { mqApi } = await reader(req.clientName, token);
      const max = readCount(req.maxMessages);
      const shared = req.topic === '' ? await sharedFiltersOf(db, req.clientName) : [];
      const taken = await take(mqApi, req.clientName, token, max, req.topic, shared);
      await activity.note(req.clientName, { received: taken.messages.length, backlog: taken.backlog });
      return { messages: taken.messages, remaining: String(taken.remaining) };
    }),
    Receive: (call) => {
      void receive(call).catch((err: unknown) => {
        if (!call.cancelled) call.emit('error', toServiceError(err, log));
      });
    },
    GetTopicMessages: unary(log, async (req, call) => {
      await admin(db, call);
      if (!deps.topics) throw new MqfleetError('UNAVAILABLE', 'reading topics is not available');
      const from = parseStartFrom(req.startFrom);
      const { messages, kept } = await deps.topics.read(req.topic, from, readCount(req.maxMessages));
      const stored = (deps.storedTopics ?? []).some((f) => topicMatches(f, req.topic));
      return { messages, kept: String(kept), stored };
    }),
    ListMqApiSessions: unary(log, async (req, call) => {
      internal(deps, call);
      return store.mqApiSessions(req.after, req.limit);
    }),
    ListSessionNames: unary(log, async (req, call) => {
      internal(deps, call);
      return { ...(await store.names(req.after, req.limit)), anonymousAllowed: deps.allowAnonymous };
    }),
    // Delayed wills of a stopping gateway, kept until due (losses.ts keepWills).
    KeepWills: unary(log, async (req, call) => {
      internal(deps, call);
      const wills = req.wills.map((w) => ({
        clientName: w.clientName,
        connectionId: w.connectionId,
        dueInMs: w.dueInMs,
      }));
      return { kept: await keepWills(db, store, wills) };
    }),
    // Which gateways run, where: internal callers (the api-gateway's readiness) or administrators.
    ListGateways: unary(log, async (_req, call) => {
      if (bearer(call)) await admin(db, call);
      else internal(deps, call);
      return listGateways();
    }),
    // Alteration propagation, fleet-wide, from the gateways' heartbeats (gateways.ts).
    DescribeAlterationPropagation: unary(log, async (req, call) => {
      await admin(db, call);
      const window = req.windowSeconds === 0 ? 60 : req.windowSeconds;
      if (window < 1 || window > PROPAGATION_KEEP_MS / 1000) {
        throw new MqfleetError('INVALID_VALUE', 'windowSeconds must be 1 to 300', 'windowSeconds');
      }
      return deps.gateways.propagation(window);
    }),
    // Session events in brief, as they are published, for an administrator until it cancels.
    WatchSessionEvents: (call) => {
      void watchEvents(call).catch((err: unknown) => {
        if (!call.cancelled) call.emit('error', toServiceError(err, log));
      });
    },
  };
  const auth: AuthServiceHandlers = {
    CreateToken: unary(log, async (req, call) => {
      const issued = await createToken(
        db,
        req.username,
        req.password,
        req.idleTimeoutSeconds ?? undefined,
        req.description,
        sourceAddress(deps, call),
      );
      return {
        token: issued.token,
        username: issued.username,
        role: issued.role,
        idleTimeoutSeconds: issued.idleTimeoutSeconds,
        createdAt: issued.createdAt.toISOString(),
      };
    }),
    WhoAmI: unary(log, async (_req, call) => checkToken(db, bearer(call))),
    DeleteToken: unary(log, async (_req, call) => ({ found: await deleteToken(db, bearer(call)) })),
    DescribeTokens: unary(log, async (req, call) => {
      const token = bearer(call);
      const actor = await checkToken(db, token);
      const tokens = await describeTokens(db, actor, token!, req.ids);
      return {
        tokens: tokens.map((t) => ({
          ...t,
          createdAt: t.createdAt.toISOString(),
          lastUsedAt: t.lastUsedAt.toISOString(),
        })),
      };
    }),
  };
  const account = (a: AccountRow) => ({
    username: a.username,
    role: a.role,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  });
  const accounts: AccountServiceHandlers = {
    CreateAccount: unary(log, async (req, call) => {
      const actor = await admin(db, call);
      const created = await createAccount(db, req.username, req.password, req.role);
      adminAction('createAccount', actor.username, requestIdOf(call), {
        username: created.username,
        role: created.role,
      });
      return { account: account(created) };
    }),
    AlterAccount: unary(log, async (req, call) => {
      const actor = await admin(db, call);
      const password = req.password ?? undefined;
      const role = req.role ?? undefined;
      const altered = await alterAccount(db, req.username, password, role, bearer(call)!);
      adminAction('alterAccount', actor.username, requestIdOf(call), {
        username: req.username,
        passwordChanged: password !== undefined,
        ...(role !== undefined ? { role } : {}),
      });
      return { account: account(altered.account), tokensRevoked: altered.tokensRevoked };
    }),
    DeleteAccount: unary(log, async (req, call) => {
      const actor = await admin(db, call);
      const deleted = await deleteAccount(db, req.username);
      adminAction('deleteAccount', actor.username, requestIdOf(call), { username: req.username });
      return deleted;
    }),
    ListAccounts: unary(log, async (req, call) => {
      await admin(db, call);
      return { accounts: (await listAccounts(db, req.partialUsername)).map(account) };
    }),
  };

  const server = new grpc.Server(deps.metrics ? { interceptors: [deps.metrics.interceptor] } : {});
  server.addService(sessionServiceDefinition(), sessions);
  server.addService(v1.AuthService.service, auth);
  server.addService(v1.AccountService.service, accounts);
  // Labels: every RPC is an administrator action.
  const labels: LabelServiceHandlers = {
    CreateLabel: unary(log, async (req, call) => {
      const actor = await admin(db, call);
      return { label: await deps.labels.create(req, actor.username) };
    }),
    AlterLabel: unary(log, async (req, call) => {
      const actor = await admin(db, call);
      return deps.labels.alter(req, actor.username);
    }),
    ListLabels: unary(log, async (req, call) => {
      await admin(db, call);
      return { labels: await deps.labels.list(req) };
    }),
    ListLabelGroups: unary(log, async (req, call) => {
      await admin(db, call);
      return { groups: await deps.labels.listGroups(req) };
    }),
    ChangeLabels: unary(log, async (req, call) => {
      const actor = await admin(db, call);
      return { originals: await deps.labels.change(req, actor.username) };
    }),
  };
  server.addService(v1.LabelService.service, labels);
  // Topics (docs/json-api.md, listTopics and describeTopics): administrators only, as
  // listMqSessions: the answers name every session's subscriptions and addresses.
  const topics: TopicsHandlers = {
    ListTopics: unary(log, async (req, call) => {
      await admin(db, call);
      return { names: await listTopics(db, req) };
    }),
    DescribeTopics: unary(log, async (req, call) => {
      await admin(db, call);
      return { topics: await describeTopics(db, req) };
    }),
  };
  server.addService(v1.Topics.service, topics);
  const health = new HealthImplementation({
    '': 'NOT_SERVING',
    'mqfleet.v1.SessionService': 'NOT_SERVING',
    'mqfleet.v1.AuthService': 'NOT_SERVING',
    'mqfleet.v1.AccountService': 'NOT_SERVING',
    'mqfleet.v1.LabelService': 'NOT_SERVING',
    'mqfleet.v1.Topics': 'NOT_SERVING',
  });
  health.addToServer(server);
  // Reflection lists the standard health service too: grpcurl and Kubernetes' tooling find it.
  new ReflectionService({ ...packageDefinition, ...loadSync(HEALTH_PROTO, LOADER_OPTIONS) }).addToServer(
    server,
  );
  return { server, health };
}
