// What the api-gateway tells operators about its requests (docs/operations.md): a request id for
// every request (the caller's x-request-id, or a new one), passed on to the session-service as
// gRPC metadata; one access-log line per request (method, path, status, duration, request id,
// JSON action, account; never the body or a token); and the HTTP latency histogram of /metrics.
import { createHash, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { timedCalls } from '@mqfleet/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LATENCY_BUCKETS, type Logger, type ServiceMetrics } from '@mqfleet/core';
import type { Backend } from './backend';

/** The header a request id comes in and goes back in, and its gRPC metadata key. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's request id is used as it is when it is 1-200 printable ASCII characters. */
const USABLE_REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** The caller's x-request-id when usable, otherwise a new one (a UUID). */
export function requestIdFrom(header: unknown): string {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && USABLE_REQUEST_ID.test(value) ? value : randomUUID();
}

/**
 * The backend as one request's actions see it: every call carries the request id (metadata of
 * bearer and internal calls, the item of an alteration's stream).
 */
export function backendFor(backend: Backend, requestId: string): Backend {
  const tag = (metadata: grpc.Metadata): grpc.Metadata => {
    metadata.set(REQUEST_ID_HEADER, requestId);
    return metadata;
  };
  return {
    ...backend,
    bearer: (token) => tag(backend.bearer(token)),
    internal: () => tag(backend.internal()),
    alterStream: {
      alter: (request, authToken) => backend.alterStream.alter(request, authToken, requestId),
    },
  };
}

/** What the access log says of a JSON API request, learnt while it is answered. */
export interface RequestNote {
  action?: string | undefined;
  /** The token the request came with (only to look its account up; never logged). */
  authToken?: string | undefined;
  /** The account, when the request itself says (createSession's username). */
  account?: string | undefined;
}

/** How long the account of a token is remembered for the access log. */
const ACCOUNT_TTL_MS = 60_000;
const ACCOUNTS_KEPT = 10_000;

/**
 * The account of a token, for the access log: remembered from createSession, else asked once
 * (AuthService.WhoAmI) and remembered for a minute. Keyed by the token's SHA-256.
 */
export class AccountNames {
  private readonly known = new Map<string, { account: string | undefined; until: number }>();

  constructor(private readonly whoAmI: (token: string) => Promise<string>) {}

  remember(token: string, account: string): void {
    this.put(digest(token), account);
  }

  /** The account now when known; otherwise a promise of it (undefined for a bad token). */
  of(token: string): string | undefined | Promise<string | undefined> {
    const key = digest(token);
    const entry = this.known.get(key);
    if (entry && entry.until > Date.now()) return entry.account;
    return this.whoAmI(token).then(
      (account) => this.put(key, account),
      () => this.put(key, undefined),
    );
  }

  private put(key: string, account: string | undefined): string | undefined {
    if (this.known.size >= ACCOUNTS_KEPT) this.known.delete(this.known.keys().next().value!);
    this.known.delete(key);
    this.known.set(key, { account, until: Date.now() + ACCOUNT_TTL_MS });
    return account;
  }
}

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');

declare module 'fastify' {
  interface FastifyRequest {
    /** Filled by the JSON API while it answers (api.ts). */
    note: RequestNote | undefined;
  }
}

/**
 * Request ids, the access log and the HTTP metrics of every route. The request id is the
 * Fastify request's id (index.ts makes it from x-request-id) and goes back in the response's
 * x-request-id header.
 */
export function registerObservation(
  app: FastifyInstance,
  logger: Logger,
  accounts: AccountNames,
  metrics: ServiceMetrics | undefined,
): void {
  const latency = metrics?.histogram(
    'mqfleet_http_request_duration_seconds',
    'HTTP requests of the api-gateway by method, route, JSON action and status',
    ['method', 'route', 'action', 'status'],
    LATENCY_BUCKETS,
  );
  app.decorateRequest('note', undefined);
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const note = request.note;
    const status = reply.statusCode;
    const durationMs = Math.round(reply.elapsedTime * 1000) / 1000;
    latency?.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        action: note?.action ?? '',
        status: String(status),
      },
      durationMs / 1000,
    );
    const line = (account: string | undefined): void =>
      logger.info('request', {
        requestId: request.id,
        method: request.method,
        url: pathOf(request),
        status,
        durationMs,
        ...(note?.action ? { action: note.action } : {}),
        ...(account ? { account } : {}),
      });
    const account = note?.account ?? (note?.authToken ? accounts.of(note.authToken) : undefined);
    // A token not seen yet: the line is written once its account is known (off the request path).
    if (account instanceof Promise) void account.then(line);
    else line(account);
  });
}

/** The request's path without its query string (a query may hold a token). */
function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The api-gateway's gRPC calls to the session-service, timed as the api-gateway sees them. */
export function timedGrpcCalls(metrics: ServiceMetrics): grpc.Interceptor {
  const latency = metrics.histogram(
    'mqfleet_grpc_client_duration_seconds',
    'gRPC calls to the session-service by method and status code, as the caller sees them (a stream: to its end)',
    ['method', 'code'],
    LATENCY_BUCKETS,
  );
  return timedCalls((path, code, seconds) =>
    latency.observe(
      { method: path.slice(path.lastIndexOf('.') + 1), code: grpc.status[code] ?? String(code) },
      seconds,
    ),
  );
}
