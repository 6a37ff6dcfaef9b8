// gRPC clients of the session-service (SessionService, AuthService, AccountService and the
// standard health service), with the deadline and caller metadata every call carries.
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { readGrpcTlsFiles, type Config } from '@mqfleet/core';
import { AlterStream } from './alter-stream';
import {
  AccountServiceClient,
  AuthServiceClient,
  LabelServiceClient,
  SessionServiceClient,
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
  clientCredentials,
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
const HealthClientCtor = grpc.makeGenericClientConstructor(
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
  alterStream: AlterStream;
  auth: AuthServiceClientType;
  accounts: AccountServiceClientType;
  labels: LabelServiceClientType;
  health: HealthClient;
  /** Call options with a fresh deadline. */
  options(deadlineMs?: number): grpc.CallOptions;
  /** Metadata of an administrative call made for the holder of this token. */
  bearer(token: string): grpc.Metadata;
  /** Metadata of a call the api-gateway makes on its own behalf. */
  internal(): grpc.Metadata;
  close(): void;
}

export function createBackend(config: Config): Backend {
  // TLS, with this gateway's client certificate, when MQFLEET_GRPC_TLS_* say so.
  const files = readGrpcTlsFiles(config.grpcTls);
  const { credentials, options } = clientCredentials({
    ca: files.ca,
    cert: files.clientCert,
    key: files.clientKey,
    serverName: config.grpcTls.serverName,
  });
  const address = config.sessionServiceAddress;
  const session = new SessionServiceClient(address, credentials, options);
  const auth = new AuthServiceClient(address, credentials, options);
  const accounts = new AccountServiceClient(address, credentials, options);
  const labels = new LabelServiceClient(address, credentials, options);
  const health = new HealthClientCtor(address, credentials, options);
  const alterStream = new AlterStream(session, config.grpcDeadlineMs);
  const listMethod = v1.SessionService.service.ListSessions;
  return {
    session,
    listSessions: (request, metadata, callOptions) =>
      unary<ListedPage>((cb) =>
        session.makeUnaryRequest(
          listMethod.path,
          listMethod.requestSerialize,
          decodeListedPage,
          request,
          metadata,
          callOptions,
          cb,
        ),
      ),
    alterStream,
    auth,
    accounts,
    labels,
    health,
    options: (deadlineMs = config.grpcDeadlineMs) => ({ deadline: Date.now() + deadlineMs }),
    bearer(token) {
      // Never with the internal secret: the token alone decides what the caller may do.
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      return metadata;
    },
    internal() {
      const metadata = new grpc.Metadata();
      if (config.internalToken) metadata.set('x-mqfleet-internal', config.internalToken);
      return metadata;
    },
    close() {
      alterStream.close();
      session.close();
      auth.close();
      accounts.close();
      labels.close();
      health.close();
    },
  };
}

/** Turns a callback-style unary call into a promise. */
export function unary<T>(run: (callback: grpc.requestCallback<T>) => unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    run((err, value) => {
      if (err) reject(err);
      else if (value === undefined) reject(new Error('empty gRPC response'));
      else resolve(value);
    });
  });
}
