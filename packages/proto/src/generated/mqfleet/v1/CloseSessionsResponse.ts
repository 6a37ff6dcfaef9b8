// Original file: proto/mqfleet/v1/session.proto

import type {
  CloseSessionResult as _mqfleet_v1_CloseSessionResult,
  CloseSessionResult__Output as _mqfleet_v1_CloseSessionResult__Output,
} from '../../mqfleet/v1/CloseSessionResult';

export interface CloseSessionsResponse {
  results?: _mqfleet_v1_CloseSessionResult[];
}

export interface CloseSessionsResponse__Output {
  results: _mqfleet_v1_CloseSessionResult__Output[];
}
