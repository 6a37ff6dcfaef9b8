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

  WhoAmI: grpc.handleUnaryCall<_mqfleet_v1_WhoAmIRequest__Output, _mqfleet_v1_WhoAmIResponse>;
}

export interface AuthServiceDefinition extends grpc.ServiceDefinition {
  CreateToken: MethodDefinition<
    _mqfleet_v1_CreateTokenRequest,
    _mqfleet_v1_CreateTokenResponse,
    _mqfleet_v1_CreateTokenRequest__Output,
    _mqfleet_v1_CreateTokenResponse__Output
  >;
  WhoAmI: MethodDefinition<
    _mqfleet_v1_WhoAmIRequest,
    _mqfleet_v1_WhoAmIResponse,
    _mqfleet_v1_WhoAmIRequest__Output,
    _mqfleet_v1_WhoAmIResponse__Output
  >;
}
