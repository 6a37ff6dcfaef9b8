// Original file: proto/mqfleet/v1/auth.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  CreateTokenRequest as _mqfleet_v1_CreateTokenRequest,
  CreateTokenRequest__Output as _mqfleet_v1_CreateTokenRequest__Output,
} from '../../mqfleet/v1/CreateTokenRequest';
import type {
  CreateTokenResponse as _mqfleet_v1_CreateTokenResponse,
  CreateTokenResponse__Output as _mqfleet_v1_CreateTokenResponse__Output,
} from '../../mqfleet/v1/CreateTokenResponse';
import type {
  DeleteTokenRequest as _mqfleet_v1_DeleteTokenRequest,
  DeleteTokenRequest__Output as _mqfleet_v1_DeleteTokenRequest__Output,
} from '../../mqfleet/v1/DeleteTokenRequest';
import type {
  DeleteTokenResponse as _mqfleet_v1_DeleteTokenResponse,
  DeleteTokenResponse__Output as _mqfleet_v1_DeleteTokenResponse__Output,
} from '../../mqfleet/v1/DeleteTokenResponse';
import type {
  DescribeTokensRequest as _mqfleet_v1_DescribeTokensRequest,
  DescribeTokensRequest__Output as _mqfleet_v1_DescribeTokensRequest__Output,
} from '../../mqfleet/v1/DescribeTokensRequest';
import type {
  DescribeTokensResponse as _mqfleet_v1_DescribeTokensResponse,
  DescribeTokensResponse__Output as _mqfleet_v1_DescribeTokensResponse__Output,
} from '../../mqfleet/v1/DescribeTokensResponse';
import type {
  WhoAmIRequest as _mqfleet_v1_WhoAmIRequest,
  WhoAmIRequest__Output as _mqfleet_v1_WhoAmIRequest__Output,
} from '../../mqfleet/v1/WhoAmIRequest';
import type {
  WhoAmIResponse as _mqfleet_v1_WhoAmIResponse,
  WhoAmIResponse__Output as _mqfleet_v1_WhoAmIResponse__Output,
} from '../../mqfleet/v1/WhoAmIResponse';

export interface AuthServiceClient extends grpc.Client {
  CreateToken(
    argument: _mqfleet_v1_CreateTokenRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateToken(
    argument: _mqfleet_v1_CreateTokenRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CreateTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateToken(
    argument: _mqfleet_v1_CreateTokenRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateToken(
    argument: _mqfleet_v1_CreateTokenRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CreateTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  createToken(
    argument: _mqfleet_v1_CreateTokenRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  createToken(
    argument: _mqfleet_v1_CreateTokenRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CreateTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  createToken(
    argument: _mqfleet_v1_CreateTokenRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  createToken(
    argument: _mqfleet_v1_CreateTokenRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CreateTokenResponse__Output>,
  ): grpc.ClientUnaryCall;

  DeleteToken(
    argument: _mqfleet_v1_DeleteTokenRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteToken(
    argument: _mqfleet_v1_DeleteTokenRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteToken(
    argument: _mqfleet_v1_DeleteTokenRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteToken(
    argument: _mqfleet_v1_DeleteTokenRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteToken(
    argument: _mqfleet_v1_DeleteTokenRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteToken(
    argument: _mqfleet_v1_DeleteTokenRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteToken(
    argument: _mqfleet_v1_DeleteTokenRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteTokenResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteToken(
    argument: _mqfleet_v1_DeleteTokenRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteTokenResponse__Output>,
  ): grpc.ClientUnaryCall;

  DescribeTokens(
    argument: _mqfleet_v1_DescribeTokensRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTokensResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeTokens(
    argument: _mqfleet_v1_DescribeTokensRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTokensResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeTokens(
    argument: _mqfleet_v1_DescribeTokensRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTokensResponse__Output>,
  ): grpc.ClientUnaryCall;
  DescribeTokens(
    argument: _mqfleet_v1_DescribeTokensRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTokensResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeTokens(
    argument: _mqfleet_v1_DescribeTokensRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTokensResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeTokens(
    argument: _mqfleet_v1_DescribeTokensRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTokensResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeTokens(
    argument: _mqfleet_v1_DescribeTokensRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTokensResponse__Output>,
  ): grpc.ClientUnaryCall;
  describeTokens(
    argument: _mqfleet_v1_DescribeTokensRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DescribeTokensResponse__Output>,
  ): grpc.ClientUnaryCall;

  WhoAmI(
    argument: _mqfleet_v1_WhoAmIRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_WhoAmIResponse__Output>,
  ): grpc.ClientUnaryCall;
  WhoAmI(
    argument: _mqfleet_v1_WhoAmIRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_WhoAmIResponse__Output>,
  ): grpc.ClientUnaryCall;
  WhoAmI(
    argument: _mqfleet_v1_WhoAmIRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_WhoAmIResponse__Output>,
  ): grpc.ClientUnaryCall;
  WhoAmI(
    argument: _mqfleet_v1_WhoAmIRequest,
    callback: grpc.requestCallback<_mqfleet_v1_WhoAmIResponse__Output>,
  ): grpc.ClientUnaryCall;
  whoAmI(
    argument: _mqfleet_v1_WhoAmIRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_WhoAmIResponse__Output>,
  ): grpc.ClientUnaryCall;
  whoAmI(
    argument: _mqfleet_v1_WhoAmIRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_WhoAmIResponse__Output>,
  ): grpc.ClientUnaryCall;
  whoAmI(
    argument: _mqfleet_v1_WhoAmIRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_WhoAmIResponse__Output>,
  ): grpc.ClientUnaryCall;
  whoAmI(
    argument: _mqfleet_v1_WhoAmIRequest,
    callback: grpc.requestCallback<_mqfleet_v1_WhoAmIResponse__Output>,
  ): grpc.ClientUnaryCall;
}

export interface AuthServiceHandlers extends grpc.UntypedServiceImplementation {
  CreateToken: grpc.handleUnaryCall<_mqfleet_v1_CreateTokenRequest__Output, _mqfleet_v1_CreateTokenResponse>;

  DeleteToken: grpc.handleUnaryCall<_mqfleet_v1_DeleteTokenRequest__Output, _mqfleet_v1_DeleteTokenResponse>;

  DescribeTokens: grpc.handleUnaryCall<
    _mqfleet_v1_DescribeTokensRequest__Output,
    _mqfleet_v1_DescribeTokensResponse
  >;

  WhoAmI: grpc.handleUnaryCall<_mqfleet_v1_WhoAmIRequest__Output, _mqfleet_v1_WhoAmIResponse>;
}

export interface AuthServiceDefinition extends grpc.ServiceDefinition {
  CreateToken: MethodDefinition<
    _mqfleet_v1_CreateTokenRequest,
    _mqfleet_v1_CreateTokenResponse,
    _mqfleet_v1_CreateTokenRequest__Output,
    _mqfleet_v1_CreateTokenResponse__Output
  >;
  DeleteToken: MethodDefinition<
    _mqfleet_v1_DeleteTokenRequest,
    _mqfleet_v1_DeleteTokenResponse,
    _mqfleet_v1_DeleteTokenRequest__Output,
    _mqfleet_v1_DeleteTokenResponse__Output
  >;
  DescribeTokens: MethodDefinition<
    _mqfleet_v1_DescribeTokensRequest,
    _mqfleet_v1_DescribeTokensResponse,
    _mqfleet_v1_DescribeTokensRequest__Output,
    _mqfleet_v1_DescribeTokensResponse__Output
  >;
  WhoAmI: MethodDefinition<
    _mqfleet_v1_WhoAmIRequest,
    _mqfleet_v1_WhoAmIResponse,
    _mqfleet_v1_WhoAmIRequest__Output,
    _mqfleet_v1_WhoAmIResponse__Output
  >;
}
