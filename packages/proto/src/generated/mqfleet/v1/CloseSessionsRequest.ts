// Original file: proto/mqfleet/v1/session.proto

import type {
  CloseSessionRequest as _mqfleet_v1_CloseSessionRequest,
  CloseSessionRequest__Output as _mqfleet_v1_CloseSessionRequest__Output,
} from '../../mqfleet/v1/CloseSessionRequest';

export interface CloseSessionsRequest {
  requests?: _mqfleet_v1_CloseSessionRequest[];
}

export interface CloseSessionsRequest__Output {
  requests: _mqfleet_v1_CloseSessionRequest__Output[];
}
