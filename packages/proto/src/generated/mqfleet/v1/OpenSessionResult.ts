// Original file: proto/mqfleet/v1/session.proto

import type {
  OpenSessionResponse as _mqfleet_v1_OpenSessionResponse,
  OpenSessionResponse__Output as _mqfleet_v1_OpenSessionResponse__Output,
} from '../../mqfleet/v1/OpenSessionResponse';
import type {
  BatchFailure as _mqfleet_v1_BatchFailure,
  BatchFailure__Output as _mqfleet_v1_BatchFailure__Output,
} from '../../mqfleet/v1/BatchFailure';

export interface OpenSessionResult {
  response?: _mqfleet_v1_OpenSessionResponse | null;
  failure?: _mqfleet_v1_BatchFailure | null;
  result?: 'response' | 'failure';
}

export interface OpenSessionResult__Output {
  response?: _mqfleet_v1_OpenSessionResponse__Output | null;
  failure?: _mqfleet_v1_BatchFailure__Output | null;
  result?: 'response' | 'failure';
}
