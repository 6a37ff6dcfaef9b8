// The api-gateway: a Fastify app that serves the FairCom-style JSON API over gRPC calls to the
// session-service. buildApiGateway never reads the environment; main.ts does.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import {
  ConfigError,
  createLogger,
  ERROR_KINDS,
  type Config,
  type Logger,
  type ServiceMetrics,
} from '@mqfleet/core';
import { failureResponse, registerApi } from './api';
import { createBackend, unary } from './backend';
import { dashboardDir, registerDashboard } from './dashboard';
import { registerHealth } from './health';
import { httpsOptions, plainHttpRefusal } from './https';
import { registerOpenApi } from './openapi';
import { registerWebSocket } from './ws';
import {
  AccountNames,
  registerObservation,
  requestIdFrom,
  REQUEST_ID_HEADER,
  timedGrpcCalls,
} from './observe';

/** Bodies up to 4 MiB: willPayload and metadata are at most 65,500 bytes each. */
const BODY_LIMIT = 4 * 1024 * 1024;

export interface ApiGateway {
  app: FastifyInstance;
  start(): Promise<{ port: number }>;
  close(): Promise<void>;
}

export function buildApiGateway(
  config: Config,
  logger: Logger = createLogger('api-gateway', config.logLevel),
  /** Where its HTTP latencies go (main.ts serves them on /metrics); none without. */
  metrics?: ServiceMetrics,
): ApiGateway {
  const refusal = plainHttpRefusal(config);
  if (refusal) throw new ConfigError(refusal);
  const https = httpsOptions(config);
  const backend = createBackend(config, metrics ? { interceptors: [timedGrpcCalls(metrics)] } : {});
  // Every request's id: the caller's x-request-id when usable, otherwise a new one (observe.ts).
  const genReqId = (req: { headers: Record<string, string | string[] | undefined> }): string =>
    requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  // With a certificate the same app is served by an https server (https.ts): /api, /ws, health.
  const app = (
    https
      ? Fastify({ logger: false, bodyLimit: BODY_LIMIT, https, genReqId })
      : Fastify({ logger: false, bodyLimit: BODY_LIMIT, genReqId })
  ) as FastifyInstance;
  const accounts = new AccountNames(async (token) => {
    const who = await unary<{ username: string }>((done) =>
      backend.auth.whoAmI({}, backend.bearer(token), backend.options(), done),
    );
    return who.username;
  });
  registerObservation(app, logger, accounts, metrics);

  // The body is JSON whatever the Content-Type says; /api parses it itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const answer = registerApi(app, backend, logger, accounts);
  registerWebSocket(app, backend, answer, logger);
  registerHealth(app, config, backend);
  registerOpenApi(app);
  registerDashboard(app, logger, dashboardDir());

  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({
      error: `no route ${request.method} ${request.url}; the JSON API is POST /api, the dashboard GET /ui/`,
    }),
  );
  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) logger.error('request failed', { url: request.url, err });
    const failure =
      status === 413
        ? {
            errorCode: ERROR_KINDS.TOO_LARGE.jsonCode,
            errorMessage: `the request body exceeds ${BODY_LIMIT} bytes`,
          }
        : status >= 500
          ? {
              errorCode: ERROR_KINDS.INTERNAL.jsonCode,
              errorMessage: 'internal error; the server log has the details',
            }
          : { errorCode: ERROR_KINDS.NOT_JSON.jsonCode, errorMessage: 'the request could not be read' };
    return reply
      .code(status)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(failureResponse(failure)));
  });

  let closed = false;
  return {
    app,
    async start() {
      await app.listen({ host: config.host, port: config.httpPort });
      // Fastify stops listening for server errors once it listens; a failed accept (EMFILE when
      // the process is out of file descriptors) would then end the process. Logged instead.
      app.server.on('error', (err: NodeJS.ErrnoException) =>
        logger.warn('HTTP listener could not accept a connection', { code: err.code, err: err.message }),
      );
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.httpPort;
      return { port };
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      backend.close();
    },
  };
}
