// gRPC clients of the session-service (SessionService, AuthService, AccountService, LabelService,
// Topics and the standard health service) over the one transport of packages/client/src/transport.ts:
// its credentials, deadlines, caller metadata and error decoding (failures reject with its
// CallError, an MqfleetError; errors.ts maps them to JSON API errors).
import type * as grpc from '@grpc/grpc-js';
import { makeGenericClientConstructor } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import type { Config } from '@mqfleet/core';
import { promised, Transport, type TransportOptions } from '@mqfleet/client';
import { AlterStream } from './alter-stream';
import {
  AccountServiceClient,
  AuthServiceClient,
  LabelServiceClient,
  SessionServiceClient,
  TopicsClient,
  packageDefinition,
  projectedDeserializer,
  v1,
  type AccountServiceClientType,
  type ConnectionInfo__Output,
  type ListSessionsRequest,
  type SessionSettings__Output,
  type AuthServiceClientType,
  type LabelServiceClientType,
  type SessionServiceClientType,
  type TopicsClientType,
} from '@mqfleet/proto';

interface HealthCheckResponse {
  status: string;
}

interface HealthClient extends grpc.Client {
  check(
    request: { service: string },
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<HealthCheckResponse>,
  ): grpc.ClientUnaryCall;
}

type HealthClientConstructor = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => HealthClient;
const HealthClientCtor = makeGenericClientConstructor(
  healthService,
  'Health',
) as unknown as HealthClientConstructor;

/** What listMqSessions renders of a session: all a ListedPage decodes of it. */
export interface ListedSession {
  clientName: string;
  sessionType: string;
  settings: Pick<SessionSettings__Output, 'sessionStatus' | 'labelId' | 'labelGroup' | 'labelName'> | null;
  connection: Pick<ConnectionInfo__Output, 'status'> | null;
}

export interface ListedPage {
  sessions: ListedSession[];
  nextCursor: string;
}

/**
 * ListSessions' reply with only ListedSession's fields decoded (each as proto-loader decodes it):
 * a page of 1,000 sessions is about 280 kB, and decoding every field of every session was most
 * of listMqSessions' time in the api-gateway.
 */
const decodeListedPage = projectedDeserializer<ListedPage>(
  packageDefinition,
  'mqfleet.v1.ListSessionsResponse',
  {
    sessions: {
      clientName: true,
      sessionType: true,
      settings: { sessionStatus: true, labelId: true, labelGroup: true, labelName: true },
      connection: { status: true },
    },
    nextCursor: true,
  },
);

export interface Backend {
  session: SessionServiceClientType;
  /** SessionService.ListSessions, decoding only what listMqSessions renders. */
  listSessions(
    request: ListSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
  ): Promise<ListedPage>;
  /** alterMqSession's path: many callers' alterations over one stream (alter-stream.ts). */
  alterStream: Pick<AlterStream, 'alter'>;
  auth: AuthServiceClientType;
  accounts: AccountServiceClientType;
  labels: LabelServiceClientType;
  /** listTopics, describeTopics. */
  topics: TopicsClientType;
  health: HealthClient;
  /** Call options with a fresh deadline. */
  options(deadlineMs?: number): grpc.CallOptions;
  /** Metadata of an administrative call made for the holder of this token. */
  bearer(token: string): grpc.Metadata;
  /** Metadata of a call the api-gateway makes on its own behalf. */
  internal(): grpc.Metadata;
  close(): void;
}

/** ListSessions with decodeListedPage for its reply. */
const LIST_LISTED = { ...v1.SessionService.service.ListSessions, responseDeserialize: decodeListedPage };

/** `extra`: transport options beyond the configuration's (observe.ts: the calls' latencies). */
export function createBackend(config: Config, extra: TransportOptions = {}): Backend {
  const transport = Transport.fromConfig(config, extra);
  const session = transport.client(SessionServiceClient);
  const alterStream = new AlterStream(session, config.grpcDeadlineMs);
  return {
    session,
    listSessions: (request, metadata, callOptions) =>
      transport.unary(LIST_LISTED, request, {
        metadata,
        ...(callOptions.deadline !== undefined ? { deadlineMs: deadlineMsOf(callOptions.deadline) } : {}),
      }),
    alterStream,
    auth: transport.client(AuthServiceClient),
    accounts: transport.client(AccountServiceClient),
    labels: transport.client(LabelServiceClient),
    topics: transport.client(TopicsClient),
    health: transport.client(HealthClientCtor),
    options: (deadlineMs) => transport.callOptions(deadlineMs),
    bearer: (token) => transport.bearer(token),
    // A copy: callers get metadata of their own, as before (the transport's is shared).
    internal: () => transport.internal.clone(),
    close() {
      alterStream.close();
      transport.close();
    },
  };
}

/** Milliseconds left until a grpc-js deadline (a Date or epoch milliseconds). */
function deadlineMsOf(deadline: grpc.Deadline): number {
  return (deadline instanceof Date ? deadline.getTime() : deadline) - Date.now();
}

/**
 * Turns a callback-style unary call of one of the Backend's clients into a promise; a failure
 * rejects with the transport's CallError (packages/client/src/transport.ts decodeError).
 */
export const unary: <T>(run: (callback: grpc.requestCallback<T>) => unknown) => Promise<T> = promised;
