import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  AuthServiceClient as _mqfleet_v1_AuthServiceClient,
  AuthServiceDefinition as _mqfleet_v1_AuthServiceDefinition,
} from './mqfleet/v1/AuthService';
import type {
  CreateTokenRequest as _mqfleet_v1_CreateTokenRequest,
  CreateTokenRequest__Output as _mqfleet_v1_CreateTokenRequest__Output,
} from './mqfleet/v1/CreateTokenRequest';
import type {
  CreateTokenResponse as _mqfleet_v1_CreateTokenResponse,
  CreateTokenResponse__Output as _mqfleet_v1_CreateTokenResponse__Output,
} from './mqfleet/v1/CreateTokenResponse';
import type {
  DeleteTokenRequest as _mqfleet_v1_DeleteTokenRequest,
  DeleteTokenRequest__Output as _mqfleet_v1_DeleteTokenRequest__Output,
} from './mqfleet/v1/DeleteTokenRequest';
import type {
  DeleteTokenResponse as _mqfleet_v1_DeleteTokenResponse,
  DeleteTokenResponse__Output as _mqfleet_v1_DeleteTokenResponse__Output,
} from './mqfleet/v1/DeleteTokenResponse';
import type {
  DescribeTokensRequest as _mqfleet_v1_DescribeTokensRequest,
  DescribeTokensRequest__Output as _mqfleet_v1_DescribeTokensRequest__Output,
} from './mqfleet/v1/DescribeTokensRequest';
import type {
  DescribeTokensResponse as _mqfleet_v1_DescribeTokensResponse,
  DescribeTokensResponse__Output as _mqfleet_v1_DescribeTokensResponse__Output,
} from './mqfleet/v1/DescribeTokensResponse';
import type {
  TokenInfo as _mqfleet_v1_TokenInfo,
  TokenInfo__Output as _mqfleet_v1_TokenInfo__Output,
} from './mqfleet/v1/TokenInfo';
import type {
  WhoAmIRequest as _mqfleet_v1_WhoAmIRequest,
  WhoAmIRequest__Output as _mqfleet_v1_WhoAmIRequest__Output,
} from './mqfleet/v1/WhoAmIRequest';
import type {
  WhoAmIResponse as _mqfleet_v1_WhoAmIResponse,
  WhoAmIResponse__Output as _mqfleet_v1_WhoAmIResponse__Output,
} from './mqfleet/v1/WhoAmIResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mqfleet: {
    v1: {
      AuthService: SubtypeConstructor<typeof grpc.Client, _mqfleet_v1_AuthServiceClient> & {
        service: _mqfleet_v1_AuthServiceDefinition;
      };
      CreateTokenRequest: MessageTypeDefinition<
        _mqfleet_v1_CreateTokenRequest,
        _mqfleet_v1_CreateTokenRequest__Output
      >;
      CreateTokenResponse: MessageTypeDefinition<
        _mqfleet_v1_CreateTokenResponse,
        _mqfleet_v1_CreateTokenResponse__Output
      >;
      DeleteTokenRequest: MessageTypeDefinition<
        _mqfleet_v1_DeleteTokenRequest,
        _mqfleet_v1_DeleteTokenRequest__Output
      >;
      DeleteTokenResponse: MessageTypeDefinition<
        _mqfleet_v1_DeleteTokenResponse,
        _mqfleet_v1_DeleteTokenResponse__Output
      >;
      DescribeTokensRequest: MessageTypeDefinition<
        _mqfleet_v1_DescribeTokensRequest,
        _mqfleet_v1_DescribeTokensRequest__Output
      >;
      DescribeTokensResponse: MessageTypeDefinition<
        _mqfleet_v1_DescribeTokensResponse,
        _mqfleet_v1_DescribeTokensResponse__Output
      >;
      TokenInfo: MessageTypeDefinition<_mqfleet_v1_TokenInfo, _mqfleet_v1_TokenInfo__Output>;
      WhoAmIRequest: MessageTypeDefinition<_mqfleet_v1_WhoAmIRequest, _mqfleet_v1_WhoAmIRequest__Output>;
      WhoAmIResponse: MessageTypeDefinition<_mqfleet_v1_WhoAmIResponse, _mqfleet_v1_WhoAmIResponse__Output>;
    };
  };
}
