// Promise wrapper around the session-service gRPC client. Every call carries a deadline and,
// when configured, the internal token metadata (proto/mqfleet/v1/session.proto).
import * as grpc from '@grpc/grpc-js';
import { ERROR_CODE_METADATA_KEY, readGrpcTlsFiles, type Config } from '@mqfleet/core';
import {
  SessionServiceClient,
  type SessionServiceClientType,
  type OpenSessionRequest,
  type OpenSessionResponse__Output,
  type CloseSessionRequest,
  type CloseSessionResponse__Output,
  type DescribeSessionsResponse__Output,
  type ChangeSubscriptionsRequest,
  type ChangeSubscriptionsResponse__Output,
  clientCredentials,
} from '@mqfleet/proto';
import { SessionServiceError } from './errors';

export const INTERNAL_TOKEN_METADATA_KEY = 'x-mqfleet-internal';
/** Names the calling gateway (the actor of its changes in events). */
export const GATEWAY_METADATA_KEY = 'x-mqfleet-gateway';

type Unary<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall;

export class SessionClient {
  private readonly client: SessionServiceClientType;
  /** Sent with every call once the gateway knows its id. */
  gatewayId = '';

  constructor(private readonly config: Config) {
    // TLS, with this gateway's client certificate, when MQFLEET_GRPC_TLS_* say so.
    const files = readGrpcTlsFiles(config.grpcTls);
    const { credentials, options } = clientCredentials({
      ca: files.ca,
      cert: files.clientCert,
      key: files.clientKey,
      serverName: config.grpcTls.serverName,
    });
    this.client = new SessionServiceClient(config.sessionServiceAddress, credentials, options);
  }

  openSession(request: OpenSessionRequest): Promise<OpenSessionResponse__Output> {
    return this.call('OpenSession', this.client.OpenSession.bind(this.client), request);
  }

  closeSession(request: CloseSessionRequest): Promise<CloseSessionResponse__Output> {
    return this.call('CloseSession', this.client.CloseSession.bind(this.client), request);
  }

  describeSessions(clientNames: string[]): Promise<DescribeSessionsResponse__Output> {
    return this.call('DescribeSessions', this.client.DescribeSessions.bind(this.client), {
      clientNames,
    });
  }

  /** Stores a client's SUBSCRIBE/UNSUBSCRIBE in its session. */
  changeSubscriptions(request: ChangeSubscriptionsRequest): Promise<ChangeSubscriptionsResponse__Output> {
    return this.call('ChangeSubscriptions', this.client.ChangeSubscriptions.bind(this.client), request);
  }

  close(): void {
    this.client.close();
  }

  private call<Req, Res>(rpc: string, method: Unary<Req, Res>, request: Req): Promise<Res> {
    const metadata = new grpc.Metadata();
    if (this.config.internalToken) metadata.set(INTERNAL_TOKEN_METADATA_KEY, this.config.internalToken);
    if (this.gatewayId) metadata.set(GATEWAY_METADATA_KEY, this.gatewayId);
    const deadline = Date.now() + this.config.grpcDeadlineMs;
    return new Promise((resolve, reject) => {
      method(request, metadata, { deadline }, (err, response) => {
        if (err || response === undefined) {
          const code = err?.metadata?.get(ERROR_CODE_METADATA_KEY)[0];
          reject(
            new SessionServiceError(
              rpc,
              err?.details || err?.message || 'no response',
              err?.code,
              typeof code === 'string' ? code : undefined,
            ),
          );
          return;
        }
        resolve(response);
      });
    });
  }
}
