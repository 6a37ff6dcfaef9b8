// Original file: proto/mqfleet/v1/accounts.proto

import type {
  Account as _mqfleet_v1_Account,
  Account__Output as _mqfleet_v1_Account__Output,
} from '../../mqfleet/v1/Account';

export interface AlterAccountResponse {
  account?: _mqfleet_v1_Account | null;
  tokensRevoked?: number;
}

export interface AlterAccountResponse__Output {
  account: _mqfleet_v1_Account__Output | null;
  tokensRevoked: number;
}
