// Original file: proto/mqfleet/v1/session.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  AlterSessionRequest as _mqfleet_v1_AlterSessionRequest,
  AlterSessionRequest__Output as _mqfleet_v1_AlterSessionRequest__Output,
} from '../../mqfleet/v1/AlterSessionRequest';
import type {
  AlterSessionResponse as _mqfleet_v1_AlterSessionResponse,
  AlterSessionResponse__Output as _mqfleet_v1_AlterSessionResponse__Output,
} from '../../mqfleet/v1/AlterSessionResponse';
import type {
  CloseSessionRequest as _mqfleet_v1_CloseSessionRequest,
  CloseSessionRequest__Output as _mqfleet_v1_CloseSessionRequest__Output,
} from '../../mqfleet/v1/CloseSessionRequest';
import type {
  CloseSessionResponse as _mqfleet_v1_CloseSessionResponse,
  CloseSessionResponse__Output as _mqfleet_v1_CloseSessionResponse__Output,
} from '../../mqfleet/v1/CloseSessionResponse';
import type {
  DescribeSessionsRequest as _mqfleet_v1_DescribeSessionsRequest,
  DescribeSessionsRequest__Output as _mqfleet_v1_DescribeSessionsRequest__Output,
} from '../../mqfleet/v1/DescribeSessionsRequest';
import type {
  DescribeSessionsResponse as _mqfleet_v1_DescribeSessionsResponse,
  DescribeSessionsResponse__Output as _mqfleet_v1_DescribeSessionsResponse__Output,
} from '../../mqfleet/v1/DescribeSessionsResponse';
import type {
  ListGatewaysRequest as _mqfleet_v1_ListGatewaysRequest,
  ListGatewaysRequest__Output as _mqfleet_v1_ListGatewaysRequest__Output,
} from '../../mqfleet/v1/ListGatewaysRequest';
import type {
  ListGatewaysResponse as _mqfleet_v1_ListGatewaysResponse,
  ListGatewaysResponse__Output as _mqfleet_v1_ListGatewaysResponse__Output,
} from '../../mqfleet/v1/ListGatewaysResponse';
import type {
  OpenSessionRequest as _mqfleet_v1_OpenSessionRequest,
  OpenSessionRequest__Output as _mqfleet_v1_OpenSessionRequest__Output,
} from '../../mqfleet/v1/OpenSessionRequest';
import type {
  OpenSessionResponse as _mqfleet_v1_OpenSessionResponse,
  OpenSessionResponse__Output as _mqfleet_v1_OpenSessionResponse__Output,
} from '../../mqfleet/v1/OpenSessionResponse';

export interface SessionServiceClient extends grpc.Client {
  AlterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterSession(
    argument: _mqfleet_v1_AlterSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_AlterSessionResponse__Output>,
  ): grpc.ClientUnaryCall;

  CloseSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  CloseSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  CloseSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  CloseSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  closeSession(
    argument: _mqfleet_v1_CloseSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CloseSessionResponse__Output>,
  ): grpc.ClientUnaryCall;

  DescribeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeSessions(
    argument: _mqfleet_v1_DescribeSessionsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeSessionsResponse__Output>,
  ): grpc.ClientUnaryCall;

  ListGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  listGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  listGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  listGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;
  listGateways(
    argument: _mqfleet_v1_ListGatewaysRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListGatewaysResponse__Output>,
  ): grpc.ClientUnaryCall;

  OpenSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  OpenSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  OpenSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  OpenSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
  openSession(
    argument: _mqfleet_v1_OpenSessionRequest,
    callback: grpc.requestCallback<_mqfleet_v1_OpenSessionResponse__Output>,
  ): grpc.ClientUnaryCall;
}

export interface SessionServiceHandlers extends grpc.UntypedServiceImplementation {
  AlterSession: grpc.handleUnaryCall<
    _mqfleet_v1_AlterSessionRequest__Output,
    _mqfleet_v1_AlterSessionResponse
  >;

  CloseSession: grpc.handleUnaryCall<
    _mqfleet_v1_CloseSessionRequest__Output,
    _mqfleet_v1_CloseSessionResponse
  >;

  DescribeSessions: grpc.handleUnaryCall<
    _mqfleet_v1_DescribeSessionsRequest__Output,
    _mqfleet_v1_DescribeSessionsResponse
  >;

  ListGateways: grpc.handleUnaryCall<
    _mqfleet_v1_ListGatewaysRequest__Output,
    _mqfleet_v1_ListGatewaysResponse
  >;

  OpenSession: grpc.handleUnaryCall<_mqfleet_v1_OpenSessionRequest__Output, _mqfleet_v1_OpenSessionResponse>;
}

export interface SessionServiceDefinition extends grpc.ServiceDefinition {
  AlterSession: MethodDefinition<
    _mqfleet_v1_AlterSessionRequest,
    _mqfleet_v1_AlterSessionResponse,
    _mqfleet_v1_AlterSessionRequest__Output,
    _mqfleet_v1_AlterSessionResponse__Output
  >;
  CloseSession: MethodDefinition<
    _mqfleet_v1_CloseSessionRequest,
    _mqfleet_v1_CloseSessionResponse,
    _mqfleet_v1_CloseSessionRequest__Output,
    _mqfleet_v1_CloseSessionResponse__Output
  >;
  DescribeSessions: MethodDefinition<
    _mqfleet_v1_DescribeSessionsRequest,
    _mqfleet_v1_DescribeSessionsResponse,
    _mqfleet_v1_DescribeSessionsRequest__Output,
    _mqfleet_v1_DescribeSessionsResponse__Output
  >;
  ListGateways: MethodDefinition<
    _mqfleet_v1_ListGatewaysRequest,
    _mqfleet_v1_ListGatewaysResponse,
    _mqfleet_v1_ListGatewaysRequest__Output,
    _mqfleet_v1_ListGatewaysResponse__Output
  >;
  OpenSession: MethodDefinition<
    _mqfleet_v1_OpenSessionRequest,
    _mqfleet_v1_OpenSessionResponse,
    _mqfleet_v1_OpenSessionRequest__Output,
    _mqfleet_v1_OpenSessionResponse__Output
  >;
}
