// Original file: proto/mqfleet/v1/session.proto

import type {
  KeptWill as _mqfleet_v1_KeptWill,
  KeptWill__Output as _mqfleet_v1_KeptWill__Output,
} from '../../mqfleet/v1/KeptWill';

export interface KeepWillsRequest {
  wills?: _mqfleet_v1_KeptWill[];
}

export interface KeepWillsRequest__Output {
  wills: _mqfleet_v1_KeptWill__Output[];
}
