// Original file: proto/mqfleet/v1/session.proto

import type {
  ChangeSubscriptionsResponse as _mqfleet_v1_ChangeSubscriptionsResponse,
  ChangeSubscriptionsResponse__Output as _mqfleet_v1_ChangeSubscriptionsResponse__Output,
} from '../../mqfleet/v1/ChangeSubscriptionsResponse';
import type {
  BatchFailure as _mqfleet_v1_BatchFailure,
  BatchFailure__Output as _mqfleet_v1_BatchFailure__Output,
} from '../../mqfleet/v1/BatchFailure';

export interface ChangeSubscriptionsResult {
  response?: _mqfleet_v1_ChangeSubscriptionsResponse | null;
  failure?: _mqfleet_v1_BatchFailure | null;
  result?: 'response' | 'failure';
}

export interface ChangeSubscriptionsResult__Output {
  response?: _mqfleet_v1_ChangeSubscriptionsResponse__Output | null;
  failure?: _mqfleet_v1_BatchFailure__Output | null;
  result?: 'response' | 'failure';
}
