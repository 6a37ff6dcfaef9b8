// Original file: proto/mqfleet/v1/session.proto

import type {
  OpenSessionRequest as _mqfleet_v1_OpenSessionRequest,
  OpenSessionRequest__Output as _mqfleet_v1_OpenSessionRequest__Output,
} from '../../mqfleet/v1/OpenSessionRequest';

export interface OpenSessionsRequest {
  requests?: _mqfleet_v1_OpenSessionRequest[];
}

export interface OpenSessionsRequest__Output {
  requests: _mqfleet_v1_OpenSessionRequest__Output[];
}
