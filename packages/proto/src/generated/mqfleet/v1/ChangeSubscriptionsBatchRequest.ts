// Original file: proto/mqfleet/v1/session.proto

import type {
  ChangeSubscriptionsRequest as _mqfleet_v1_ChangeSubscriptionsRequest,
  ChangeSubscriptionsRequest__Output as _mqfleet_v1_ChangeSubscriptionsRequest__Output,
} from '../../mqfleet/v1/ChangeSubscriptionsRequest';

export interface ChangeSubscriptionsBatchRequest {
  requests?: _mqfleet_v1_ChangeSubscriptionsRequest[];
}

export interface ChangeSubscriptionsBatchRequest__Output {
  requests: _mqfleet_v1_ChangeSubscriptionsRequest__Output[];
}
