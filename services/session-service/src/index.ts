// The session-service: owns Postgres, serves gRPC, publishes every change through the outbox.
import { publishThroughGateway } from './api-publish';
import * as grpc from '@grpc/grpc-js';
import type { NatsConnection } from 'nats';
import {
  connectNats,
  logNatsErrors,
  createLogger,
  DEFAULT_ADMIN_PASSWORD,
  readGrpcTlsFiles,
  subjects as makeSubjects,
  type Config,
  type Logger,
  type ServiceMetrics,
} from '@mqfleet/core';
import { serverCredentials } from '@mqfleet/proto';
import {
  adminHasDefaultPassword,
  configureLogins,
  ensureAdmin,
  loginThrottle,
  setTokenMaxLifetime,
} from './accounts';
import { shareOverNats } from './login-throttle';
import { pruneRefusedMqApiSubscriptions } from './rules';
import { createPool, type Db } from './db';
import { AppliedWaiters } from './applied';
import { storeLimits } from './bus-fit';
import { unguardedListen } from './exposure';
import { GatewayRegistry } from './gateways';
import { MqApiMessages } from './mq-api-messages';
import { TopicMessages } from './topic-messages';
import { GatewayWatch } from './gateway-watch';
import { GatewayLosses } from './losses';
import { fetchLiveStats, HealthReports } from './health';
import { LabelStore } from './labels';
import { buildGrpcServer } from './grpc';
import { TopicReports } from './topics';
import { migrate } from './migrate';
import { OutboxRelay } from './outbox';
import { Activity, SessionStore } from './sessions';
import { MqApiHealth } from './mq-api-stats';
import { closeBatcher, openBatcher } from './connect-batch';
import { subscriptionBatcher } from './subscription-batch';
import { ensureStreams, StreamMonitor } from './stream';
import { registerSessionServiceMetrics } from './metrics';

export { migrate } from './migrate';
export { SessionStore, clientKey } from './sessions';
export { hashPassword, verifyPassword } from './accounts';

const EXPIRY_SWEEP_MS = 1000;

export interface SessionService {
  start(): Promise<{ grpcPort: number }>;
  close(): Promise<void>;
}

export function buildSessionService(
  config: Config,
  log: Logger = createLogger('session-service', config.logLevel),
  /** Where its metrics go (main.ts serves them on /metrics); none without. */
  metrics?: ServiceMetrics,
): SessionService {
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required by the session-service');
  const unguarded = unguardedListen(config);
  if (unguarded) throw new Error(unguarded);
  const databaseUrl = config.databaseUrl;
  const subjects = makeSubjects(config.natsPrefix);
  let db: Db | undefined;
  let nc: NatsConnection | undefined;
  let relay: OutboxRelay | undefined;
  let gateways: GatewayRegistry | undefined;
  let appliedWaiters: AppliedWaiters | undefined;
  let healthReports: HealthReports | undefined;
  let topicReports: TopicReports | undefined;
  let server: grpc.Server | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let watch: GatewayWatch | undefined;
  let monitor: StreamMonitor | undefined;
  let activity: Activity | undefined;
  const measured = metrics
    ? registerSessionServiceMetrics(metrics, {
        db: () => db,
        natsUp: () => relay?.natsUp ?? false,
        gateways: () => gateways,
      })
    : undefined;

  return {
    async start() {
      setTokenMaxLifetime(config.tokenMaxLifetimeSeconds);
      configureLogins({
        freeFailures: config.loginFreeFailures,
        addressFreeFailures: config.loginAddressFreeFailures,
        maxDelaySeconds: config.loginThrottleMaxSeconds,
        hashConcurrency: config.hashConcurrency,
        hashQueue: config.hashQueue,
        hashCost: config.passwordHashCost,
      });
      db = createPool(databaseUrl);
      const applied = await migrate(db);
      if (applied.length) log.info('migrations applied', { applied });
      if (await ensureAdmin(db, config.adminPassword)) log.info('account ADMIN created');
      // Production with a database made in development: ADMIN may still take "ADMIN".
      if (config.production && (await adminHasDefaultPassword(db, DEFAULT_ADMIN_PASSWORD))) {
        throw new Error(
          'account ADMIN in this database still has the password "ADMIN" (MQFLEET_ADMIN_PASSWORD only sets the password of a new database): start once without NODE_ENV=production and change it (JSON API alterAccount, or gRPC AlterAccount), then start again',
        );
      }
      if (config.adminPasswordIsDefault) {
        log.warn('!!! the ADMIN account uses the default password "ADMIN"; set MQFLEET_ADMIN_PASSWORD !!!');
      }
      nc = await connectNats(config, {
        name: 'mqfleet-session-service',
        maxReconnectAttempts: -1,
      });
      void logNatsErrors(nc, log, 'main');
      // Replicas throttle failed logins as one.
      shareOverNats(loginThrottle(), nc, subjects.loginThrottle, log);
      await ensureStreams(nc, subjects, config, log);
      monitor = new StreamMonitor(nc, subjects, config, log);
      monitor.start();
      const store = new SessionStore(db, subjects);
      store.maxSessionExpiry = config.maxSessionExpiry;
      store.mqttMayUseMqApiNames = config.mqttMayUseMqApiNames;
      store.clientIdOwnership = config.clientIdOwnership;
      store.limits = storeLimits(config);
      relay = new OutboxRelay(db, databaseUrl, nc, log);
      await relay.start();
      store.publishNow = relay.publishNow;
      gateways = new GatewayRegistry(nc, subjects, config.gatewayTimeoutMs);
      gateways.start();
      const losses = new GatewayLosses(db, store, log, config.maxQueuedMessages > 0);
      watch = new GatewayWatch(nc, gateways, losses, log, config.gatewayTimeoutMs);
      watch.start();
      const waiters = new AppliedWaiters(nc, subjects);
      waiters.start();
      appliedWaiters = waiters;
      healthReports = new HealthReports(nc, subjects, store, log);
      healthReports.start();
      // Gateways' message counts per topic (listTopics, describeTopics); none with maxTopics 0.
      if (config.maxTopics > 0) {
        topicReports = new TopicReports(nc, subjects, db, config.maxTopics, log);
        topicReports.start();
      }
      const natsConnection = nc;
      const mqApiMessages = new MqApiMessages(natsConnection, subjects, gateways, log);
      const mqApiHealth = new MqApiHealth(db, store, (name) => mqApiMessages.backlog(name), log);
      activity = new Activity(db);
      // A failed evaluation does not fail the action counted: the sweep (or, for a session still
      // stored offline, its next action or a describe) evaluates it again.
      activity.onWritten = (names) =>
        mqApiHealth.evaluate(names).catch((err: unknown) => log.warn('MQ API health not evaluated', { err }));
      activity.onError = (err) => log.warn('MQ API activity not written', { err });
      const reporting = <B extends { log: Logger | undefined }>(batcher: B): B => {
        batcher.log = log;
        return batcher;
      };
      const built = buildGrpcServer({
        db,
        store,
        opens: reporting(openBatcher(db, store, (req) => store.open(req))),
        closes: reporting(closeBatcher(db, store, ({ req, gatewayId }) => store.close(req, gatewayId))),
        subscriptionChanges: reporting(subscriptionBatcher(db, store)),
        gateways,
        internalToken: config.internalToken,
        clientCertificates: config.grpcTls.caFile
          ? { internalNames: config.grpcTls.internalNames }
          : undefined,
        allowAnonymous: config.allowAnonymous,
        rules: {
          authorization: config.authorization,
          maximumQos: config.maximumQos,
          retainAvailable: config.retainAvailable,
        },
        applied: waiters,
        applyTimeoutMs: config.applyTimeoutMs,
        metrics: measured,
        log,
        labels: new LabelStore(db, subjects),
        liveStats: (sessions, wanted) =>
          fetchLiveStats(natsConnection, subjects, sessions, config.statsTimeoutMs, wanted),
        publish: (request) =>
          publishThroughGateway(natsConnection, subjects, request, config.publishTimeoutMs),
        mqApi: mqApiMessages,
        topics: new TopicMessages(natsConnection, subjects),
        storedTopics: config.storedTopics,
        activity,
        mqApiHealth,
        sessionEvents: (listener) => {
          const sub = natsConnection.subscribe(subjects.sessionEventsAll, {
            callback: (err, msg) => {
              if (!err) listener(msg.data);
            },
          });
          return () => sub.unsubscribe();
        },
        notifyApiPublished: (gatewayId, note) => {
          // Core NATS, no reply: a note lost in transit is a count the live statistics miss.
          if (!natsConnection.isClosed()) {
            natsConnection.publish(subjects.gatewayApiPublished(gatewayId), JSON.stringify(note));
          }
        },
      });
      server = built.server;
      const grpcPort = await new Promise<number>((resolve, reject) =>
        built.server.bindAsync(
          `${config.host}:${config.grpcPort}`,
          serverCredentials(readGrpcTlsFiles(config.grpcTls)),
          (err, port) => (err ? reject(err) : resolve(port)),
        ),
      );
      for (const name of [
        '',
        'mqfleet.v1.SessionService',
        'mqfleet.v1.AuthService',
        'mqfleet.v1.AccountService',
        'mqfleet.v1.LabelService',
        'mqfleet.v1.Topics',
      ])
        built.health.setStatus(name, 'SERVING');
      // The rules are read at start: MQ API sessions' subscriptions they now refuse go (rules.ts).
      pruneRefusedMqApiSubscriptions(db, store, { authorization: config.authorization }, log).catch(
        (err: unknown) => log.warn('MQ API subscriptions not checked against the rules', { err }),
      );
      sweeper = setInterval(() => {
        store
          .expireSessions()
          // Expired MQ API sessions: their kept messages and consumer go (mq-api-messages.ts).
          .then(async ({ mqApi }) => {
            for (const clientName of mqApi) await mqApiMessages.discard(clientName);
          })
          .catch((err: unknown) => log.warn('session expiry sweep failed', { err }));
        // Wills of lost connections whose delay has passed go to the gateways (losses.ts).
        losses.releaseDueWills().catch((err: unknown) => log.warn('due wills not released', { err }));
        // MQ API sessions' health (rates change, keep-alive windows lapse) and old statistics.
        mqApiHealth.sweep().catch((err: unknown) => log.warn('MQ API health sweep failed', { err }));
      }, EXPIRY_SWEEP_MS);
      return { grpcPort };
    },
    async close() {
      if (sweeper) clearInterval(sweeper);
      await watch?.stop();
      monitor?.stop();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => s.forceShutdown(), 3000);
          s.tryShutdown(() => (clearTimeout(force), resolve()));
        });
      }
      // What the calls counted and did not write yet.
      await activity?.close().catch((err: unknown) => log.warn('MQ API activity not written', { err }));
      gateways?.close();
      healthReports?.close();
      await healthReports?.settled();
      topicReports?.close();
      await topicReports?.settled();
      appliedWaiters?.close();
      await relay?.close();
      await nc?.drain().catch(() => undefined);
      await db?.end();
    },
  };
}
