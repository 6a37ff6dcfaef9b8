// The one gRPC transport to the session-service, shared by MqfleetClient (index.ts), the
// api-gateway (services/api-gateway/src/backend.ts) and the connection-gateway
// (services/connection-gateway/src/session-client.ts): channel credentials from TLS options, the
// caller metadata (internal token, gateway id, bearer token), a deadline on every call, retries of
// idempotent calls on UNAVAILABLE, and the one decoding of failures into MqfleetError.
//
//   const transport = new Transport('sessions.internal:50051', { internalToken, deadlineMs: 5000 });
//   const res = await transport.unary(v1.SessionService.service.ListSessionNames, { after: '' }, {
//     metadata: transport.internal,
//     idempotent: true,
//   });
import * as grpc from '@grpc/grpc-js';
import {
  DEFAULT_GRPC_DEADLINE_MS,
  ERROR_CODE_METADATA_KEY,
  ERROR_KINDS,
  ERROR_PROPERTY_METADATA_KEY,
  isErrorCode,
  MqfleetError,
  readGrpcTlsFiles,
  type Config,
  type ErrorCode,
} from '@mqfleet/core';
import { clientCredentials, type ClientTls } from '@mqfleet/proto';

/** Metadata key of the secret that marks a call as a gateway's (proto/mqfleet/v1/session.proto). */
export const INTERNAL_TOKEN_METADATA_KEY = 'x-mqfleet-internal';

export interface TransportOptions {
  /** Deadline of a call that names none (default DEFAULT_GRPC_DEADLINE_MS, 5 s). */
  deadlineMs?: number;
  /** Retries of an idempotent call that failed with UNAVAILABLE, within its deadline (default 0). */
  retries?: number;
  /** Channel credentials as they are; `tls` is ignored then. */
  credentials?: grpc.ChannelCredentials;
  /**
   * TLS to the session-service: `ca` verifies its certificate, `cert` + `key` (PEM) are the client
   * certificate for mutual TLS, `serverName` overrides the name checked. Plaintext without them.
   */
  tls?: ClientTls;
  /** Largest reply accepted, in bytes (grpc.max_receive_message_length; gRPC's default is 4 MiB). */
  maxReceiveMessageBytes?: number;
  /** Further grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
  /** Sent as x-mqfleet-internal in `internal` metadata (MQFLEET_INTERNAL_TOKEN). */
  internalToken?: string | undefined;
  /** Client interceptors of every call (e.g. timedCalls, for a latency histogram). */
  interceptors?: grpc.Interceptor[];
}

/**
 * An interceptor that reports each call's method path, status code and seconds from its start to
 * its status (a stream: to its end), e.g. into a Prometheus histogram (docs/operations.md).
 */
export function timedCalls(
  observe: (method: string, code: grpc.status, seconds: number) => void,
): grpc.Interceptor {
  return (options, nextCall) => {
    const started = performance.now();
    const method = options.method_definition.path;
    return new grpc.InterceptingCall(nextCall(options), {
      start(metadata, _listener, next) {
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            observe(method, status.code, (performance.now() - started) / 1000);
            nextStatus(status);
          },
        });
      },
    });
  };
}

/** One call's settings. */
export interface CallSettings {
  /** Milliseconds from now (default: the transport's deadlineMs). */
  deadlineMs?: number;
  /** Default: none. Passed to grpc-js as it is, which copies it when the call starts. */
  metadata?: grpc.Metadata;
  /**
   * The call may be repeated without changing the outcome (a read): it is retried on UNAVAILABLE
   * (the session-service restarting, the connection not up yet), up to the transport's retries.
   */
  idempotent?: boolean;
}

/**
 * What a unary call needs of its method: a generated method definition such as
 * `v1.SessionService.service.ListSessions` fits, and so does one with its own deserializer
 * (@mqfleet/proto projectedDeserializer).
 */
export interface UnaryMethod<Req, Res> {
  readonly path: string;
  readonly requestSerialize: (value: Req) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => Res;
}

/**
 * A failed call to the session-service, decoded: `code` is the stable catalogue name (from the
 * mqfleet-error-code trailer, or the transport's condition), `message` the service's details,
 * `property` the request property it is about (mqfleet-error-property). `grpcCode` is the gRPC
 * status the call (or the batch item) ended with: what a caller needs to tell conditions that
 * the catalogue folds together (UNIMPLEMENTED of an older service, a final NOT_FOUND).
 */
export class CallError extends MqfleetError {
  constructor(
    code: ErrorCode,
    message: string,
    property: string | undefined,
    /** The gRPC status, when the call got one. */
    readonly grpcCode: number | undefined,
  ) {
    super(code, message, property);
  }
}

/**
 * Status → catalogue name for a failure without the mqfleet-error-code trailer (the session-service
 * always sets it: services/session-service/src/grpc.ts toServiceError; a proxy or grpc-js itself
 * does not).
 */
const BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [grpc.status.UNAUTHENTICATED]: 'BAD_TOKEN',
  [grpc.status.PERMISSION_DENIED]: 'ADMIN_REQUIRED',
  [grpc.status.NOT_FOUND]: 'NOT_FOUND',
  [grpc.status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [grpc.status.INVALID_ARGUMENT]: 'INVALID_VALUE',
  [grpc.status.FAILED_PRECONDITION]: 'VERSION_CONFLICT',
};

const text = (value: grpc.MetadataValue | undefined): string | undefined =>
  typeof value === 'string' ? value : value?.toString('utf8');

/**
 * The one decoding of a failed call. Transport conditions win over any trailer: UNAVAILABLE →
 * 'UNAVAILABLE', DEADLINE_EXCEEDED → 'TIMEOUT'; then the mqfleet-error-code trailer (with
 * mqfleet-error-property); then the status alone (BY_STATUS); anything else is 'INTERNAL'.
 */
export function decodeError(err: grpc.ServiceError): CallError {
  if (err.code === grpc.status.UNAVAILABLE)
    return new CallError('UNAVAILABLE', err.details || err.message, undefined, err.code);
  if (err.code === grpc.status.DEADLINE_EXCEEDED)
    return new CallError('TIMEOUT', err.details || err.message, undefined, err.code);
  const code = text(err.metadata?.get(ERROR_CODE_METADATA_KEY)[0]);
  if (isErrorCode(code)) {
    const property = text(err.metadata.get(ERROR_PROPERTY_METADATA_KEY)[0]);
    return new CallError(code, err.details, property, err.code);
  }
  const byStatus = BY_STATUS[err.code];
  if (byStatus) return new CallError(byStatus, err.details, undefined, err.code);
  return new CallError('INTERNAL', err.details || err.message, undefined, err.code);
}

/**
 * The same decoding for a failure that came back as data: an item of a batch reply (BatchFailure:
 * status, errorCode, errorMessage) or of the AlterSessionStream (errorCode, errorMessage,
 * errorProperty, no status).
 */
export function decodeFailure(failure: {
  errorCode?: string | undefined;
  errorMessage?: string | undefined;
  errorProperty?: string | undefined;
  status?: number | undefined;
}): CallError {
  const { errorCode, errorMessage = '', errorProperty, status } = failure;
  if (isErrorCode(errorCode))
    return new CallError(
      errorCode,
      errorMessage,
      errorProperty || undefined,
      status ?? ERROR_KINDS[errorCode].grpcStatus,
    );
  const byStatus = status === undefined ? undefined : BY_STATUS[status];
  return new CallError(byStatus ?? 'INTERNAL', errorMessage, errorProperty || undefined, status);
}

/** Promise of a callback-style call (a generated client's method), failures decoded. */
export function promised<T>(run: (callback: grpc.requestCallback<T>) => unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    run((err, value) => {
      if (err) reject(decodeError(err));
      else if (value === undefined) reject(emptyResponse());
      else resolve(value);
    });
  });
}

const emptyResponse = (): CallError => new CallError('INTERNAL', 'empty gRPC response', undefined, undefined);

/** Pause before the first retry; doubled for each further one. */
const RETRY_PAUSE_MS = 100;

/** Shared by calls that send no metadata (grpc-js copies it; nothing ever writes to it). */
const NO_METADATA = new grpc.Metadata();

type GeneratedClient<C> = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: Partial<grpc.ClientOptions>,
) => C;

/** What a service's configuration says about reaching the session-service. */
export type ServiceCallConfig = Pick<
  Config,
  'sessionServiceAddress' | 'grpcTls' | 'grpcDeadlineMs' | 'internalToken'
>;

export class Transport {
  /**
   * The transport of an mqfleet service (api-gateway, connection-gateway) from its configuration:
   * TLS with its client certificate when MQFLEET_GRPC_TLS_* say so, its deadline and internal
   * token; `extra` adds to or overrides those options.
   */
  static fromConfig(config: ServiceCallConfig, extra: TransportOptions = {}): Transport {
    const files = readGrpcTlsFiles(config.grpcTls);
    return new Transport(config.sessionServiceAddress, {
      tls: {
        ca: files.ca,
        cert: files.clientCert,
        key: files.clientKey,
        serverName: config.grpcTls.serverName,
      },
      deadlineMs: config.grpcDeadlineMs,
      internalToken: config.internalToken,
      ...extra,
    });
  }

  readonly deadlineMs: number;
  /** The channel every call of this transport (and of its generated clients) goes over. */
  readonly channel: grpc.Channel;
  private readonly credentials: grpc.ChannelCredentials;
  private readonly retries: number;
  private readonly calls: grpc.Client;
  private readonly interceptors: grpc.Interceptor[] | undefined;
  private readonly internalToken: string | undefined;
  private readonly callerEntries = new Map<string, string>();
  private internalMetadata: grpc.Metadata;

  constructor(
    readonly address: string,
    options: TransportOptions = {},
  ) {
    const secured = options.credentials
      ? { credentials: options.credentials, options: {} }
      : clientCredentials(options.tls);
    const channelOptions: grpc.ChannelOptions = { ...secured.options, ...options.channelOptions };
    if (options.maxReceiveMessageBytes !== undefined)
      channelOptions['grpc.max_receive_message_length'] = options.maxReceiveMessageBytes;
    this.credentials = secured.credentials;
    this.channel = new grpc.Channel(address, this.credentials, channelOptions);
    this.interceptors = options.interceptors;
    this.calls = new grpc.Client(address, this.credentials, this.clientOptions());
    this.deadlineMs = options.deadlineMs ?? DEFAULT_GRPC_DEADLINE_MS;
    this.retries = options.retries ?? 0;
    this.internalToken = options.internalToken || undefined;
    this.internalMetadata = this.buildInternal();
  }

  /**
   * A generated client (SessionServiceClient, AuthServiceClient, ...) over this transport's
   * channel, for the calls the generated API suits better (streams); closed with the transport.
   */
  client<C>(Client: GeneratedClient<C>): C {
    return new Client(this.address, this.credentials, this.clientOptions());
  }

  private clientOptions(): Partial<grpc.ClientOptions> {
    return {
      channelOverride: this.channel,
      ...(this.interceptors ? { interceptors: this.interceptors } : {}),
    };
  }

  /**
   * Metadata of a call the caller makes on its own behalf: the internal token (when configured)
   * and the caller's entries (setCallerMetadata). Built once and shared by every such call: do
   * not modify it.
   */
  get internal(): grpc.Metadata {
    return this.internalMetadata;
  }

  /** Adds (or with undefined removes) an entry of `internal` metadata, e.g. the gateway's id. */
  setCallerMetadata(key: string, value: string | undefined): void {
    if (value) this.callerEntries.set(key, value);
    else this.callerEntries.delete(key);
    this.internalMetadata = this.buildInternal();
  }

  /**
   * Metadata of a call made for the holder of an API token (AuthService.CreateToken). Never with
   * the internal token: the bearer token alone decides what the caller may do.
   */
  bearer(token: string): grpc.Metadata {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    return metadata;
  }

  /** Call options with a deadline `deadlineMs` from now. */
  callOptions(deadlineMs = this.deadlineMs): grpc.CallOptions {
    return { deadline: Date.now() + deadlineMs };
  }

  /** One unary call; rejects with a CallError (decodeError). */
  unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, settings?: CallSettings): Promise<Res> {
    const metadata = settings?.metadata ?? NO_METADATA;
    const deadline = Date.now() + (settings?.deadlineMs ?? this.deadlineMs);
    const retries = settings?.idempotent ? this.retries : 0;
    return new Promise((resolve, reject) =>
      this.attempt(method, request, metadata, deadline, retries, 0, resolve, reject),
    );
  }

  /** One try of a unary call (the gateways' connects go through here: no closure beyond the callback). */
  private attempt<Req, Res>(
    method: UnaryMethod<Req, Res>,
    request: Req,
    metadata: grpc.Metadata,
    deadline: number,
    retries: number,
    tried: number,
    resolve: (value: Res) => void,
    reject: (err: CallError) => void,
  ): void {
    this.calls.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      metadata,
      { deadline },
      (err, value) => {
        if (!err) {
          if (value === undefined) reject(emptyResponse());
          else resolve(value);
          return;
        }
        const pause = RETRY_PAUSE_MS * 2 ** tried;
        if (tried < retries && err.code === grpc.status.UNAVAILABLE && Date.now() + pause < deadline) {
          setTimeout(
            () => this.attempt(method, request, metadata, deadline, retries, tried + 1, resolve, reject),
            pause,
          );
          return;
        }
        reject(decodeError(err));
      },
    );
  }

  /** Closes the channel (and with it every generated client made by client()). */
  close(): void {
    this.calls.close();
  }

  private buildInternal(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    if (this.internalToken) metadata.set(INTERNAL_TOKEN_METADATA_KEY, this.internalToken);
    for (const [key, value] of this.callerEntries) metadata.set(key, value);
    return metadata;
  }
}
