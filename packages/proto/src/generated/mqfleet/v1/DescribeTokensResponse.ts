// Original file: proto/mqfleet/v1/auth.proto

import type {
  TokenInfo as _mqfleet_v1_TokenInfo,
  TokenInfo__Output as _mqfleet_v1_TokenInfo__Output,
} from '../../mqfleet/v1/TokenInfo';

export interface DescribeTokensResponse {
  tokens?: _mqfleet_v1_TokenInfo[];
}

export interface DescribeTokensResponse__Output {
  tokens: _mqfleet_v1_TokenInfo__Output[];
}
