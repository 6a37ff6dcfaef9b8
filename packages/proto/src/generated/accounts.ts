import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  Account as _mqfleet_v1_Account,
  Account__Output as _mqfleet_v1_Account__Output,
} from './mqfleet/v1/Account';
import type {
  AccountServiceClient as _mqfleet_v1_AccountServiceClient,
  AccountServiceDefinition as _mqfleet_v1_AccountServiceDefinition,
} from './mqfleet/v1/AccountService';
import type {
  AlterAccountRequest as _mqfleet_v1_AlterAccountRequest,
  AlterAccountRequest__Output as _mqfleet_v1_AlterAccountRequest__Output,
} from './mqfleet/v1/AlterAccountRequest';
import type {
  AlterAccountResponse as _mqfleet_v1_AlterAccountResponse,
  AlterAccountResponse__Output as _mqfleet_v1_AlterAccountResponse__Output,
} from './mqfleet/v1/AlterAccountResponse';
import type {
  CreateAccountRequest as _mqfleet_v1_CreateAccountRequest,
  CreateAccountRequest__Output as _mqfleet_v1_CreateAccountRequest__Output,
} from './mqfleet/v1/CreateAccountRequest';
import type {
  CreateAccountResponse as _mqfleet_v1_CreateAccountResponse,
  CreateAccountResponse__Output as _mqfleet_v1_CreateAccountResponse__Output,
} from './mqfleet/v1/CreateAccountResponse';
import type {
  DeleteAccountRequest as _mqfleet_v1_DeleteAccountRequest,
  DeleteAccountRequest__Output as _mqfleet_v1_DeleteAccountRequest__Output,
} from './mqfleet/v1/DeleteAccountRequest';
import type {
  DeleteAccountResponse as _mqfleet_v1_DeleteAccountResponse,
  DeleteAccountResponse__Output as _mqfleet_v1_DeleteAccountResponse__Output,
} from './mqfleet/v1/DeleteAccountResponse';
import type {
  ListAccountsRequest as _mqfleet_v1_ListAccountsRequest,
  ListAccountsRequest__Output as _mqfleet_v1_ListAccountsRequest__Output,
} from './mqfleet/v1/ListAccountsRequest';
import type {
  ListAccountsResponse as _mqfleet_v1_ListAccountsResponse,
  ListAccountsResponse__Output as _mqfleet_v1_ListAccountsResponse__Output,
} from './mqfleet/v1/ListAccountsResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mqfleet: {
    v1: {
      Account: MessageTypeDefinition<_mqfleet_v1_Account, _mqfleet_v1_Account__Output>;
      AccountService: SubtypeConstructor<typeof grpc.Client, _mqfleet_v1_AccountServiceClient> & {
        service: _mqfleet_v1_AccountServiceDefinition;
      };
      AlterAccountRequest: MessageTypeDefinition<
        _mqfleet_v1_AlterAccountRequest,
        _mqfleet_v1_AlterAccountRequest__Output
      >;
      AlterAccountResponse: MessageTypeDefinition<
        _mqfleet_v1_AlterAccountResponse,
        _mqfleet_v1_AlterAccountResponse__Output
      >;
      CreateAccountRequest: MessageTypeDefinition<
        _mqfleet_v1_CreateAccountRequest,
        _mqfleet_v1_CreateAccountRequest__Output
      >;
      CreateAccountResponse: MessageTypeDefinition<
        _mqfleet_v1_CreateAccountResponse,
        _mqfleet_v1_CreateAccountResponse__Output
      >;
      DeleteAccountRequest: MessageTypeDefinition<
        _mqfleet_v1_DeleteAccountRequest,
        _mqfleet_v1_DeleteAccountRequest__Output
      >;
      DeleteAccountResponse: MessageTypeDefinition<
        _mqfleet_v1_DeleteAccountResponse,
        _mqfleet_v1_DeleteAccountResponse__Output
      >;
      ListAccountsRequest: MessageTypeDefinition<
        _mqfleet_v1_ListAccountsRequest,
        _mqfleet_v1_ListAccountsRequest__Output
      >;
      ListAccountsResponse: MessageTypeDefinition<
        _mqfleet_v1_ListAccountsResponse,
        _mqfleet_v1_ListAccountsResponse__Output
      >;
    };
  };
}
