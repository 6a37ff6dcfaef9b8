// Original file: proto/mqfleet/v1/accounts.proto

import type {
  Account as _mqfleet_v1_Account,
  Account__Output as _mqfleet_v1_Account__Output,
} from '../../mqfleet/v1/Account';

export interface ListAccountsResponse {
  accounts?: _mqfleet_v1_Account[];
}

export interface ListAccountsResponse__Output {
  accounts: _mqfleet_v1_Account__Output[];
}
