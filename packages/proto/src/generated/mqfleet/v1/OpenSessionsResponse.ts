// Original file: proto/mqfleet/v1/session.proto

import type {
  OpenSessionResult as _mqfleet_v1_OpenSessionResult,
  OpenSessionResult__Output as _mqfleet_v1_OpenSessionResult__Output,
} from '../../mqfleet/v1/OpenSessionResult';

export interface OpenSessionsResponse {
  results?: _mqfleet_v1_OpenSessionResult[];
}

export interface OpenSessionsResponse__Output {
  results: _mqfleet_v1_OpenSessionResult__Output[];
}
