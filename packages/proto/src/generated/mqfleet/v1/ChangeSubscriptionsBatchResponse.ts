// Original file: proto/mqfleet/v1/session.proto

import type {
  ChangeSubscriptionsResult as _mqfleet_v1_ChangeSubscriptionsResult,
  ChangeSubscriptionsResult__Output as _mqfleet_v1_ChangeSubscriptionsResult__Output,
} from '../../mqfleet/v1/ChangeSubscriptionsResult';

export interface ChangeSubscriptionsBatchResponse {
  results?: _mqfleet_v1_ChangeSubscriptionsResult[];
}

export interface ChangeSubscriptionsBatchResponse__Output {
  results: _mqfleet_v1_ChangeSubscriptionsResult__Output[];
}
