// Original file: proto/mqfleet/v1/session.proto

import type {
  CloseSessionResponse as _mqfleet_v1_CloseSessionResponse,
  CloseSessionResponse__Output as _mqfleet_v1_CloseSessionResponse__Output,
} from '../../mqfleet/v1/CloseSessionResponse';
import type {
  BatchFailure as _mqfleet_v1_BatchFailure,
  BatchFailure__Output as _mqfleet_v1_BatchFailure__Output,
} from '../../mqfleet/v1/BatchFailure';

export interface CloseSessionResult {
  response?: _mqfleet_v1_CloseSessionResponse | null;
  failure?: _mqfleet_v1_BatchFailure | null;
  result?: 'response' | 'failure';
}

export interface CloseSessionResult__Output {
  response?: _mqfleet_v1_CloseSessionResponse__Output | null;
  failure?: _mqfleet_v1_BatchFailure__Output | null;
  result?: 'response' | 'failure';
}
