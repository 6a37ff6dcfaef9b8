// A typed, promise-based client of the session-service's gRPC API for other TypeScript services.
//
//   const mq = await MqfleetClient.login('sessions.internal:50051', 'ops-bot', secret);
//   await mq.alterSession('device-1', { keepAliveSeconds: 30 });
//
// Every call carries a deadline. Failures reject with an MqfleetError whose `code` is the stable
// catalogue name (NOT_FOUND, INVALID_VALUE, VERSION_CONFLICT, BAD_TOKEN, ...). Calls that fail
// with UNAVAILABLE are retried (idempotent reads only: describe, list, audit) up to `retries` times.
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_GRPC_DEADLINE_MS, ERROR_CODE_METADATA_KEY, isErrorCode, MqfleetError } from '@mqfleet/core';
import {
  AuthServiceClient,
  clientCredentials,
  SessionServiceClient,
  type ClientTls,
  type AlterSessionResponse__Output,
  type AlterSessionsResponse__Output,
  type AuditEntry__Output,
  type AuthServiceClientType,
  type DeleteSessionResponse__Output,
  type ListSessionsRequest,
  type ListSessionsResponse__Output,
  type Session__Output,
  type SessionFilter,
  type SessionPatch,
  type SessionServiceClientType,
} from '@mqfleet/proto';

export interface ClientOptions {
  deadlineMs?: number;
  /** Retries of idempotent reads on UNAVAILABLE (default 2). */
  retries?: number;
  credentials?: grpc.ChannelCredentials;
  /**
   * TLS to the session-service (ignored when `credentials` is given): `ca` verifies its
   * certificate, `cert` + `key` (PEM) are the client certificate for mutual TLS
   * (MQFLEET_GRPC_TLS_CA_FILE on the service), `serverName` overrides the name checked.
   */
  tls?: ClientTls;
}

/** Channel credentials and options from ClientOptions. */
function channel(options: ClientOptions): {
  credentials: grpc.ChannelCredentials;
  options: grpc.ChannelOptions;
} {
  return options.credentials
    ? { credentials: options.credentials, options: {} }
    : clientCredentials(options.tls);
}

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;

function toError(err: grpc.ServiceError): MqfleetError {
  const code = err.metadata?.get(ERROR_CODE_METADATA_KEY)[0];
  if (isErrorCode(code)) return new MqfleetError(code, err.details);
  if (err.code === grpc.status.UNAVAILABLE) return new MqfleetError('UNAVAILABLE', err.details);
  if (err.code === grpc.status.DEADLINE_EXCEEDED) return new MqfleetError('TIMEOUT', err.details);
  return new MqfleetError('INTERNAL', err.details || err.message);
}

export class MqfleetClient {
  private readonly sessions: SessionServiceClientType;
  private readonly auth: AuthServiceClientType;
  private readonly deadlineMs: number;
  private readonly retries: number;

  constructor(
    address: string,
    private readonly token: string,
    options: ClientOptions = {},
  ) {
    const { credentials, options: channelOptions } = channel(options);
    this.sessions = new SessionServiceClient(address, credentials, channelOptions);
    this.auth = new AuthServiceClient(address, credentials, channelOptions);
    this.deadlineMs = options.deadlineMs ?? DEFAULT_GRPC_DEADLINE_MS;
    this.retries = options.retries ?? 2;
  }

  /** Exchanges an account's username and password for a token and returns a client using it. */
  static async login(
    address: string,
    username: string,
    password: string,
    options: ClientOptions = {},
  ): Promise<MqfleetClient> {
    const { credentials, options: channelOptions } = channel(options);
    const auth = new AuthServiceClient(address, credentials, channelOptions);
    try {
      const res = await new Promise<{ token: string }>((resolve, reject) =>
        auth.CreateToken(
          { username, password },
          new grpc.Metadata(),
          { deadline: Date.now() + (options.deadlineMs ?? DEFAULT_GRPC_DEADLINE_MS) },
          (err, value) => (err ? reject(toError(err)) : resolve(value!)),
        ),
      );
      return new MqfleetClient(address, res.token, options);
    } finally {
      auth.close();
    }
  }

  private call<T>(
    start: (md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<T>) => unknown,
    idempotent: boolean,
  ): Promise<T> {
    const attempt = (left: number): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const md = new grpc.Metadata();
        md.set('authorization', `Bearer ${this.token}`);
        start(md, { deadline: Date.now() + this.deadlineMs }, (err, value) => {
          if (!err) return resolve(value as T);
          if (idempotent && left > 0 && err.code === grpc.status.UNAVAILABLE) {
            resolve(attempt(left - 1));
          } else {
            reject(toError(err));
          }
        });
      });
    return attempt(this.retries);
  }

  alterSession(
    clientName: string,
    patch: SessionPatch,
    expectedVersion?: string,
  ): Promise<AlterSessionResponse__Output> {
    return this.call<AlterSessionResponse__Output>(
      (md, o, cb) =>
        this.sessions.AlterSession(
          { clientName, patch, ...(expectedVersion ? { expectedVersion } : {}) },
          md,
          o,
          cb,
        ),
      false,
    );
  }

  alterSessions(filter: SessionFilter, patch: SessionPatch): Promise<AlterSessionsResponse__Output> {
    return this.call((md, o, cb) => this.sessions.AlterSessions({ filter, patch }, md, o, cb), false);
  }

  async describeSessions(clientNames: string[]): Promise<Session__Output[]> {
    const res = await this.call<{ sessions: Session__Output[] }>(
      (md, o, cb) => this.sessions.DescribeSessions({ clientNames }, md, o, cb),
      true,
    );
    return res.sessions;
  }

  listSessions(request: ListSessionsRequest = {}): Promise<ListSessionsResponse__Output> {
    return this.call((md, o, cb) => this.sessions.ListSessions(request, md, o, cb), true);
  }

  deleteSession(clientName: string, permanently = false): Promise<DeleteSessionResponse__Output> {
    return this.call(
      (md, o, cb) => this.sessions.DeleteSession({ clientName, permanently }, md, o, cb),
      false,
    );
  }

  async sessionAudit(clientName: string, afterVersion = '0'): Promise<AuditEntry__Output[]> {
    const res = await this.call<{ entries: AuditEntry__Output[] }>(
      (md, o, cb) => this.sessions.GetSessionAudit({ clientName, afterVersion }, md, o, cb),
      true,
    );
    return res.entries;
  }

  close(): void {
    this.sessions.close();
    this.auth.close();
  }
}
