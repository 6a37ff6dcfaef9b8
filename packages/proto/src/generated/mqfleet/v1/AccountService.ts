// Original file: proto/mqfleet/v1/accounts.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  AlterAccountRequest as _mqfleet_v1_AlterAccountRequest,
  AlterAccountRequest__Output as _mqfleet_v1_AlterAccountRequest__Output,
} from '../../mqfleet/v1/AlterAccountRequest';
import type {
  AlterAccountResponse as _mqfleet_v1_AlterAccountResponse,
  AlterAccountResponse__Output as _mqfleet_v1_AlterAccountResponse__Output,
} from '../../mqfleet/v1/AlterAccountResponse';
import type {
  CreateAccountRequest as _mqfleet_v1_CreateAccountRequest,
  CreateAccountRequest__Output as _mqfleet_v1_CreateAccountRequest__Output,
} from '../../mqfleet/v1/CreateAccountRequest';
import type {
  CreateAccountResponse as _mqfleet_v1_CreateAccountResponse,
  CreateAccountResponse__Output as _mqfleet_v1_CreateAccountResponse__Output,
} from '../../mqfleet/v1/CreateAccountResponse';
import type {
  DeleteAccountRequest as _mqfleet_v1_DeleteAccountRequest,
  DeleteAccountRequest__Output as _mqfleet_v1_DeleteAccountRequest__Output,
} from '../../mqfleet/v1/DeleteAccountRequest';
import type {
  DeleteAccountResponse as _mqfleet_v1_DeleteAccountResponse,
  DeleteAccountResponse__Output as _mqfleet_v1_DeleteAccountResponse__Output,
} from '../../mqfleet/v1/DeleteAccountResponse';
import type {
  ListAccountsRequest as _mqfleet_v1_ListAccountsRequest,
  ListAccountsRequest__Output as _mqfleet_v1_ListAccountsRequest__Output,
} from '../../mqfleet/v1/ListAccountsRequest';
import type {
  ListAccountsResponse as _mqfleet_v1_ListAccountsResponse,
  ListAccountsResponse__Output as _mqfleet_v1_ListAccountsResponse__Output,
} from '../../mqfleet/v1/ListAccountsResponse';

export interface AccountServiceClient extends grpc.Client {
  AlterAccount(
    argument: _mqfleet_v1_AlterAccountRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterAccount(
    argument: _mqfleet_v1_AlterAccountRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_AlterAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterAccount(
    argument: _mqfleet_v1_AlterAccountRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  AlterAccount(
    argument: _mqfleet_v1_AlterAccountRequest,
    callback: grpc.requestCallback<_mqfleet_v1_AlterAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterAccount(
    argument: _mqfleet_v1_AlterAccountRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterAccount(
    argument: _mqfleet_v1_AlterAccountRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_AlterAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterAccount(
    argument: _mqfleet_v1_AlterAccountRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_AlterAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  alterAccount(
    argument: _mqfleet_v1_AlterAccountRequest,
    callback: grpc.requestCallback<_mqfleet_v1_AlterAccountResponse__Output>,
  ): grpc.ClientUnaryCall;

  CreateAccount(
    argument: _mqfleet_v1_CreateAccountRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateAccount(
    argument: _mqfleet_v1_CreateAccountRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CreateAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateAccount(
    argument: _mqfleet_v1_CreateAccountRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  CreateAccount(
    argument: _mqfleet_v1_CreateAccountRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CreateAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  createAccount(
    argument: _mqfleet_v1_CreateAccountRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  createAccount(
    argument: _mqfleet_v1_CreateAccountRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_CreateAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  createAccount(
    argument: _mqfleet_v1_CreateAccountRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_CreateAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  createAccount(
    argument: _mqfleet_v1_CreateAccountRequest,
    callback: grpc.requestCallback<_mqfleet_v1_CreateAccountResponse__Output>,
  ): grpc.ClientUnaryCall;

  DeleteAccount(
    argument: _mqfleet_v1_DeleteAccountRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteAccount(
    argument: _mqfleet_v1_DeleteAccountRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteAccount(
    argument: _mqfleet_v1_DeleteAccountRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteAccount(
    argument: _mqfleet_v1_DeleteAccountRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteAccount(
    argument: _mqfleet_v1_DeleteAccountRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteAccount(
    argument: _mqfleet_v1_DeleteAccountRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteAccount(
    argument: _mqfleet_v1_DeleteAccountRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteAccountResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteAccount(
    argument: _mqfleet_v1_DeleteAccountRequest,
    callback: grpc.requestCallback<_mqfleet_v1_DeleteAccountResponse__Output>,
  ): grpc.ClientUnaryCall;

  ListAccounts(
    argument: _mqfleet_v1_ListAccountsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListAccountsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListAccounts(
    argument: _mqfleet_v1_ListAccountsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListAccountsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListAccounts(
    argument: _mqfleet_v1_ListAccountsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListAccountsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListAccounts(
    argument: _mqfleet_v1_ListAccountsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListAccountsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listAccounts(
    argument: _mqfleet_v1_ListAccountsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListAccountsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listAccounts(
    argument: _mqfleet_v1_ListAccountsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mqfleet_v1_ListAccountsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listAccounts(
    argument: _mqfleet_v1_ListAccountsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mqfleet_v1_ListAccountsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listAccounts(
    argument: _mqfleet_v1_ListAccountsRequest,
    callback: grpc.requestCallback<_mqfleet_v1_ListAccountsResponse__Output>,
  ): grpc.ClientUnaryCall;
}

export interface AccountServiceHandlers extends grpc.UntypedServiceImplementation {
  AlterAccount: grpc.handleUnaryCall<
    _mqfleet_v1_AlterAccountRequest__Output,
    _mqfleet_v1_AlterAccountResponse
  >;

  CreateAccount: grpc.handleUnaryCall<
    _mqfleet_v1_CreateAccountRequest__Output,
    _mqfleet_v1_CreateAccountResponse
  >;

  DeleteAccount: grpc.handleUnaryCall<
    _mqfleet_v1_DeleteAccountRequest__Output,
    _mqfleet_v1_DeleteAccountResponse
  >;

  ListAccounts: grpc.handleUnaryCall<
    _mqfleet_v1_ListAccountsRequest__Output,
    _mqfleet_v1_ListAccountsResponse
  >;
}

export interface AccountServiceDefinition extends grpc.ServiceDefinition {
  AlterAccount: MethodDefinition<
    _mqfleet_v1_AlterAccountRequest,
    _mqfleet_v1_AlterAccountResponse,
    _mqfleet_v1_AlterAccountRequest__Output,
    _mqfleet_v1_AlterAccountResponse__Output
  >;
  CreateAccount: MethodDefinition<
    _mqfleet_v1_CreateAccountRequest,
    _mqfleet_v1_CreateAccountResponse,
    _mqfleet_v1_CreateAccountRequest__Output,
    _mqfleet_v1_CreateAccountResponse__Output
  >;
  DeleteAccount: MethodDefinition<
    _mqfleet_v1_DeleteAccountRequest,
    _mqfleet_v1_DeleteAccountResponse,
    _mqfleet_v1_DeleteAccountRequest__Output,
    _mqfleet_v1_DeleteAccountResponse__Output
  >;
  ListAccounts: MethodDefinition<
    _mqfleet_v1_ListAccountsRequest,
    _mqfleet_v1_ListAccountsResponse,
    _mqfleet_v1_ListAccountsRequest__Output,
    _mqfleet_v1_ListAccountsResponse__Output
  >;
}
